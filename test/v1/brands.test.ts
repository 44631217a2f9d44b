import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { useServer, type TenantClient } from '../helpers.js';

const { server, client } = await useServer();

async function brandOf(t: TenantClient, name = 'Brand', extra: Record<string, unknown> = {}) {
  const res = await server.admin('POST', `/tenants/${t.tenant.id}/brands`, { name, ...extra });
  assert.equal(res.status, 201, res.text);
  return res.body as { id: number; name: string };
}

async function customerRow(id: string) {
  return server.db.selectFrom('customers').select(['brand_id', 'version']).where('id', '=', id).executeTakeFirstOrThrow();
}

describe('seed 003: /v1/brands (read-only, so API clients can see their brand ids)', () => {
  test('lists the tenant’s own brands and reads one; another tenant’s brand is a 404', async () => {
    const t = await server.tenant();
    const other = await server.tenant();
    const first = await brandOf(t, 'First', { crmLookupUrl: 'https://crm.example.com/x', searchCustomersByChannel: true });
    const second = await brandOf(t, 'Second');
    const foreign = await brandOf(other, 'Foreign');

    const list = await t.get('/v1/brands');
    assert.equal(list.status, 200);
    assert.deepEqual(list.body.data.map((b: { id: number }) => b.id), [first.id, second.id]);
    const one = await t.get(`/v1/brands/${first.id}`);
    assert.equal(one.status, 200);
    assert.deepEqual(
      { name: one.body.name, crmLookupUrl: one.body.crmLookupUrl, searchCustomersByChannel: one.body.searchCustomersByChannel },
      { name: 'First', crmLookupUrl: 'https://crm.example.com/x', searchCustomersByChannel: true },
    );
    const cross = await t.get(`/v1/brands/${foreign.id}`);
    assert.equal(cross.status, 404);
    assert.equal(cross.body.code, 'not_found');
    assert.equal((await t.get('/v1/brands/999999999')).status, 404);
    assert.equal((await t.get('/v1/brands/0')).status, 400);
  });

  test('needs customers:read, and has no write methods', async () => {
    const t = await server.tenant();
    const brand = await brandOf(t);
    const { token } = await server.createToken(t.tenant.id, ['customers:create']);
    const res = await server.request('GET', '/v1/brands', { token });
    assert.equal(res.status, 403);
    assert.equal(res.body.code, 'insufficient_scope');
    assert.equal((await server.request('GET', `/v1/brands/${brand.id}`, { token })).status, 403);
    assert.equal((await t.post('/v1/brands', { name: 'X' })).status, 405);
  });
});

describe('seed 003: a customer’s brandId', () => {
  test('is set on create, changed and removed (null) by PATCH, recorded on the timeline', async () => {
    const a = await brandOf(client, 'A');
    const b = await brandOf(client, 'B');
    const customer = await client.customer({ brandId: a.id });
    assert.equal(customer.brandId, a.id);
    assert.equal((await customerRow(customer.id)).brand_id, a.id);

    const moved = await client.patch(`/v1/customers/${customer.id}`, { brandId: b.id });
    assert.equal(moved.status, 200, moved.text);
    assert.equal(moved.body.brandId, b.id);
    const cleared = await client.patch(`/v1/customers/${customer.id}`, { brandId: null });
    assert.equal(cleared.status, 200);
    assert.equal(cleared.body.brandId, null);
    assert.equal((await customerRow(customer.id)).brand_id, null);

    const events = await client.get(`/v1/customers/${customer.id}/events`);
    const brandChanges = events.body.data.filter((e: { changes: Record<string, unknown> }) => 'brandId' in e.changes).map((e: { changes: { brandId: unknown } }) => e.changes.brandId);
    assert.deepEqual(brandChanges, [{ from: null, to: a.id }, { from: a.id, to: b.id }, { from: b.id, to: null }]);

    const plain = await client.customer();
    assert.equal(plain.brandId, null, 'no brand unless given');
  });

  test('upsert by externalId sets and keeps it', async () => {
    const brand = await brandOf(client, 'Upsert');
    const externalId = `ext-${Math.random().toString(36).slice(2, 10)}`;
    const created = await client.put(`/v1/customers/by-external-id/${externalId}`, { name: 'Up Sert', brandId: brand.id });
    assert.equal(created.status, 201, created.text);
    assert.equal(created.body.brandId, brand.id);
    const updated = await client.put(`/v1/customers/by-external-id/${externalId}`, { notes: 'again' });
    assert.equal(updated.status, 200);
    assert.equal(updated.body.brandId, brand.id, 'left out: unchanged');
  });

  test('another tenant’s brand, or an unknown one, is a 400 invalid_brand naming brandId, and nothing changes', async () => {
    const other = await server.tenant();
    const foreign = await brandOf(other, 'Foreign');
    const before = await server.countCustomers(client.tenant.id);
    for (const brandId of [foreign.id, 999_999_999]) {
      const res = await client.post('/v1/customers', { name: 'No Brand', brandId });
      assert.equal(res.status, 400, res.text);
      assert.equal(res.body.code, 'validation_failed');
      assert.deepEqual(res.body.errors, [{ field: 'brandId', message: 'must be the id of a brand of this tenant', code: 'invalid_brand' }]);
    }
    assert.equal(await server.countCustomers(client.tenant.id), before, 'nothing created');

    const own = await brandOf(client, 'Own');
    const customer = await client.customer({ brandId: own.id });
    const patch = await client.patch(`/v1/customers/${customer.id}`, { brandId: foreign.id, notes: 'should not stick' });
    assert.equal(patch.status, 400);
    assert.equal(patch.body.errors[0].code, 'invalid_brand');
    const row = await customerRow(customer.id);
    assert.equal(row.brand_id, own.id);
    assert.equal(row.version, customer.version);

    const upsert = await client.put(`/v1/customers/by-external-id/x-${Math.random().toString(36).slice(2, 8)}`, { name: 'Z', brandId: foreign.id });
    assert.equal(upsert.status, 400);
    assert.equal(upsert.body.errors[0].code, 'invalid_brand');
  });

  test('must be an integer: a string or a fraction is a 400', async () => {
    for (const brandId of ['1', 1.5, 0]) {
      const res = await client.post('/v1/customers', { name: 'Typed', brandId });
      assert.equal(res.status, 400);
      assert.equal(res.body.errors[0].field, 'brandId');
    }
  });

  test('lists filter by brandId', async () => {
    const t = await server.tenant();
    const a = await brandOf(t, 'A');
    const b = await brandOf(t, 'B');
    const inA = await t.customer({ brandId: a.id });
    const inB = await t.customer({ brandId: b.id });
    await t.customer();
    const listA = await t.get(`/v1/customers?brandId=${a.id}`);
    assert.equal(listA.status, 200);
    assert.deepEqual(listA.body.data.map((c: { id: string }) => c.id), [inA.id]);
    assert.deepEqual((await t.get(`/v1/customers?brandId=${b.id}`)).body.data.map((c: { id: string }) => c.id), [inB.id]);
    const other = await server.tenant();
    assert.deepEqual((await other.get(`/v1/customers?brandId=${a.id}`)).body.data, [], 'another tenant’s brand filters to nothing');
    assert.equal((await t.get('/v1/customers?brandId=abc')).status, 400);
  });

  test('externalId stays unique in the whole tenant, whatever the brand (documented decision: tenant-wide implies per-brand)', async () => {
    const t = await server.tenant();
    const a = await brandOf(t, 'A');
    const b = await brandOf(t, 'B');
    const first = await t.customer({ brandId: a.id, externalId: 'SAME-1' });
    const second = await t.post('/v1/customers', { name: 'Other Brand', brandId: b.id, externalId: 'SAME-1' });
    assert.equal(second.status, 409);
    assert.equal(second.body.field, 'externalId');
    assert.equal(second.body.existingId, first.id);
  });

  test('a purge keeps the brand on the tombstone (not personal data; seed 003 finds customers by brand and external id)', async () => {
    const brand = await brandOf(client, 'Kept');
    const customer = await client.customer({ brandId: brand.id, externalId: `P-${Math.random().toString(36).slice(2, 8)}` });
    const purged = await client.post(`/v1/customers/${customer.id}/purge`);
    assert.equal(purged.status, 200);
    assert.equal(purged.body.brandId, brand.id);
    assert.equal((await customerRow(customer.id)).brand_id, brand.id);
  });
});

describe('seed 003: the OpenAPI document', () => {
  test('describes /v1 brands and custom fields, the admin brand endpoints and the customer’s brandId', async () => {
    const doc = (await server.request('GET', '/openapi.json')).body;
    assert.ok(doc.paths['/v1/brands'].get && doc.paths['/v1/brands/{brandId}'].get);
    assert.ok(doc.paths['/v1/custom-fields'].get && doc.paths['/v1/custom-fields'].post);
    const one = doc.paths['/v1/custom-fields/{name}'];
    assert.ok(one.get && one.patch && one.delete);
    assert.ok(doc.paths['/admin/v1/tenants/{id}/brands'].post && doc.paths['/admin/v1/tenants/{id}/brands'].get);
    assert.ok(doc.paths['/admin/v1/tenants/{id}/brands/{brandId}'].get && doc.paths['/admin/v1/tenants/{id}/brands/{brandId}'].patch);
    assert.ok(doc.components.schemas.Brand && doc.components.schemas.CustomFieldDefinition);
    assert.ok(doc.components.schemas.Customer.properties.brandId);
    assert.ok(doc.paths['/v1/customers'].get.parameters.some((p: { name: string }) => p.name === 'brandId'));
  });
});
