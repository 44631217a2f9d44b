import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, test } from 'node:test';
import { useServer, type Res, type TenantClient } from '../helpers.js';

const { server, client } = await useServer();

type Customer = { id: string; createdAt: string; updatedAt: string; [key: string]: unknown };

/** `/v1/customers?…` with every value URL-encoded (a `+` in a phone number must survive). */
function listPath(params: Record<string, string | number> = {}) {
  const qs = new URLSearchParams(Object.entries(params).map(([k, v]): [string, string] => [k, String(v)])).toString();
  return qs ? `/v1/customers?${qs}` : '/v1/customers';
}

async function listIds(c: TenantClient, params: Record<string, string | number> = {}) {
  const res = await c.get(listPath({ limit: 100, ...params }));
  assert.equal(res.status, 200, res.text);
  return (res.body.data as Customer[]).map((x) => x.id).sort();
}

/** Follows nextCursor until the last page; returns the ids in the order the pages gave them. */
async function walk(c: TenantClient, params: Record<string, string | number>) {
  const ids: string[] = [];
  const pageSizes: number[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < 50; page++) {
    const res: Res = await c.get(listPath({ ...params, ...(cursor ? { cursor } : {}) }));
    assert.equal(res.status, 200, res.text);
    ids.push(...(res.body.data as Customer[]).map((x) => x.id));
    pageSizes.push(res.body.data.length);
    if (!res.body.hasMore) {
      assert.equal(res.body.nextCursor, null, 'the last page has no nextCursor');
      return { ids, pageSizes };
    }
    assert.equal(typeof res.body.nextCursor, 'string');
    cursor = res.body.nextCursor;
  }
  throw new Error('pagination did not end');
}

/** Expected order: by the timestamp, ties broken by id, in the given direction. */
function expectedOrder(customers: Customer[], field: 'createdAt' | 'updatedAt', descending: boolean) {
  const sorted = [...customers].sort((a, b) => {
    const ta = Date.parse(a[field]);
    const tb = Date.parse(b[field]);
    if (ta !== tb) return ta - tb;
    return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
  });
  return (descending ? sorted.reverse() : sorted).map((c) => c.id);
}

function assertProblem(res: { status: number; headers: Headers; body: any }, status: number, code: string) {
  assert.equal(res.status, status, JSON.stringify(res.body));
  assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json/);
  assert.equal(res.body.status, status);
  assert.equal(res.body.code, code);
  assert.equal(res.body.requestId, res.headers.get('x-request-id'));
}

describe('GET /v1/customers/:id', () => {
  test('returns the customer with a strong ETag from its version', async () => {
    const created = await client.customer({ name: 'Etag Person' });
    const res = await client.get(`/v1/customers/${created.id}`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('etag'), '"1"');
    assert.deepEqual(res.body, created);
  });

  test('If-None-Match with the current ETag gives 304 with an empty body; another ETag gives 200', async () => {
    const created = await client.customer();
    const path = `/v1/customers/${created.id}`;

    const notModified = await client.get(path, { 'if-none-match': '"1"' });
    assert.equal(notModified.status, 304);
    assert.equal(notModified.text, '');
    assert.equal(notModified.headers.get('etag'), '"1"');

    const listed = await client.get(path, { 'if-none-match': '"7", "1"' });
    assert.equal(listed.status, 304, 'any tag of a list matches');

    const other = await client.get(path, { 'if-none-match': '"2"' });
    assert.equal(other.status, 200);
    assert.equal(other.body.id, created.id);

    const patched = await client.patch(path, { notes: 'changed' });
    assert.equal(patched.status, 200);
    assert.equal(patched.headers.get('etag'), '"2"');
    const stale = await client.get(path, { 'if-none-match': '"1"' });
    assert.equal(stale.status, 200, 'the old ETag no longer matches after a change');
    assert.equal(stale.headers.get('etag'), '"2"');
    assert.equal(stale.body.notes, 'changed');
    const fresh = await client.get(path, { 'if-none-match': '"2"' });
    assert.equal(fresh.status, 304);
  });

  test('an unknown id is a 404 problem', async () => {
    const res = await client.get('/v1/customers/0190a000-0000-7000-8000-000000000000');
    assertProblem(res, 404, 'not_found');
  });
});

describe('GET /v1/customers/by-external-id/:externalId', () => {
  test('finds the customer by its externalId', async () => {
    const created = await client.customer({ externalId: 'crm-000123' });
    const res = await client.get('/v1/customers/by-external-id/crm-000123');
    assert.equal(res.status, 200);
    assert.equal(res.body.id, created.id);
    assert.equal(res.body.externalId, 'crm-000123');
    assert.equal(res.headers.get('etag'), '"1"');
  });

  test('an externalId nobody has is a 404', async () => {
    const res = await client.get('/v1/customers/by-external-id/no-such-external-id');
    assertProblem(res, 404, 'not_found');
  });
});

describe('GET /v1/customers: pagination', async () => {
  // A tenant of its own with 25 customers, created five at a time so that several share a
  // creation millisecond (the id must break those ties), then some updated in another order.
  const t = await server.tenant();
  const created: Customer[] = [];
  for (let batch = 0; batch < 5; batch++) {
    created.push(...(await Promise.all(Array.from({ length: 5 }, (_, i) => t.customer({ name: `Page Person ${batch * 5 + i}` })))));
  }
  for (const c of [created[3]!, created[17]!, created[0]!, created[21]!, created[9]!]) {
    await sleep(2);
    const res = await t.patch(`/v1/customers/${c.id}`, { notes: 'touched' });
    assert.equal(res.status, 200);
  }
  const all: Customer[] = (await t.get(listPath({ limit: 100 }))).body.data;

  test('the default page size is 20, with hasMore and a nextCursor', async () => {
    const res = await t.get('/v1/customers');
    assert.equal(res.status, 200);
    assert.equal(res.body.data.length, 20);
    assert.equal(res.body.hasMore, true);
    assert.equal(typeof res.body.nextCursor, 'string');
  });

  test('limit 1 and limit 100 are accepted; a page holding everything has hasMore false and nextCursor null', async () => {
    const one = await t.get(listPath({ limit: 1 }));
    assert.equal(one.status, 200);
    assert.equal(one.body.data.length, 1);
    assert.equal(one.body.hasMore, true);
    const hundred = await t.get(listPath({ limit: 100 }));
    assert.equal(hundred.status, 200);
    assert.equal(hundred.body.data.length, 25);
    assert.equal(hundred.body.hasMore, false);
    assert.equal(hundred.body.nextCursor, null);
  });

  test('limit 0, limit 101 and a non-integer limit are 400s naming the limit', async () => {
    for (const limit of ['0', '101', 'ten', '2.5']) {
      const res = await t.get(`/v1/customers?limit=${limit}`);
      assertProblem(res, 400, 'validation_failed');
      assert.ok(
        res.body.errors.some((e: { field: string }) => e.field === 'query.limit'),
        `limit=${limit}: ${JSON.stringify(res.body.errors)}`,
      );
    }
  });

  for (const sort of ['-createdAt', 'createdAt', 'updatedAt', '-updatedAt'] as const) {
    test(`sort=${sort}: pages of 10 walk every customer exactly once, in order`, async () => {
      const { ids, pageSizes } = await walk(t, { sort, limit: 10 });
      assert.deepEqual(pageSizes, [10, 10, 5]);
      assert.equal(new Set(ids).size, ids.length, 'no duplicates');
      assert.deepEqual([...ids].sort(), created.map((c) => c.id).sort(), 'every customer, once');
      const field = sort.endsWith('createdAt') ? 'createdAt' : 'updatedAt';
      assert.deepEqual(ids, expectedOrder(all, field, sort.startsWith('-')));
    });
  }

  test('-createdAt is the default order', async () => {
    const res = await t.get(listPath({ limit: 100 }));
    assert.deepEqual(
      res.body.data.map((c: Customer) => c.id),
      expectedOrder(all, 'createdAt', true),
    );
    const { ids } = await walk(t, { limit: 7 });
    assert.deepEqual(ids, expectedOrder(all, 'createdAt', true));
  });

  test('a garbage cursor is a 400 naming the cursor', async () => {
    for (const cursor of ['not-a-cursor', 'eyJmb28iOjF9', '%%%', 'x'.repeat(40)]) {
      const res = await t.get(listPath({ cursor }));
      assertProblem(res, 400, 'validation_failed');
      assert.ok(res.body.errors.some((e: { field: string }) => e.field === 'cursor'), JSON.stringify(res.body));
    }
  });

  test('a cursor issued for another sort order is a 400', async () => {
    const first = await t.get(listPath({ sort: 'createdAt', limit: 5 }));
    assert.equal(first.status, 200);
    const cursor = first.body.nextCursor as string;
    assert.equal((await t.get(listPath({ sort: 'createdAt', limit: 5, cursor }))).status, 200);
    for (const sort of ['-createdAt', 'updatedAt', '-updatedAt']) {
      const res = await t.get(listPath({ sort, limit: 5, cursor }));
      assertProblem(res, 400, 'validation_failed');
      assert.ok(res.body.errors.some((e: { field: string }) => e.field === 'cursor'));
    }
  });

  test('an unknown sort is a 400', async () => {
    const res = await t.get(listPath({ sort: 'name' }));
    assertProblem(res, 400, 'validation_failed');
  });

  test('an unknown query parameter is a 400 naming it', async () => {
    const res = await t.get('/v1/customers?colour=blue');
    assertProblem(res, 400, 'validation_failed');
    assert.deepEqual(
      res.body.errors.map((e: { field: string; code: string }) => [e.field, e.code]),
      [['query.colour', 'unknown_field']],
    );
  });
});

describe('GET /v1/customers: filters', async () => {
  const t = await server.tenant();
  const alice = await t.customer({
    name: 'Alice Adams',
    email: 'alice@example.com',
    additionalEmails: ['Alice.Work@Example.org'],
    phone: '+442079460018',
    externalId: 'ext-alice',
    handles: { twitter: '@AliceTw' },
  });
  await sleep(5);
  const bob = await t.customer({
    name: 'Bob Ltd',
    type: 'business',
    status: 'inactive',
    email: 'bob@example.com',
    whatsapp: '+44 20 7946 0019',
    companyNumber: 'CN-123',
  });
  await sleep(5);
  const carol = await t.customer({ name: 'Carol Clark', status: 'blocked', email: 'carol@example.com', phone: '+1 415 555 0100' });
  const deleted = await t.delete(`/v1/customers/${carol.id}`);
  assert.equal(deleted.status, 200);

  test('status', async () => {
    assert.deepEqual(await listIds(t, { status: 'inactive' }), [bob.id]);
    assert.deepEqual(await listIds(t, { status: 'active' }), [alice.id]);
    assert.deepEqual(await listIds(t, { status: 'suspended' }), []);
    assert.deepEqual(await listIds(t, { status: 'blocked', deleted: 'include' }), [carol.id]);
    assertProblem(await t.get(listPath({ status: 'sleeping' })), 400, 'validation_failed');
  });

  test('type', async () => {
    assert.deepEqual(await listIds(t, { type: 'business' }), [bob.id]);
    assert.deepEqual(await listIds(t, { type: 'individual' }), [alice.id]);
    assertProblem(await t.get(listPath({ type: 'robot' })), 400, 'validation_failed');
  });

  test('email: case-insensitive, and matches additional emails too', async () => {
    assert.deepEqual(await listIds(t, { email: 'ALICE@Example.com' }), [alice.id]);
    assert.deepEqual(await listIds(t, { email: ' alice@example.com ' }), [alice.id]);
    assert.deepEqual(await listIds(t, { email: 'alice.work@EXAMPLE.ORG' }), [alice.id]);
    assert.deepEqual(await listIds(t, { email: 'bob@example.com' }), [bob.id]);
    assert.deepEqual(await listIds(t, { email: 'nobody@example.com' }), []);
  });

  test('phone: any format finds the E.164 number, phones and WhatsApp alike', async () => {
    assert.deepEqual(await listIds(t, { phone: '+44 20 7946 0018' }), [alice.id]);
    assert.deepEqual(await listIds(t, { phone: '+442079460018' }), [alice.id]);
    assert.deepEqual(await listIds(t, { phone: '+44 (20) 7946-0018' }), [alice.id]);
    assert.deepEqual(await listIds(t, { phone: '+44 20 7946 0019' }), [bob.id], 'WhatsApp numbers match');
    assert.deepEqual(await listIds(t, { phone: '+44 20 7946 0099' }), []);
  });

  test('phone: a value that is not a possible number is a 400', async () => {
    const res = await t.get(listPath({ phone: 'abc' }));
    assertProblem(res, 400, 'validation_failed');
    assert.ok(res.body.errors.some((e: { field: string }) => e.field === 'phone'));
  });

  test('channel: an email, a phone number or a handle', async () => {
    assert.deepEqual(await listIds(t, { channel: 'Alice@Example.com' }), [alice.id]);
    assert.deepEqual(await listIds(t, { channel: 'alice.work@example.org' }), [alice.id]);
    assert.deepEqual(await listIds(t, { channel: '+44 20 7946 0018' }), [alice.id]);
    assert.deepEqual(await listIds(t, { channel: '+442079460019' }), [bob.id]);
    assert.deepEqual(await listIds(t, { channel: '@alicetw' }), [alice.id]);
    assert.deepEqual(await listIds(t, { channel: 'AliceTw' }), [alice.id]);
    assert.deepEqual(await listIds(t, { channel: 'nothing-like-this' }), []);
  });

  test('externalId and companyNumber', async () => {
    assert.deepEqual(await listIds(t, { externalId: 'ext-alice' }), [alice.id]);
    assert.deepEqual(await listIds(t, { externalId: 'ext-nobody' }), []);
    assert.deepEqual(await listIds(t, { companyNumber: 'CN-123' }), [bob.id]);
    assert.deepEqual(await listIds(t, { companyNumber: 'CN-999' }), []);
  });

  test('createdAfter and createdBefore are strict bounds', async () => {
    assert.deepEqual(await listIds(t, { createdAfter: alice.createdAt }), [bob.id]);
    assert.deepEqual(await listIds(t, { createdAfter: alice.createdAt, deleted: 'include' }), [bob.id, carol.id].sort());
    assert.deepEqual(await listIds(t, { createdBefore: bob.createdAt }), [alice.id]);
    assert.deepEqual(await listIds(t, { createdAfter: alice.createdAt, createdBefore: carol.createdAt }), [bob.id]);
    const before = new Date(Date.parse(alice.createdAt) - 1).toISOString();
    assert.deepEqual(await listIds(t, { createdAfter: before }), [alice.id, bob.id].sort());
    assertProblem(await t.get(listPath({ createdAfter: 'yesterday' })), 400, 'validation_failed');
  });

  test('updatedAfter is strictly after, and a customer changed later shows up', async () => {
    const everything: Customer[] = (await t.get(listPath({ limit: 100, deleted: 'include' }))).body.data;
    const mark = everything.map((c) => c.updatedAt).sort().at(-1)!;
    assert.deepEqual(await listIds(t, { updatedAfter: mark, deleted: 'include' }), [], 'nothing is strictly after the latest change');

    await sleep(5);
    const patched = await t.patch(`/v1/customers/${alice.id}`, { notes: 'called back' });
    assert.equal(patched.status, 200);
    assert.ok(patched.body.updatedAt > mark);

    assert.deepEqual(await listIds(t, { updatedAfter: mark, sort: 'updatedAt' }), [alice.id]);
    assert.deepEqual(await listIds(t, { updatedAfter: patched.body.updatedAt }), [], 'strictly after');
    assert.deepEqual(await listIds(t, { updatedBefore: patched.body.updatedAt }), [bob.id]);
  });

  test('deleted: exclude (the default), include, only', async () => {
    assert.deepEqual(await listIds(t), [alice.id, bob.id].sort());
    assert.deepEqual(await listIds(t, { deleted: 'exclude' }), [alice.id, bob.id].sort());
    assert.deepEqual(await listIds(t, { deleted: 'include' }), [alice.id, bob.id, carol.id].sort());
    assert.deepEqual(await listIds(t, { deleted: 'only' }), [carol.id]);
    const only = await t.get(listPath({ deleted: 'only' }));
    assert.notEqual(only.body.data[0].deletedAt, null);
    assert.deepEqual(await listIds(t, { email: 'carol@example.com' }), [], 'a deleted customer is not found by a filter either');
    assert.deepEqual(await listIds(t, { email: 'carol@example.com', deleted: 'include' }), [carol.id]);
    assertProblem(await t.get(listPath({ deleted: 'yes' })), 400, 'validation_failed');
  });

  test('filters combine (AND)', async () => {
    assert.deepEqual(await listIds(t, { email: 'alice@example.com', type: 'business' }), []);
    assert.deepEqual(await listIds(t, { email: 'bob@example.com', type: 'business', status: 'inactive' }), [bob.id]);
    assert.deepEqual(await listIds(t, { email: 'alice@example.com', phone: '+44 20 7946 0019' }), []);
  });
});

describe('GET /v1/customers: tenant isolation', async () => {
  const a = await server.tenant();
  const b = await server.tenant();
  const aShared = await a.customer({ email: 'shared@example.com', phone: '+1 212 555 0199', externalId: 'same-ext', companyNumber: 'SAME-1' });
  const aOther = await a.customer();
  const bShared = await b.customer({ email: 'shared@example.com', phone: '+1 212 555 0199', externalId: 'same-ext', companyNumber: 'SAME-1' });
  await a.delete(`/v1/customers/${aOther.id}`);

  test("a list shows only the caller's rows", async () => {
    const bIds = await listIds(b, { deleted: 'include' });
    assert.deepEqual(bIds, [bShared.id]);
    const aIds = await listIds(a, { deleted: 'include' });
    assert.deepEqual(aIds, [aShared.id, aOther.id].sort());
    const rows = await server.db.selectFrom('customers').select(['id', 'tenant_id']).where('id', 'in', [...aIds, ...bIds]).execute();
    for (const row of rows) assert.equal(row.tenant_id, aIds.includes(row.id) ? a.tenant.id : b.tenant.id);
  });

  test("filters matching another tenant's rows still return only the caller's", async () => {
    const filters: Record<string, string>[] = [
      { email: 'shared@example.com' },
      { phone: '+12125550199' },
      { channel: 'shared@example.com' },
      { externalId: 'same-ext' },
      { companyNumber: 'SAME-1' },
    ];
    for (const filter of filters) {
      assert.deepEqual(await listIds(b, filter), [bShared.id], JSON.stringify(filter));
      assert.deepEqual(await listIds(a, filter), [aShared.id], JSON.stringify(filter));
    }
    assert.deepEqual(await listIds(b, { deleted: 'only' }), [], "A's deleted customer is not B's");
  });

  test("the main test tenant's customers never appear in another tenant's pages", async () => {
    const { ids } = await walk(b, { limit: 1, deleted: 'include' });
    assert.deepEqual(ids, [bShared.id]);
  });
});

describe('GET /v1/customers/:id/events', () => {
  test('the timeline, oldest first, paginated with limit and cursor', async () => {
    const created = await client.customer({ name: 'Timeline Person' });
    const path = `/v1/customers/${created.id}`;
    assert.equal((await client.patch(path, { notes: 'first' })).status, 200);
    assert.equal((await client.patch(path, { status: 'inactive' })).status, 200);
    assert.equal((await client.delete(path)).status, 200);
    assert.equal((await client.post(`${path}/restore`)).status, 200);

    const full = await client.get(`${path}/events`);
    assert.equal(full.status, 200);
    assert.equal(full.body.hasMore, false);
    assert.equal(full.body.nextCursor, null);
    const types = full.body.data.map((e: { type: string }) => e.type);
    assert.deepEqual(types, ['customer.created', 'customer.updated', 'customer.updated', 'customer.deleted', 'customer.restored']);
    for (const e of full.body.data) {
      assert.equal(e.customerId, created.id);
      assert.equal(e.actor.type, 'token');
      assert.equal(typeof e.occurredAt, 'string');
    }
    const times = full.body.data.map((e: { occurredAt: string }) => Date.parse(e.occurredAt));
    assert.deepEqual(times, [...times].sort((x, y) => x - y), 'oldest first');
    assert.deepEqual(full.body.data[1].changes.notes, { from: null, to: 'first' });
    assert.deepEqual(full.body.data[2].changes.status, { from: 'active', to: 'inactive' });

    const pages: string[][] = [];
    let cursor: string | null = null;
    do {
      const qs: string = cursor ? `?limit=2&cursor=${encodeURIComponent(cursor)}` : '?limit=2';
      const res = await client.get(`${path}/events${qs}`);
      assert.equal(res.status, 200);
      pages.push(res.body.data.map((e: { id: string }) => e.id));
      cursor = res.body.hasMore ? res.body.nextCursor : null;
      if (!res.body.hasMore) assert.equal(res.body.nextCursor, null);
    } while (cursor);
    assert.deepEqual(pages.map((p) => p.length), [2, 2, 1]);
    assert.deepEqual(pages.flat(), full.body.data.map((e: { id: string }) => e.id));
  });

  test('a deleted customer keeps its timeline', async () => {
    const created = await client.customer();
    await client.delete(`/v1/customers/${created.id}`);
    const res = await client.get(`/v1/customers/${created.id}/events`);
    assert.equal(res.status, 200);
    assert.deepEqual(res.body.data.map((e: { type: string }) => e.type), ['customer.created', 'customer.deleted']);
  });

  test('an unknown id is a 404; a bad limit or cursor is a 400', async () => {
    assertProblem(await client.get('/v1/customers/0190a000-0000-7000-8000-000000000001/events'), 404, 'not_found');
    const created = await client.customer();
    assertProblem(await client.get(`/v1/customers/${created.id}/events?limit=0`), 400, 'validation_failed');
    assertProblem(await client.get(`/v1/customers/${created.id}/events?limit=101`), 400, 'validation_failed');
    assertProblem(await client.get(`/v1/customers/${created.id}/events?cursor=garbage`), 400, 'validation_failed');
    assertProblem(await client.get(`/v1/customers/${created.id}/events?since=now`), 400, 'validation_failed');
  });
});
