import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { useServer } from '../helpers.js';

/**
 * surfaces.md: "A customer created through one surface is visible, with the same data,
 * through every other surface and /v1." One customer is written through each surface and
 * read back through all the others.
 */
const { client } = await useServer();

interface Seen {
  v1: any;
  s000: any;
  s001: any;
  s004: any;
}

async function readEverywhere(id: string): Promise<Seen> {
  const [v1, s000, s001, s004] = await Promise.all([
    client.get(`/v1/customers/${id}`),
    client.get(`/api/external/v1/customers/${id}`),
    client.get(`/customers/${id}`),
    client.get(`/api/p/v1.0/customers/${id}`),
  ]);
  for (const [name, res] of Object.entries({ v1, s000, s001, s004 })) assert.equal(res.status, 200, `${name}: ${res.text}`);
  return { v1: v1.body, s000: s000.body, s001: s001.body, s004: s004.body };
}

function assertSameCustomer(seen: Seen, expected: { id: string; name: string; email: string; externalId: string | null }) {
  assert.equal(seen.v1.id, expected.id);
  assert.equal(seen.v1.name, expected.name);
  assert.equal(seen.v1.email, expected.email);
  assert.equal(seen.s000.id, expected.id);
  assert.equal(seen.s000._id, expected.id);
  assert.equal(seen.s000.name, expected.name);
  assert.equal(seen.s000.email, expected.email);
  assert.equal(seen.s001.id, expected.id);
  assert.equal(seen.s001.externalId, expected.externalId);
  assert.equal(seen.s001.createdAt, seen.v1.createdAt);
  assert.equal(seen.s004.Id, expected.id);
  assert.equal(seen.s004.Name, expected.name);
  assert.deepEqual(seen.s004.Email, [expected.email]);
  assert.equal(seen.s004.ExternalId, expected.externalId);
}

describe('every surface reads what every other wrote (surfaces.md: one core)', () => {
  test('seed 000 → /v1, 001, 004', async () => {
    const res = await client.post('/api/external/v1/customers', { name: 'Zero Writer', email: 'zero@example.com', type: 'individual' });
    assert.equal(res.status, 201, res.text);
    const seen = await readEverywhere(res.body.id);
    assertSameCustomer(seen, { id: res.body.id, name: 'Zero Writer', email: 'zero@example.com', externalId: null });
    assert.equal(seen.s001.status, 'active');
    assert.equal(seen.s004.Status, 'Active');
  });

  test('seed 001 → /v1, 000, 004', async () => {
    const res = await client.post('/customers', { externalId: 'one-writer', status: 'inactive' });
    assert.equal(res.status, 201, res.text);
    const seen = await readEverywhere(res.body.id);
    assert.equal(seen.v1.externalId, 'one-writer');
    assert.equal(seen.v1.status, 'inactive');
    assert.equal(seen.s000.status, 'inactive');
    assert.equal(seen.s004.ExternalId, 'one-writer');
    assert.equal(seen.s004.Status, 'Inactive');
  });

  test('seed 002 → /v1, 000, 001, 004', async () => {
    const res = await client.post('/external/v1/external/v1/customers', { name: 'Two Writer', email: 'two@example.com', source: 'web', whatsapp_number: '2348000000000' });
    assert.equal(res.status, 201, res.text);
    const seen = await readEverywhere(res.body.customer_id);
    assertSameCustomer(seen, { id: res.body.customer_id, name: 'Two Writer', email: 'two@example.com', externalId: null });
    assert.equal(seen.v1.number, res.body.id);
    assert.equal(seen.v1.source, 'web');
    assert.equal(seen.v1.whatsapp, '+2348000000000');
  });

  test('seed 004 → /v1, 000, 001', async () => {
    const res = await client.post('/api/p/v1.0/customers', { Name: 'Four Writer Inc', Type: 'Broker/3PL', ExternalId: 'four-writer', Email: ['four@example.com'], BillingAddress: { Zip: '10001' } });
    assert.equal(res.status, 201, res.text);
    const seen = await readEverywhere(res.body.Id);
    assertSameCustomer(seen, { id: res.body.Id, name: 'Four Writer Inc', email: 'four@example.com', externalId: 'four-writer' });
    assert.equal(seen.v1.category, 'broker_3pl');
    assert.equal(seen.v1.billingAddress.postalCode, '10001');
    assert.equal(seen.s001.status, 'active');
  });

  test('seed 003 → /v1, 000, 001, 004, and the others → seed 003', async () => {
    const apikey = { apikey: client.token };
    const res = await client.request('POST', '/api/v2/customer', {
      raw: new URLSearchParams({ firstname: 'Three', lastname: 'Writer', primary_id: 'three-writer', extra_email: 'three@example.com', custom_origin: 'seed003', noSync: 'true' }).toString(),
      contentType: 'application/x-www-form-urlencoded',
      headers: apikey,
    });
    assert.equal(res.status, 201, res.text);
    const found = await client.get(`/v1/customers?number=${res.body.id}`);
    const id = found.body.data[0].id as string;
    const seen = await readEverywhere(id);
    assertSameCustomer(seen, { id, name: 'Three Writer', email: 'three@example.com', externalId: 'three-writer' });
    assert.equal(seen.v1.firstName, 'Three');
    assert.deepEqual(seen.v1.customFields, { origin: 'seed003' });

    // What another surface wrote, read back through seed 003 by the customer's number.
    const four = await client.post('/api/p/v1.0/customers', { Name: 'Jo Fourwriter', Type: 'Customer', ExternalId: 'four-for-three', Phone: ['+31612340000'] });
    assert.equal(four.status, 201, four.text);
    const number = (await client.get(`/v1/customers/${four.body.Id}`)).body.number;
    const item = await client.request('GET', `/api/v2/customer/${number}`, { headers: apikey });
    assert.equal(item.status, 200, item.text);
    assert.equal(item.body.external_primary_id, 'four-for-three');
    assert.equal(item.body.firstname, 'Jo');
    assert.equal(item.body.lastname, 'Fourwriter');
    assert.deepEqual(item.body.channels.map((c: { channel: string; value: string }) => [c.channel, c.value]), [['telephone', '+31612340000']]);
  });

  test('a delete through one surface is seen by all: 004 Inactive, 001 deleted, 000 gone, /v1 deletedAt', async () => {
    const created = await client.customer({ name: 'Soon Gone', email: 'gone@example.com' });
    const del = await client.delete(`/api/p/v1.0/customers/${created.id}`, { 'if-match': '"1"' });
    assert.equal(del.status, 204, del.text);
    assert.ok((await client.get(`/v1/customers/${created.id}`)).body.deletedAt);
    assert.equal((await client.get(`/customers/${created.id}`)).body.status, 'deleted');
    assert.equal((await client.get(`/api/p/v1.0/customers/${created.id}`)).body.Status, 'Inactive');
    assert.equal((await client.get(`/api/external/v1/customers/${created.id}`)).status, 404);
  });
});
