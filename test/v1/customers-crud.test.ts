import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { useServer } from '../helpers.js';

const { server, client } = await useServer();

describe('POST /v1/customers', () => {
  test('creates a customer: 201 with Location, ETag and the normalised record', async () => {
    const res = await client.post('/v1/customers', {
      name: 'Jane Smith',
      email: '  Jane.Smith@Example.COM ',
      phone: '+1 (800) 123-4567',
      customFields: { tier: 'gold' },
    });
    assert.equal(res.status, 201);
    assert.equal(res.headers.get('location'), `/v1/customers/${res.body.id}`);
    assert.equal(res.headers.get('etag'), '"1"');
    assert.equal(res.body.email, 'jane.smith@example.com');
    assert.equal(res.body.phone, '+18001234567');
    assert.equal(res.body.firstName, 'Jane');
    assert.equal(res.body.lastName, 'Smith');
    assert.equal(res.body.type, 'individual');
    assert.equal(res.body.status, 'active');
    assert.equal(res.body.version, 1);
    assert.deepEqual(res.body.customFields, { tier: 'gold' });

    const row = await server.db.selectFrom('customers').selectAll().where('id', '=', res.body.id).executeTakeFirstOrThrow();
    assert.equal(row.tenant_id, client.tenant.id);
    assert.equal(row.name, 'Jane Smith');
    const channels = await server.db.selectFrom('customer_channels').selectAll().where('customer_id', '=', res.body.id).execute();
    assert.deepEqual(channels.map((c) => [c.type, c.normalized, c.is_primary]).sort(), [
      ['email', 'jane.smith@example.com', true],
      ['phone', '+18001234567', true],
    ]);
    const events = await server.db.selectFrom('customer_events').selectAll().where('customer_id', '=', res.body.id).execute();
    assert.equal(events.length, 1);
    assert.equal(events[0]!.type, 'customer.created');
  });

  test('derives name from firstName and lastName', async () => {
    const res = await client.post('/v1/customers', { firstName: 'Ada', lastName: 'Lovelace' });
    assert.equal(res.status, 201);
    assert.equal(res.body.name, 'Ada Lovelace');
  });

  test('rejects unknown and read-only fields with 400 naming them, and stores nothing', async () => {
    const before = await server.db.selectFrom('customers').select((eb) => eb.fn.countAll<number>().as('n')).where('tenant_id', '=', client.tenant.id).executeTakeFirstOrThrow();
    const res = await client.post('/v1/customers', { name: 'X', nickname: 'x', version: 3 });
    assert.equal(res.status, 400);
    assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json/);
    assert.equal(res.body.code, 'validation_failed');
    assert.deepEqual(
      res.body.errors.map((e: { field: string; code: string }) => [e.field, e.code]).sort(),
      [['nickname', 'unknown_field'], ['version', 'read_only']],
    );
    const afterCount = await server.db.selectFrom('customers').select((eb) => eb.fn.countAll<number>().as('n')).where('tenant_id', '=', client.tenant.id).executeTakeFirstOrThrow();
    assert.equal(Number(afterCount.n), Number(before.n));
  });
});
describe('ids', () => {
  const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

  // docs/api.md: a customer's id is a UUIDv7, assigned; src/core/ids.ts makes them.
  test('customer ids are UUIDv7s, in the order the customers were made', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await client.post('/v1/customers', { name: `Ordered ${i}` });
      assert.equal(res.status, 201);
      assert.match(res.body.id, UUID_V7);
      ids.push(res.body.id);
    }
    assert.deepEqual([...ids].sort(), ids);
    assert.equal(new Set(ids).size, ids.length);
  });

  test('a generated X-Request-Id is a UUIDv7, a new one for every request', async () => {
    const a = (await client.get('/v1/customers')).headers.get('x-request-id') ?? '';
    const b = (await client.get('/v1/customers')).headers.get('x-request-id') ?? '';
    assert.match(a, UUID_V7);
    assert.match(b, UUID_V7);
    assert.notEqual(a, b);
  });
});

