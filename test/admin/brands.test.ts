import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { useServer } from '../helpers.js';

const { server } = await useServer();

const UNKNOWN_TENANT = '01234567-89ab-7def-8123-456789abcdef';

async function brandRow(id: number) {
  return server.db.selectFrom('brands').selectAll().where('id', '=', id).executeTakeFirst();
}

async function brandCount(tenantId: string) {
  const row = await server.db.selectFrom('brands').select((eb) => eb.fn.countAll<number>().as('n')).where('tenant_id', '=', tenantId).executeTakeFirstOrThrow();
  return Number(row.n);
}

describe('seed 003: brands through the admin API (/admin/v1/tenants/{id}/brands)', () => {
  test('POST creates a brand (201, Location): name trimmed, CRM look-up URL and the search switch stored; GET lists and reads it', async () => {
    const tenant = await server.createTenant();
    const created = await server.admin('POST', `/tenants/${tenant.id}/brands`, { name: '  Acme Shoes  ', crmLookupUrl: 'https://crm.example.com/lookup?key=1', searchCustomersByChannel: true });
    assert.equal(created.status, 201, created.text);
    const brand = created.body;
    assert.ok(Number.isSafeInteger(brand.id) && brand.id > 0);
    assert.equal(created.headers.get('location'), `/admin/v1/tenants/${tenant.id}/brands/${brand.id}`);
    assert.deepEqual(
      { name: brand.name, crmLookupUrl: brand.crmLookupUrl, searchCustomersByChannel: brand.searchCustomersByChannel },
      { name: 'Acme Shoes', crmLookupUrl: 'https://crm.example.com/lookup?key=1', searchCustomersByChannel: true },
    );
    assert.deepEqual(Object.keys(brand).sort(), ['createdAt', 'crmLookupUrl', 'id', 'name', 'searchCustomersByChannel', 'updatedAt']);

    const plain = await server.admin('POST', `/tenants/${tenant.id}/brands`, { name: 'Acme Bags' });
    assert.equal(plain.status, 201);
    assert.equal(plain.body.crmLookupUrl, null);
    assert.equal(plain.body.searchCustomersByChannel, false, 'search by channel is off unless asked for');

    const list = await server.admin('GET', `/tenants/${tenant.id}/brands`);
    assert.equal(list.status, 200);
    assert.deepEqual(list.body.data.map((b: { id: number }) => b.id), [brand.id, plain.body.id]);
    const one = await server.admin('GET', `/tenants/${tenant.id}/brands/${brand.id}`);
    assert.equal(one.status, 200);
    assert.deepEqual(one.body, brand);

    const row = await brandRow(brand.id);
    assert.equal(row?.tenant_id, tenant.id);
    assert.equal(row?.name, 'Acme Shoes');
    assert.equal(row?.crm_lookup_url, 'https://crm.example.com/lookup?key=1');
    assert.equal(row?.search_customers_by_channel, true);
  });

  test('PATCH changes any of the three fields; crmLookupUrl null clears it; fields left out are unchanged', async () => {
    const tenant = await server.createTenant();
    const brand = (await server.admin('POST', `/tenants/${tenant.id}/brands`, { name: 'Old', crmLookupUrl: 'http://crm.example.com/a' })).body;
    const renamed = await server.admin('PATCH', `/tenants/${tenant.id}/brands/${brand.id}`, { name: 'New', searchCustomersByChannel: true });
    assert.equal(renamed.status, 200, renamed.text);
    assert.equal(renamed.body.name, 'New');
    assert.equal(renamed.body.crmLookupUrl, 'http://crm.example.com/a', 'left out: unchanged');
    assert.equal(renamed.body.searchCustomersByChannel, true);
    assert.ok(renamed.body.updatedAt >= brand.updatedAt);

    const cleared = await server.admin('PATCH', `/tenants/${tenant.id}/brands/${brand.id}`, { crmLookupUrl: null, searchCustomersByChannel: false });
    assert.equal(cleared.status, 200);
    assert.equal(cleared.body.crmLookupUrl, null);
    assert.equal(cleared.body.searchCustomersByChannel, false);
    assert.equal(cleared.body.name, 'New');
    const row = await brandRow(brand.id);
    assert.equal(row?.crm_lookup_url, null);
    assert.equal(row?.name, 'New');
  });

  const badBodies: [string, Record<string, unknown>, string, string][] = [
    ['a blank name', { name: '   ' }, 'name', 'blank'],
    ['an empty name', { name: '' }, 'name', 'minLength'],
    ['a name over 200 characters', { name: 'x'.repeat(201) }, 'name', 'maxLength'],
    ['an ftp: URL', { name: 'B', crmLookupUrl: 'ftp://crm.example.com/x' }, 'crmLookupUrl', 'invalid_url'],
    ['a javascript: URL', { name: 'B', crmLookupUrl: 'javascript:alert(1)' }, 'crmLookupUrl', 'invalid_url'],
    ['a file: URL', { name: 'B', crmLookupUrl: 'file:///etc/passwd' }, 'crmLookupUrl', 'invalid_url'],
    ['a relative URL', { name: 'B', crmLookupUrl: '/lookup' }, 'crmLookupUrl', 'invalid_url'],
    ['a URL over 2048 characters', { name: 'B', crmLookupUrl: `https://crm.example.com/${'a'.repeat(2030)}` }, 'crmLookupUrl', 'maxLength'],
    ['a non-boolean switch', { name: 'B', searchCustomersByChannel: 'yes' }, 'searchCustomersByChannel', 'type'],
    ['an unknown field', { name: 'B', colour: 'red' }, 'colour', 'unknown_field'],
  ];
  for (const [what, body, field, code] of badBodies) {
    test(`POST with ${what} is a 400 naming ${field}, and stores nothing`, async () => {
      const tenant = await server.createTenant();
      const res = await server.admin('POST', `/tenants/${tenant.id}/brands`, body);
      assert.equal(res.status, 400, res.text);
      assert.equal(res.body.code, 'validation_failed');
      const error = res.body.errors.find((e: { field: string }) => e.field === field);
      assert.ok(error, JSON.stringify(res.body.errors));
      assert.equal(error.code, code);
      assert.equal(await brandCount(tenant.id), 0);
    });
  }

  test('PATCH with a bad URL or a blank name is a 400 naming each, and changes nothing', async () => {
    const tenant = await server.createTenant();
    const brand = (await server.admin('POST', `/tenants/${tenant.id}/brands`, { name: 'Keep', crmLookupUrl: 'https://crm.example.com/' })).body;
    const res = await server.admin('PATCH', `/tenants/${tenant.id}/brands/${brand.id}`, { name: ' ', crmLookupUrl: 'gopher://crm.example.com/' });
    assert.equal(res.status, 400);
    assert.deepEqual(res.body.errors.map((e: { field: string }) => e.field).sort(), ['crmLookupUrl', 'name']);
    const row = await brandRow(brand.id);
    assert.equal(row?.name, 'Keep');
    assert.equal(row?.crm_lookup_url, 'https://crm.example.com/');
    assert.equal(row?.updated_at.toISOString(), brand.updatedAt);
  });

  test('an unknown tenant is a 404 for create and list; an unknown brand id a 404 for get and patch', async () => {
    for (const [method, path, body] of [
      ['POST', `/tenants/${UNKNOWN_TENANT}/brands`, { name: 'X' }],
      ['GET', `/tenants/${UNKNOWN_TENANT}/brands`, undefined],
      ['GET', `/tenants/${UNKNOWN_TENANT}/brands/1`, undefined],
    ] as const) {
      const res = await server.admin(method, path, body);
      assert.equal(res.status, 404, `${method} ${path}: ${res.text}`);
      assert.equal(res.body.code, 'not_found');
    }
    const created = await server.admin('POST', `/tenants/${UNKNOWN_TENANT}/brands`, { name: 'X' });
    assert.match(created.body.detail, /Tenant/);
    const tenant = await server.createTenant();
    assert.equal((await server.admin('GET', `/tenants/${tenant.id}/brands`)).body.data.length, 0, 'a tenant without brands lists none');
    assert.equal((await server.admin('GET', `/tenants/${tenant.id}/brands/999999999`)).status, 404);
    assert.equal((await server.admin('PATCH', `/tenants/${tenant.id}/brands/999999999`, { name: 'Y' })).status, 404);
    const notAnId = await server.admin('GET', `/tenants/${tenant.id}/brands/abc`);
    assert.equal(notAnId.status, 400);
  });

  test('another tenant’s brand id answers like an unknown one (404) and is left unchanged; brand ids never repeat across tenants', async () => {
    const a = await server.createTenant();
    const b = await server.createTenant();
    const brandA = (await server.admin('POST', `/tenants/${a.id}/brands`, { name: 'A brand' })).body;
    const brandB = (await server.admin('POST', `/tenants/${b.id}/brands`, { name: 'B brand' })).body;
    assert.notEqual(brandA.id, brandB.id);
    const get = await server.admin('GET', `/tenants/${b.id}/brands/${brandA.id}`);
    assert.equal(get.status, 404);
    assert.equal(get.body.detail, 'Brand not found.');
    assert.equal((await server.admin('PATCH', `/tenants/${b.id}/brands/${brandA.id}`, { name: 'Hijacked' })).status, 404);
    assert.equal((await brandRow(brandA.id))?.name, 'A brand');
    assert.deepEqual((await server.admin('GET', `/tenants/${b.id}/brands`)).body.data.map((x: { id: number }) => x.id), [brandB.id]);
  });

  test('the brand endpoints need the admin token', async () => {
    const tenant = await server.createTenant();
    const client = await server.tenant();
    assert.equal((await server.request('GET', `/admin/v1/tenants/${tenant.id}/brands`)).status, 401);
    assert.equal((await server.request('POST', `/admin/v1/tenants/${tenant.id}/brands`, { token: client.token, body: { name: 'X' } })).status, 401);
    assert.equal(await brandCount(tenant.id), 0);
  });
});
