import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { useServer } from '../helpers.js';

const { server, client } = await useServer();

describe('/v1/customers/:id/accounts (accounts with addresses; seed 001 needs them)', () => {
  test('creates an account with addresses, lists it, adds and removes an address, deletes it', async () => {
    const customer = await client.customer();
    const created = await client.post(`/v1/customers/${customer.id}/accounts`, {
      name: 'Main wallet',
      addresses: [
        { network: 'ethereum', address: '0x1234567890abcdef' },
        { network: 'ethereum', address: '0x1234567890abcdef' },
      ],
    });
    assert.equal(created.status, 201, created.text);
    assert.equal(created.headers.get('location'), `/v1/customers/${customer.id}/accounts/${created.body.id}`);
    assert.equal(created.body.name, 'Main wallet');
    assert.deepEqual(created.body.addresses.map((a: { address: string }) => a.address), ['0x1234567890abcdef'], 'a repeated address is kept once');

    const added = await client.post(`/v1/customers/${customer.id}/accounts/${created.body.id}/addresses`, { network: 'tron', address: 'TXYZabc' });
    assert.equal(added.status, 201, added.text);
    const duplicate = await client.post(`/v1/customers/${customer.id}/accounts/${created.body.id}/addresses`, { network: 'tron', address: 'TXYZabc' });
    assert.equal(duplicate.status, 409);
    assert.equal(duplicate.body.code, 'duplicate');

    const list = await client.get(`/v1/customers/${customer.id}/accounts`);
    assert.equal(list.status, 200);
    assert.equal(list.body.data.length, 1);
    assert.deepEqual(list.body.data[0].addresses.map((a: { network: string }) => a.network), ['ethereum', 'tron']);
    const addresses = await client.get(`/v1/customers/${customer.id}/accounts/${created.body.id}/addresses`);
    assert.equal(addresses.body.data.length, 2);

    assert.equal((await client.delete(`/v1/customers/${customer.id}/accounts/${created.body.id}/addresses/${added.body.id}`)).status, 204);
    const rows = await server.db.selectFrom('account_addresses').select('address').where('account_id', '=', created.body.id).execute();
    assert.deepEqual(rows.map((r) => r.address), ['0x1234567890abcdef']);

    assert.equal((await client.delete(`/v1/customers/${customer.id}/accounts/${created.body.id}`)).status, 204);
    assert.equal((await client.get(`/v1/customers/${customer.id}/accounts/${created.body.id}`)).status, 404);
    const events = await server.db.selectFrom('customer_events').select('type').where('customer_id', '=', customer.id).orderBy('id').execute();
    assert.deepEqual(events.map((e) => e.type), [
      'customer.created',
      'customer.account_created',
      'customer.account_address_added',
      'customer.account_address_removed',
      'customer.account_deleted',
    ]);
  });

  test('refuses a bad network or an address with spaces (400), and another tenant gets 404', async () => {
    const customer = await client.customer();
    const bad = await client.post(`/v1/customers/${customer.id}/accounts`, { addresses: [{ network: 'Ethereum Main', address: 'a b' }] });
    assert.equal(bad.status, 400);
    assert.deepEqual(bad.body.errors.map((e: { field: string }) => e.field).sort(), ['addresses.0.address', 'addresses.0.network']);
    const other = await server.tenant();
    assert.equal((await other.post(`/v1/customers/${customer.id}/accounts`, {})).status, 404);
    assert.equal((await other.get(`/v1/customers/${customer.id}/accounts`)).status, 404);
    assert.equal(Number((await server.db.selectFrom('customer_accounts').select((eb) => eb.fn.countAll().as('n')).where('customer_id', '=', customer.id).executeTakeFirstOrThrow()).n), 0);
  });

  test('a purge removes the accounts and their addresses', async () => {
    const customer = await client.customer();
    await client.post(`/v1/customers/${customer.id}/accounts`, { addresses: [{ network: 'bitcoin', address: 'bc1qpersonal' }] });
    assert.equal((await client.post(`/v1/customers/${customer.id}/purge`)).status, 200);
    assert.deepEqual(await server.db.selectFrom('customer_accounts').select('id').where('customer_id', '=', customer.id).execute(), []);
    const events = await server.db.selectFrom('customer_events').select('changes').where('customer_id', '=', customer.id).execute();
    assert.doesNotMatch(JSON.stringify(events), /bc1qpersonal/);
  });
});

describe('companyId, category and company numbers', () => {
  test('companyId must name a business customer of the same tenant', async () => {
    const company = await client.customer({ name: 'Acme Ltd', type: 'business', externalId: 'CMP-1' });
    const person = await client.customer({ companyId: company.id, category: 'broker_3pl' });
    assert.equal(person.companyId, company.id);
    assert.equal(person.category, 'broker_3pl');

    const individual = await client.customer();
    const notBusiness = await client.post('/v1/customers', { name: 'X', companyId: individual.id });
    assert.equal(notBusiness.status, 400);
    assert.equal(notBusiness.body.errors[0].field, 'companyId');

    const other = await server.tenant();
    const foreign = await other.post('/v1/customers', { name: 'Y', companyId: company.id });
    assert.equal(foreign.status, 400, 'another tenant’s company is not a company of this tenant');

    const self = await client.patch(`/v1/customers/${company.id}`, { companyId: company.id });
    assert.equal(self.status, 400);
  });

  test('lists filter by category and by part of the name, case-insensitively', async () => {
    const t = await server.tenant();
    const broker = await t.customer({ name: 'Fast Freight Brokers', category: 'broker_3pl', type: 'business' });
    await t.customer({ name: 'Slow Boats' });
    const byCategory = await t.get('/v1/customers?category=broker_3pl');
    assert.deepEqual(byCategory.body.data.map((c: { id: string }) => c.id), [broker.id]);
    const byName = await t.get('/v1/customers?name=FREIGHT');
    assert.deepEqual(byName.body.data.map((c: { id: string }) => c.id), [broker.id]);
    const wildcard = await t.get('/v1/customers?name=%25');
    assert.deepEqual(wildcard.body.data, [], 'a % in the name filter is a literal, not a wildcard');
  });

  for (const placeholder of ['N/A', 'tbd', '-', '0', 'None', 'unknown']) {
    test(`refuses the placeholder company number ${JSON.stringify(placeholder)} (seed 004: "placeholder values are not accepted")`, async () => {
      const res = await client.post('/v1/customers', { name: 'Placeholder Co', companyNumber: placeholder });
      assert.equal(res.status, 400);
      assert.equal(res.body.errors[0].field, 'companyNumber');
      assert.equal(res.body.errors[0].code, 'placeholder');
    });
  }
});

describe('writesDisabled (maintenance)', () => {
  test('every /v1 write answers 503 with Retry-After while reads go on, and nothing changes', async () => {
    const t = await server.tenant();
    const customer = await t.customer();
    assert.equal((await server.admin('PATCH', `/tenants/${t.tenant.id}`, { settings: { writesDisabled: true } })).status, 200);
    const writes = [
      await t.post('/v1/customers', { name: 'Blocked' }),
      await t.patch(`/v1/customers/${customer.id}`, { name: 'Changed' }),
      await t.delete(`/v1/customers/${customer.id}`),
      await t.put('/v1/customers/by-external-id/x-1', { name: 'Upsert' }),
      await t.post(`/v1/customers/${customer.id}/accounts`, {}),
    ];
    for (const res of writes) {
      assert.equal(res.status, 503, res.text);
      assert.equal(res.headers.get('retry-after'), '3600');
      assert.equal(res.body.code, 'writes_disabled');
    }
    assert.equal((await t.get(`/v1/customers/${customer.id}`)).status, 200);
    assert.equal((await t.get('/v1/customers')).body.data.length, 1);
    const row = await server.db.selectFrom('customers').selectAll().where('id', '=', customer.id).executeTakeFirstOrThrow();
    assert.equal(row.version, 1);

    await server.admin('PATCH', `/tenants/${t.tenant.id}`, { settings: { writesDisabled: null } });
    assert.equal((await t.patch(`/v1/customers/${customer.id}`, { name: 'Changed' })).status, 200);
  });
});
