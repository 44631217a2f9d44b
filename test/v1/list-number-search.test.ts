import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { useServer } from '../helpers.js';

/** /v1 list filters added for seed 003's integer ids and its `search`: `number=` and `search=`. */

const { server } = await useServer();

describe('GET /v1/customers?number= and ?search=', () => {
  test('seed 003: number= finds the customer with that per-tenant number, deleted ones with deleted=include', async () => {
    const t = await server.tenant();
    const a = await t.customer({ name: 'Number One' });
    const b = await t.customer({ name: 'Number Two' });
    const res = await t.get(`/v1/customers?number=${b.number}`);
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body.data.map((c: { id: string }) => c.id), [b.id]);
    assert.equal((await t.delete(`/v1/customers/${a.id}`)).status, 200);
    assert.deepEqual((await t.get(`/v1/customers?number=${a.number}`)).body.data, []);
    assert.equal((await t.get(`/v1/customers?number=${a.number}&deleted=include`)).body.data[0].id, a.id);
    // Numbers are per tenant: another tenant's number 1 is its own customer, never this one.
    const other = await server.tenant();
    assert.deepEqual((await other.get(`/v1/customers?number=${b.number}`)).body.data, []);
    assert.equal((await t.get('/v1/customers?number=0')).status, 400);
    assert.equal((await t.get('/v1/customers?number=abc')).status, 400);
  });

  test('seed 003: search= matches part of the name, the exact externalId, or any channel value in any spelling', async () => {
    const t = await server.tenant();
    const named = await t.customer({ name: 'Marguerite Yourcenar', externalId: 'EXT-77' });
    const phone = await t.customer({ name: 'Albert Camus', phone: '+33 6 12 34 56 78', handles: { twitter: '@Stranger' } });
    const ids = async (q: string) => (await t.get(`/v1/customers?search=${encodeURIComponent(q)}`)).body.data.map((c: { id: string }) => c.id);
    assert.deepEqual(await ids('YOURCEN'), [named.id]);
    assert.deepEqual(await ids('EXT-77'), [named.id]);
    assert.deepEqual(await ids('EXT'), [], 'the externalId matches only whole');
    assert.deepEqual(await ids('+33612345678'), [phone.id]);
    assert.deepEqual(await ids('@stranger'), [phone.id]);
    assert.deepEqual(await ids(named.email.toUpperCase()), [named.id]);
    assert.deepEqual(await ids('nobody'), []);
    assert.equal((await t.get('/v1/customers?search=')).status, 400);
  });
});
