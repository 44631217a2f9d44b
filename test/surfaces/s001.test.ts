import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { runDocExamples } from '../doc-examples.js';
import { TenantClient, useServer, type RequestOptions, type Res } from '../helpers.js';

/**
 * Seed 001 ("Customer Service" with blockchain accounts) at /customers, built from the seed
 * text (../shared/seeds/001_…txt) and docs/surfaces/001.md.
 */

const { server, client } = await useServer();

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const UNKNOWN_ID = '0190c8a0-0000-7000-8000-000000000000';
const SEED_EXAMPLE_ID = 'c1d2e3f4-5678-90ab-cdef-1234567890ab';

let seq = 0;
const ext = (label = 'ext') => `${label}-${Date.now().toString(36)}-${++seq}`;

/** A request to seed 001's surface with the tenant's all-scopes token (unless `token` says otherwise). */
function call(method: string, path: string, options: RequestOptions & { as?: TenantClient } = {}): Promise<Res> {
  const { as = client, ...rest } = options;
  return server.request(method, `/customers${path}`, { token: as.token, ...rest });
}

async function create(body: Record<string, unknown>, as: TenantClient = client) {
  const res = await call('POST', '', { body, as });
  assert.equal(res.status, 201, res.text);
  return res.body as { id: string; externalId: string; status: string; createdAt: string };
}

/** The seed's customer shape, exactly. */
function assertCustomer(body: unknown) {
  const c = body as Record<string, unknown>;
  assert.deepEqual(Object.keys(c).sort(), ['createdAt', 'externalId', 'id', 'status']);
  assert.match(String(c.id), UUID);
  assert.ok(c.externalId === null || typeof c.externalId === 'string');
  assert.ok(['active', 'inactive', 'deleted', 'suspended'].includes(String(c.status)));
  assert.match(String(c.createdAt), ISO);
}

/** The seed's error body, exactly: {"error": {code, message, details: [{field, message}]}}. */
function assertError(res: Res, status: number, code: string) {
  assert.equal(res.status, status, res.text);
  assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
  assert.deepEqual(Object.keys(res.body), ['error']);
  assert.deepEqual(Object.keys(res.body.error).sort(), ['code', 'details', 'message']);
  assert.equal(res.body.error.code, code);
  assert.equal(typeof res.body.error.message, 'string');
  assert.ok(res.body.error.message.length > 0);
  assert.ok(Array.isArray(res.body.error.details));
  for (const d of res.body.error.details) {
    assert.deepEqual(Object.keys(d).sort(), ['field', 'message']);
    assert.equal(typeof d.field, 'string');
    assert.equal(typeof d.message, 'string');
  }
  return res.body.error as { code: string; message: string; details: { field: string; message: string }[] };
}

const fields = (res: Res) => (res.body.error.details as { field: string }[]).map((d) => d.field).sort();

async function row(id: string) {
  return server.db.selectFrom('customers').selectAll().where('id', '=', id).executeTakeFirst();
}

async function countOf(tenantId: string) {
  const r = await server.db.selectFrom('customers').select((eb) => eb.fn.countAll<number>().as('n')).where('tenant_id', '=', tenantId).executeTakeFirstOrThrow();
  return Number(r.n);
}

async function eventTypes(id: string) {
  const rows = await server.db.selectFrom('customer_events').select(['type']).where('customer_id', '=', id).orderBy('id').execute();
  return rows.map((r) => r.type);
}

async function tokenWith(scopes: string[], tenant = client) {
  const { token } = await server.createToken(tenant.tenant.id, scopes);
  return new TenantClient(server, tenant.tenant, token);
}

describe('seed 001 › POST /customers', () => {
  test("seed 001 › POST /customers › the seed's example request, sent as written, → 201 with {id, externalId, status, createdAt}", async () => {
    const fresh = await server.tenant();
    const res = await server.request('POST', '/customers', { token: fresh.token, raw: '{\n"externalId": "customer-external-id-123",\n"status": "active"\n}' });
    assert.equal(res.status, 201, res.text);
    assertCustomer(res.body);
    assert.equal(res.body.externalId, 'customer-external-id-123');
    assert.equal(res.body.status, 'active');
    assert.equal(res.headers.get('location'), `/customers/${res.body.id}`);
    assert.equal(res.headers.get('etag'), '"1"');

    const stored = await row(res.body.id);
    assert.ok(stored);
    assert.equal(stored.tenant_id, fresh.tenant.id);
    assert.equal(stored.external_id, 'customer-external-id-123');
    assert.equal(stored.status, 'active');
    assert.equal(stored.deleted_at, null);
    assert.equal(stored.created_at.toISOString(), res.body.createdAt);
    assert.deepEqual(await eventTypes(res.body.id), ['customer.created']);
  });

  test('seed 001 › POST /customers › status active, inactive and suspended are stored as the core status', async () => {
    for (const status of ['active', 'inactive', 'suspended']) {
      const created = await create({ externalId: ext(status), status });
      assert.equal(created.status, status);
      const stored = await row(created.id);
      assert.equal(stored?.status, status);
      assert.equal(stored?.deleted_at, null);
    }
  });

  test('seed 001 › POST /customers › status deleted creates the customer soft-deleted (core deletedAt), still readable and listed', async () => {
    const created = await create({ externalId: ext('born-deleted'), status: 'deleted' });
    assert.equal(created.status, 'deleted');
    const stored = await row(created.id);
    assert.ok(stored?.deleted_at instanceof Date);
    assert.equal(stored?.status, 'active');
    assert.deepEqual(await eventTypes(created.id), ['customer.created', 'customer.deleted']);

    const v1 = await client.get(`/v1/customers/${created.id}`);
    assert.equal(v1.status, 200);
    assert.notEqual(v1.body.deletedAt, null);

    const got = await call('GET', `/${created.id}`);
    assert.equal(got.status, 200);
    assert.equal(got.body.status, 'deleted');
    const list = await call('GET', '?limit=1000');
    assert.ok(list.body.some((c: { id: string; status: string }) => c.id === created.id && c.status === 'deleted'));
  });

  test('seed 001 › POST /customers › 400 VALIDATION_ERROR listing each missing field in details, nothing stored', async () => {
    const before = await countOf(client.tenant.id);
    const res = await call('POST', '', { body: {} });
    const error = assertError(res, 400, 'VALIDATION_ERROR');
    assert.deepEqual(fields(res), ['externalId', 'status']);
    assert.ok(error.details.every((d) => d.message === 'is required'));
    assert.equal(await countOf(client.tenant.id), before);
  });

  test('seed 001 › POST /customers › 400 when status is not one of active, inactive, deleted, suspended', async () => {
    for (const status of ['archived', 'ACTIVE', 'blocked', '', 1, null]) {
      const res = await call('POST', '', { body: { externalId: ext(), status } });
      assertError(res, 400, 'VALIDATION_ERROR');
      assert.deepEqual(fields(res), ['status'], `status ${JSON.stringify(status)}`);
    }
  });

  test('seed 001 › POST /customers › 400 when externalId is not a string of 1 to 100 characters (or blank)', async () => {
    const before = await countOf(client.tenant.id);
    for (const externalId of [42, null, true, '', '   ', 'x'.repeat(101), ['a']]) {
      const res = await call('POST', '', { body: { externalId, status: 'active' } });
      assertError(res, 400, 'VALIDATION_ERROR');
      assert.deepEqual(fields(res), ['externalId'], `externalId ${JSON.stringify(externalId)}`);
    }
    assert.equal(await countOf(client.tenant.id), before);
    const longest = 'y'.repeat(95) + String(Date.now()).slice(-5);
    assert.equal((await create({ externalId: longest, status: 'active' })).externalId, longest);
  });

  test('seed 001 › POST /customers › externalId is trimmed as the core stores it', async () => {
    const id = ext('trim');
    const created = await create({ externalId: `  ${id} `, status: 'active' });
    assert.equal(created.externalId, id);
  });

  test('seed 001 › POST /customers › 400 for a field the seed does not define, and for a body that is not an object', async () => {
    const res = await call('POST', '', { body: { externalId: ext(), status: 'active', name: 'Jane' } });
    assertError(res, 400, 'VALIDATION_ERROR');
    assert.deepEqual(fields(res), ['name']);
    for (const body of [[], 'text', 7]) {
      assertError(await call('POST', '', { body }), 400, 'VALIDATION_ERROR');
    }
  });

  test('seed 001 › POST /customers › 400 INVALID_JSON for malformed JSON, 415 for a non-JSON content type', async () => {
    assertError(await call('POST', '', { raw: '{"externalId": "x", ' }), 400, 'INVALID_JSON');
    assertError(await call('POST', '', { raw: 'externalId=x&status=active', contentType: 'application/x-www-form-urlencoded' }), 415, 'UNSUPPORTED_MEDIA_TYPE');
  });

  test('seed 001 › POST /customers › 409 CONFLICT on a duplicate externalId (deleted holders included), one row stored', async () => {
    const externalId = ext('dup');
    const first = await create({ externalId, status: 'active' });
    const res = await call('POST', '', { body: { externalId, status: 'inactive' } });
    assertError(res, 409, 'CONFLICT');
    assert.deepEqual(fields(res), ['externalId']);
    const rows = await server.db.selectFrom('customers').select('id').where('tenant_id', '=', client.tenant.id).where('external_id', '=', externalId).execute();
    assert.deepEqual(rows.map((r) => r.id), [first.id]);

    const deletedHolder = ext('dup-deleted');
    await create({ externalId: deletedHolder, status: 'deleted' });
    assertError(await call('POST', '', { body: { externalId: deletedHolder, status: 'active' } }), 409, 'CONFLICT');
  });

  test('seed 001 › POST /customers › the same externalId in another tenant is no conflict', async () => {
    const externalId = ext('shared');
    const other = await server.tenant();
    await create({ externalId, status: 'active' });
    const theirs = await create({ externalId, status: 'active' }, other);
    assert.equal(theirs.externalId, externalId);
  });
});

describe('seed 001 › GET /customers', () => {
  test('seed 001 › GET /customers › a bare array of customers in the seed shape, deleted ones included, oldest first, only the tenant’s', async () => {
    const tenant = await server.tenant();
    const other = await server.tenant();
    await create({ externalId: 'not-mine', status: 'active' }, other);
    const a = await create({ externalId: 'a', status: 'active' }, tenant);
    const b = await create({ externalId: 'b', status: 'deleted' }, tenant);
    const c = await create({ externalId: 'c', status: 'suspended' }, tenant);
    const res = await call('GET', '', { as: tenant });
    assert.equal(res.status, 200);
    assert.ok(Array.isArray(res.body));
    res.body.forEach(assertCustomer);
    assert.deepEqual(res.body, [a, b, c]);
    assert.equal(res.headers.get('link'), null);
  });

  test('seed 001 › GET /customers › default cap of 100 with a Link header to the next page; limit/offset walk every customer once', async () => {
    const tenant = await server.tenant();
    const ids: string[] = [];
    for (let batch = 0; batch < 101; batch += 20) {
      const created = await Promise.all(
        Array.from({ length: Math.min(20, 101 - batch) }, (_, i) => create({ externalId: `bulk-${batch + i}`, status: 'active' }, tenant)),
      );
      ids.push(...created.map((c) => c.id));
    }
    const first = await call('GET', '', { as: tenant });
    assert.equal(first.status, 200);
    assert.equal(first.body.length, 100);
    assert.equal(first.headers.get('link'), '</customers?limit=100&offset=100>; rel="next"');

    const seen: string[] = [];
    let next: string | null = '/customers?limit=30';
    while (next) {
      const page: Res = await server.request('GET', next, { token: tenant.token });
      assert.equal(page.status, 200);
      assert.ok(page.body.length <= 30);
      seen.push(...page.body.map((c: { id: string }) => c.id));
      next = /^<([^>]+)>; rel="next"$/.exec(page.headers.get('link') ?? '')?.[1] ?? null;
    }
    assert.deepEqual([...seen].sort(), [...ids].sort());
    assert.equal(new Set(seen).size, 101);

    const last = await call('GET', '?limit=50&offset=100', { as: tenant });
    assert.equal(last.body.length, 1);
    assert.equal(last.headers.get('link'), null);
  });

  test('seed 001 › GET /customers › 400 VALIDATION_ERROR for a bad limit or offset; unknown query parameters are ignored', async () => {
    for (const [query, field] of [['limit=0', 'limit'], ['limit=1001', 'limit'], ['limit=abc', 'limit'], ['offset=-1', 'offset'], ['offset=1.5', 'offset']]) {
      const res = await call('GET', `?${query}`);
      assertError(res, 400, 'VALIDATION_ERROR');
      assert.deepEqual(fields(res), [field], query);
    }
    const res = await call('GET', '?foo=bar&limit=1000');
    assert.equal(res.status, 200);
    assert.ok(Array.isArray(res.body));
  });
});

describe('seed 001 › GET /customers/:id', () => {
  test('seed 001 › GET /customers/:id › 200 with the customer in the seed shape and an ETag', async () => {
    const created = await create({ externalId: ext(), status: 'inactive' });
    const res = await call('GET', `/${created.id}`);
    assert.equal(res.status, 200);
    assertCustomer(res.body);
    assert.deepEqual(res.body, created);
    assert.equal(res.headers.get('etag'), '"1"');
    assert.equal((await call('GET', `/${created.id.toUpperCase()}`)).status, 200);
  });

  test('seed 001 › GET /customers/:id › 400 INVALID_ID when :id is not a UUID, before any look-up', async () => {
    for (const id of ['not-a-uuid', '123', `urn:uuid:${UNKNOWN_ID}`, `{${UNKNOWN_ID}}`, UNKNOWN_ID.replace(/-/g, ''), `${UNKNOWN_ID}0`]) {
      const res = await call('GET', `/${encodeURIComponent(id)}`);
      const error = assertError(res, 400, 'INVALID_ID');
      assert.deepEqual(error.details, [{ field: 'id', message: 'must be a UUID' }], id);
    }
  });

  test("seed 001 › GET /customers/:id › 404 NOT_FOUND for an unknown UUID (the seed's example id too)", async () => {
    assertError(await call('GET', `/${UNKNOWN_ID}`), 404, 'NOT_FOUND');
    assertError(await call('GET', `/${SEED_EXAMPLE_ID}`), 404, 'NOT_FOUND');
  });

  test("seed 001 › GET /customers/:id › another tenant's id is answered exactly like an unknown id", async () => {
    const other = await server.tenant();
    const theirs = await create({ externalId: ext(), status: 'active' }, other);
    const res = await call('GET', `/${theirs.id}`);
    const unknown = await call('GET', `/${UNKNOWN_ID}`);
    assertError(res, 404, 'NOT_FOUND');
    assert.deepEqual(res.body, unknown.body);
  });

  test("seed 001 › GET /customers/:id › the core's blocked status reads as suspended", async () => {
    const v1 = await client.customer({ externalId: ext('blocked'), status: 'blocked' });
    const res = await call('GET', `/${v1.id}`);
    assert.equal(res.status, 200);
    assert.equal(res.body.status, 'suspended');
  });
});

describe('seed 001 › PUT /customers/:id', () => {
  test("seed 001 › PUT /customers/:id › the seed's example request → 200 with the updated customer, stored in the core", async () => {
    const created = await create({ externalId: ext(), status: 'inactive' });
    const res = await call('PUT', `/${created.id}`, { raw: '{\n"status": "active"\n}' });
    assert.equal(res.status, 200, res.text);
    assertCustomer(res.body);
    assert.deepEqual(res.body, { ...created, status: 'active' });
    assert.equal(res.headers.get('etag'), '"2"');
    const stored = await row(created.id);
    assert.equal(stored?.status, 'active');
    assert.equal(stored?.version, 2);
    assert.deepEqual(await eventTypes(created.id), ['customer.created', 'customer.updated']);
  });

  test('seed 001 › PUT /customers/:id › moves between active, inactive and suspended', async () => {
    const created = await create({ externalId: ext(), status: 'active' });
    for (const status of ['inactive', 'suspended', 'active', 'suspended']) {
      const res = await call('PUT', `/${created.id}`, { body: { status } });
      assert.equal(res.status, 200);
      assert.equal(res.body.status, status);
      assert.equal((await row(created.id))?.status, status);
    }
  });

  test('seed 001 › PUT /customers/:id › status deleted is the core soft delete: still readable and listed as deleted', async () => {
    const created = await create({ externalId: ext(), status: 'suspended' });
    const res = await call('PUT', `/${created.id}`, { body: { status: 'deleted' } });
    assert.equal(res.status, 200);
    assert.equal(res.body.status, 'deleted');
    const stored = await row(created.id);
    assert.ok(stored?.deleted_at instanceof Date);
    assert.equal(stored?.status, 'suspended');
    assert.deepEqual(await eventTypes(created.id), ['customer.created', 'customer.deleted']);
    assert.equal((await call('GET', `/${created.id}`)).body.status, 'deleted');
    assert.notEqual((await client.get(`/v1/customers/${created.id}`)).body.deletedAt, null);
  });

  test('seed 001 › PUT /customers/:id › from deleted to another status restores the customer, then sets the status', async () => {
    const created = await create({ externalId: ext(), status: 'deleted' });
    const res = await call('PUT', `/${created.id}`, { body: { status: 'inactive' } });
    assert.equal(res.status, 200);
    assert.equal(res.body.status, 'inactive');
    const stored = await row(created.id);
    assert.equal(stored?.deleted_at, null);
    assert.equal(stored?.status, 'inactive');
    assert.deepEqual(await eventTypes(created.id), ['customer.created', 'customer.deleted', 'customer.restored', 'customer.updated']);
    const v1 = await client.get(`/v1/customers/${created.id}`);
    assert.equal(v1.body.deletedAt, null);
    assert.equal(v1.body.status, 'inactive');
  });

  test('seed 001 › PUT /customers/:id › from deleted to the status the core already has is a restore alone', async () => {
    const created = await create({ externalId: ext(), status: 'deleted' });
    const res = await call('PUT', `/${created.id}`, { body: { status: 'active' } });
    assert.equal(res.status, 200);
    assert.equal(res.body.status, 'active');
    assert.deepEqual(await eventTypes(created.id), ['customer.created', 'customer.deleted', 'customer.restored']);
  });

  test('seed 001 › PUT /customers/:id › two concurrent requests making the same change both succeed', async () => {
    const dead = await create({ externalId: ext(), status: 'deleted' });
    const restores = await Promise.all([1, 2].map(() => call('PUT', `/${dead.id}`, { body: { status: 'inactive' } })));
    assert.deepEqual(restores.map((r) => [r.status, r.body.status]), [[200, 'inactive'], [200, 'inactive']]);
    const live = await create({ externalId: ext(), status: 'active' });
    const deletes = await Promise.all([1, 2].map(() => call('PUT', `/${live.id}`, { body: { status: 'deleted' } })));
    assert.deepEqual(deletes.map((r) => [r.status, r.body.status]), [[200, 'deleted'], [200, 'deleted']]);
    assert.equal((await eventTypes(live.id)).filter((t) => t === 'customer.deleted').length, 1);
  });

  test('seed 001 › PUT /customers/:id › the status it already has → 200 and nothing written (deleted included)', async () => {
    for (const status of ['active', 'deleted']) {
      const created = await create({ externalId: ext(), status });
      const res = await call('PUT', `/${created.id}`, { body: { status } });
      assert.equal(res.status, 200);
      assert.deepEqual(res.body, created);
      assert.equal((await row(created.id))?.version, 1);
    }
  });

  test('seed 001 › PUT /customers/:id › suspended on a customer the core has as blocked leaves it blocked', async () => {
    const v1 = await client.customer({ externalId: ext('blocked'), status: 'blocked' });
    const res = await call('PUT', `/${v1.id}`, { body: { status: 'suspended' } });
    assert.equal(res.status, 200);
    assert.equal(res.body.status, 'suspended');
    const stored = await row(v1.id);
    assert.equal(stored?.status, 'blocked');
    assert.equal(stored?.version, 1);
  });

  test('seed 001 › PUT /customers/:id › 400 VALIDATION_ERROR for a missing or unknown status or any other field; nothing changes', async () => {
    const created = await create({ externalId: ext(), status: 'active' });
    const cases: [unknown, string[]][] = [
      [{}, ['status']],
      [{ status: 'closed' }, ['status']],
      [{ status: null }, ['status']],
      [{ status: 'inactive', externalId: 'new' }, ['externalId']],
      [[], ['body']],
    ];
    for (const [body, expected] of cases) {
      const res = await call('PUT', `/${created.id}`, { body });
      assertError(res, 400, 'VALIDATION_ERROR');
      assert.deepEqual(fields(res), expected, JSON.stringify(body));
    }
    assertError(await call('PUT', `/${created.id}`, { raw: '{"status": ' }), 400, 'INVALID_JSON');
    const stored = await row(created.id);
    assert.equal(stored?.status, 'active');
    assert.equal(stored?.version, 1);
  });

  test('seed 001 › PUT /customers/:id › 400 INVALID_ID when :id is not a UUID, before any look-up', async () => {
    assertError(await call('PUT', '/not-a-uuid', { body: { status: 'active' } }), 400, 'INVALID_ID');
  });

  test("seed 001 › PUT /customers/:id › 404 NOT_FOUND for an unknown id and for another tenant's, which stays unchanged", async () => {
    assertError(await call('PUT', `/${UNKNOWN_ID}`, { body: { status: 'active' } }), 404, 'NOT_FOUND');
    const other = await server.tenant();
    const theirs = await create({ externalId: ext(), status: 'active' }, other);
    for (const status of ['inactive', 'deleted']) {
      const res = await call('PUT', `/${theirs.id}`, { body: { status } });
      assertError(res, 404, 'NOT_FOUND');
      assert.deepEqual(res.body, (await call('PUT', `/${UNKNOWN_ID}`, { body: { status } })).body);
    }
    const stored = await row(theirs.id);
    assert.equal(stored?.status, 'active');
    assert.equal(stored?.deleted_at, null);
  });

  test('seed 001 › PUT /customers/:id › a change to or from deleted also needs customers:delete (403 FORBIDDEN), other changes only customers:update', async () => {
    const updater = await tokenWith(['customers:read', 'customers:update']);
    const live = await create({ externalId: ext(), status: 'active' });
    const dead = await create({ externalId: ext(), status: 'deleted' });
    assert.equal((await call('PUT', `/${live.id}`, { body: { status: 'inactive' }, as: updater })).status, 200);
    assertError(await call('PUT', `/${live.id}`, { body: { status: 'deleted' }, as: updater }), 403, 'FORBIDDEN');
    assertError(await call('PUT', `/${dead.id}`, { body: { status: 'active' }, as: updater }), 403, 'FORBIDDEN');
    assert.equal((await row(live.id))?.deleted_at, null);
    assert.ok((await row(dead.id))?.deleted_at instanceof Date);

    const full = await tokenWith(['customers:update', 'customers:delete']);
    assert.equal((await call('PUT', `/${dead.id}`, { body: { status: 'active' }, as: full })).status, 200);
  });

  test('seed 001 › PUT /customers/:id › optional If-Match: stale → 412 and nothing written; current → 200', async () => {
    const created = await create({ externalId: ext(), status: 'active' });
    assertError(await call('PUT', `/${created.id}`, { body: { status: 'inactive' }, headers: { 'if-match': '"7"' } }), 412, 'PRECONDITION_FAILED');
    assert.equal((await row(created.id))?.status, 'active');
    const res = await call('PUT', `/${created.id}`, { body: { status: 'inactive' }, headers: { 'if-match': '"1"' } });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('etag'), '"2"');
  });

  test('seed 001 › PUT /customers/:id › a tenant requiring If-Match gets 428 PRECONDITION_REQUIRED without it', async () => {
    const strict = await server.tenant({ requireIfMatch: true });
    const created = await create({ externalId: ext(), status: 'active' }, strict);
    assertError(await call('PUT', `/${created.id}`, { body: { status: 'inactive' }, as: strict }), 428, 'PRECONDITION_REQUIRED');
    assert.equal((await row(created.id))?.status, 'active');
    const res = await call('PUT', `/${created.id}`, { body: { status: 'deleted' }, headers: { 'if-match': '"1"' }, as: strict });
    assert.equal(res.status, 200);
    const restored = await call('PUT', `/${created.id}`, { body: { status: 'inactive' }, headers: { 'if-match': '"2"' }, as: strict });
    assert.equal(restored.status, 200, restored.text);
    assert.equal(restored.body.status, 'inactive');
  });

  test('seed 001 › PUT /customers/:id › a customer purged through /v1 reads as deleted and cannot be brought back (409 CONFLICT)', async () => {
    const created = await create({ externalId: ext(), status: 'active' });
    assert.equal((await client.post(`/v1/customers/${created.id}/purge`)).status, 200);
    assert.equal((await call('GET', `/${created.id}`)).body.status, 'deleted');
    assertError(await call('PUT', `/${created.id}`, { body: { status: 'active' } }), 409, 'CONFLICT');
    assert.ok((await row(created.id))?.deleted_at instanceof Date);
  });
});

describe('seed 001 › GET /customers/:id/accounts/addresses', () => {
  async function account(customerId: string, body: Record<string, unknown>) {
    const res = await client.post(`/v1/customers/${customerId}/accounts`, body);
    assert.equal(res.status, 201, res.text);
    return res.body as { id: string };
  }

  test('seed 001 › GET /customers/:id/accounts/addresses › a flat array of every address of every account of the customer', async () => {
    const created = await create({ externalId: ext(), status: 'active' });
    const first = await account(created.id, { name: 'main', addresses: [{ network: 'ethereum', address: '0x1234567890abcdef' }, { network: 'bitcoin', address: 'bc1qexample' }] });
    await account(created.id, { addresses: [{ network: 'tron', address: 'TXyz123' }] });
    const added = await client.post(`/v1/customers/${created.id}/accounts/${first.id}/addresses`, { network: 'polygon', address: '0xabcdef1234567890' });
    assert.equal(added.status, 201);
    const other = await create({ externalId: ext(), status: 'active' });
    await account(other.id, { addresses: [{ network: 'ethereum', address: '0xnotmine' }] });

    const res = await call('GET', `/${created.id}/accounts/addresses`);
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, ['0x1234567890abcdef', 'bc1qexample', '0xabcdef1234567890', 'TXyz123']);
  });

  test('seed 001 › GET /customers/:id/accounts/addresses › [] without accounts; the same string on two networks is listed once', async () => {
    const created = await create({ externalId: ext(), status: 'active' });
    assert.deepEqual((await call('GET', `/${created.id}/accounts/addresses`)).body, []);
    await account(created.id, { addresses: [{ network: 'ethereum', address: '0xsame' }, { network: 'polygon', address: '0xsame' }] });
    await account(created.id, { addresses: [] });
    assert.deepEqual((await call('GET', `/${created.id}/accounts/addresses`)).body, ['0xsame']);
  });

  test("seed 001 › GET /customers/:id/accounts/addresses › a deleted customer's addresses are still readable", async () => {
    const created = await create({ externalId: ext(), status: 'active' });
    await account(created.id, { addresses: [{ network: 'ethereum', address: '0xkept' }] });
    assert.equal((await call('PUT', `/${created.id}`, { body: { status: 'deleted' } })).status, 200);
    const res = await call('GET', `/${created.id}/accounts/addresses`);
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, ['0xkept']);
  });

  test("seed 001 › GET /customers/:id/accounts/addresses › 400 INVALID_ID for a non-UUID id, 404 NOT_FOUND for an unknown or another tenant's id", async () => {
    assertError(await call('GET', '/not-a-uuid/accounts/addresses'), 400, 'INVALID_ID');
    const unknown = await call('GET', `/${UNKNOWN_ID}/accounts/addresses`);
    assertError(unknown, 404, 'NOT_FOUND');
    const other = await server.tenant();
    const theirs = await create({ externalId: ext(), status: 'active' }, other);
    const res = await call('GET', `/${theirs.id}/accounts/addresses`);
    assertError(res, 404, 'NOT_FOUND');
    assert.deepEqual(res.body, unknown.body);
  });
});

describe('seed 001 › DELETE /customers/:id', () => {
  test('seed 001 › DELETE /customers/:id › always 405 METHOD_NOT_ALLOWED with the error body and Allow, whatever the id, even without credentials; nothing deleted', async () => {
    const created = await create({ externalId: ext(), status: 'active' });
    const other = await server.tenant();
    const theirs = await create({ externalId: ext(), status: 'active' }, other);
    const tokens = [client.token, null, 'not-a-token', (await tokenWith(['customers:read'])).token];
    for (const id of [created.id, UNKNOWN_ID, theirs.id, 'not-a-uuid', SEED_EXAMPLE_ID]) {
      for (const token of tokens) {
        const res = await server.request('DELETE', `/customers/${id}`, { token });
        assertError(res, 405, 'METHOD_NOT_ALLOWED');
        assert.equal(res.headers.get('allow'), 'GET, PUT');
      }
    }
    const withBody = await server.request('DELETE', `/customers/${created.id}`, { raw: 'garbage', contentType: 'text/plain' });
    assertError(withBody, 405, 'METHOD_NOT_ALLOWED');
    const stored = await row(created.id);
    assert.equal(stored?.deleted_at, null);
    assert.equal(stored?.version, 1);
    assert.equal((await row(theirs.id))?.deleted_at, null);
  });

  test('seed 001 › DELETE /customers › the collection answers 405 the same way', async () => {
    const res = await server.request('DELETE', '/customers');
    assertError(res, 405, 'METHOD_NOT_ALLOWED');
    assert.equal(res.headers.get('allow'), 'GET, POST');
  });
});

describe('seed 001 › errors and authentication', () => {
  test('seed 001 › auth › 401 UNAUTHORIZED with the error body for a missing, unknown, revoked or non-Bearer credential', async () => {
    const revoked = await server.createToken(client.tenant.id, ['customers:read']);
    assert.equal((await server.admin('DELETE', `/tokens/${revoked.id}`)).status, 200);
    const cases: RequestOptions[] = [
      {},
      { token: 'ptn_unknown' },
      { token: revoked.token },
      { headers: { authorization: `Basic ${Buffer.from(`x:${client.token}`).toString('base64')}` } },
      { headers: { apiKey: client.token } },
    ];
    for (const options of cases) {
      for (const [method, path, body] of [['GET', '', undefined], ['POST', '', { externalId: ext(), status: 'active' }], ['GET', `/${UNKNOWN_ID}`, undefined], ['PUT', `/${UNKNOWN_ID}`, { status: 'active' }], ['GET', `/${UNKNOWN_ID}/accounts/addresses`, undefined]] as const) {
        const res = await server.request(method, `/customers${path}`, { ...options, body });
        assertError(res, 401, 'UNAUTHORIZED');
        assert.match(res.headers.get('www-authenticate') ?? '', /^Bearer/);
      }
    }
  });

  test('seed 001 › auth › 403 FORBIDDEN for a token without the scope; nothing written', async () => {
    const reader = await tokenWith(['customers:read']);
    const creator = await tokenWith(['customers:create']);
    const created = await create({ externalId: ext(), status: 'active' });
    const before = await countOf(client.tenant.id);
    assertError(await call('POST', '', { body: { externalId: ext(), status: 'active' }, as: reader }), 403, 'FORBIDDEN');
    assertError(await call('PUT', `/${created.id}`, { body: { status: 'inactive' }, as: reader }), 403, 'FORBIDDEN');
    assertError(await call('GET', '', { as: creator }), 403, 'FORBIDDEN');
    assertError(await call('GET', `/${created.id}`, { as: creator }), 403, 'FORBIDDEN');
    assertError(await call('GET', `/${created.id}/accounts/addresses`, { as: creator }), 403, 'FORBIDDEN');
    assert.equal(await countOf(client.tenant.id), before);
    assert.equal((await row(created.id))?.status, 'active');
    assert.equal((await call('GET', `/${created.id}`, { as: reader })).status, 200);
    assert.equal((await call('POST', '', { body: { externalId: ext(), status: 'active' }, as: creator })).status, 201);
  });

  test('seed 001 › auth › customers:write and the seed-style aliases grant the writes', async () => {
    const writer = await tokenWith(['customers:write']);
    const created = await create({ externalId: ext(), status: 'active' }, writer);
    assert.equal((await call('PUT', `/${created.id}`, { body: { status: 'deleted' }, as: writer })).status, 200);
    const aliases = await tokenWith(['customer:read', 'customer:create', 'customer:update']);
    const mine = await create({ externalId: ext(), status: 'inactive' }, aliases);
    assert.equal((await call('GET', `/${mine.id}`, { as: aliases })).status, 200);
  });

  test('seed 001 › auth › an OAuth client-credentials access token works as the Bearer token', async () => {
    const tenant = await server.createTenant();
    const oc = await server.admin('POST', `/tenants/${tenant.id}/oauth-clients`, { name: 'seed001', scopes: ['customers:read', 'customers:create'] });
    assert.equal(oc.status, 201, oc.text);
    const tokenRes = await server.request('POST', '/oauth/token', {
      raw: new URLSearchParams({ grant_type: 'client_credentials', client_id: oc.body.clientId, client_secret: oc.body.clientSecret }).toString(),
      contentType: 'application/x-www-form-urlencoded',
    });
    assert.equal(tokenRes.status, 200, tokenRes.text);
    const token = tokenRes.body.access_token as string;
    const res = await server.request('POST', '/customers', { token, body: { externalId: 'oauth-made', status: 'active' } });
    assert.equal(res.status, 201, res.text);
    assert.equal((await server.request('GET', `/customers/${res.body.id}`, { token })).status, 200);
    assertError(await server.request('PUT', `/customers/${res.body.id}`, { token, body: { status: 'inactive' } }), 403, 'FORBIDDEN');
  });

  test("seed 001 › auth › a suspended tenant's token → 403 TENANT_SUSPENDED", async () => {
    const tenant = await server.tenant();
    assert.equal((await server.admin('PATCH', `/tenants/${tenant.tenant.id}`, { status: 'suspended' })).status, 200);
    assertError(await call('GET', '', { as: tenant }), 403, 'TENANT_SUSPENDED');
  });

  test('seed 001 › errors › writes switched off for the tenant → 503 SERVICE_UNAVAILABLE with Retry-After; reads go on', async () => {
    const tenant = await server.tenant();
    const created = await create({ externalId: ext(), status: 'active' }, tenant);
    assert.equal((await server.admin('PATCH', `/tenants/${tenant.tenant.id}`, { settings: { writesDisabled: true } })).status, 200);
    const post = await call('POST', '', { body: { externalId: ext(), status: 'active' }, as: tenant });
    assertError(post, 503, 'SERVICE_UNAVAILABLE');
    assert.equal(post.headers.get('retry-after'), '3600');
    assertError(await call('PUT', `/${created.id}`, { body: { status: 'inactive' }, as: tenant }), 503, 'SERVICE_UNAVAILABLE');
    assert.equal((await call('GET', `/${created.id}`, { as: tenant })).status, 200);
    assert.equal((await row(created.id))?.status, 'active');
  });

  test('seed 001 › errors › unknown paths under /customers → 404 NOT_FOUND; unsupported methods → 405 with Allow (never DELETE), in the error body', async () => {
    assertError(await call('GET', `/${UNKNOWN_ID}/accounts`), 404, 'NOT_FOUND');
    assertError(await call('GET', '/a/b/c/d'), 404, 'NOT_FOUND');
    const patch = await call('PATCH', `/${UNKNOWN_ID}`, { body: { status: 'active' } });
    assertError(patch, 405, 'METHOD_NOT_ALLOWED');
    assert.equal(patch.headers.get('allow'), 'GET, PUT');
    const post = await call('POST', `/${UNKNOWN_ID}`, { body: {} });
    assertError(post, 405, 'METHOD_NOT_ALLOWED');
    assert.equal(post.headers.get('allow'), 'GET, PUT');
    const put = await call('PUT', '', { body: {} });
    assertError(put, 405, 'METHOD_NOT_ALLOWED');
    assert.equal(put.headers.get('allow'), 'GET, POST');
    const addresses = await call('POST', `/${UNKNOWN_ID}/accounts/addresses`, { body: {} });
    assertError(addresses, 405, 'METHOD_NOT_ALLOWED');
    assert.equal(addresses.headers.get('allow'), 'GET');
  });
});

describe('seed 001 › the same customers through /v1', () => {
  test('seed 001 › cross-surface › a customer written here reads back through /v1 with the same data', async () => {
    const created = await create({ externalId: ext('to-v1'), status: 'suspended' });
    const v1 = await client.get(`/v1/customers/${created.id}`);
    assert.equal(v1.status, 200);
    assert.equal(v1.body.id, created.id);
    assert.equal(v1.body.externalId, created.externalId);
    assert.equal(v1.body.status, 'suspended');
    assert.equal(v1.body.deletedAt, null);
    assert.equal(v1.body.createdAt, created.createdAt);
    const updated = await call('PUT', `/${created.id}`, { body: { status: 'inactive' } });
    assert.equal((await client.get(`/v1/customers/${created.id}`)).body.status, 'inactive');
    assert.equal((await client.get(`/v1/customers/${created.id}`)).headers.get('etag'), updated.headers.get('etag'));
  });

  test('seed 001 › cross-surface › a customer written through /v1 reads back here; one without externalId shows null', async () => {
    const externalId = ext('from-v1');
    const v1 = await client.customer({ externalId, status: 'inactive' });
    const res = await call('GET', `/${v1.id}`);
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { id: v1.id, externalId, status: 'inactive', createdAt: v1.createdAt });

    const bare = await client.customer();
    assert.deepEqual((await call('GET', `/${bare.id}`)).body, { id: bare.id, externalId: null, status: 'active', createdAt: bare.createdAt });

    assert.equal((await client.delete(`/v1/customers/${v1.id}`)).status, 200);
    assert.equal((await call('GET', `/${v1.id}`)).body.status, 'deleted');
    assertError(await call('POST', '', { body: { externalId, status: 'active' } }), 409, 'CONFLICT');
  });
});

describe('seed 001 › docs/surfaces/001.md', () => {
  test('seed 001 › docs › every curl example in docs/surfaces/001.md answers the status it documents', async () => {
    const tenant = await server.tenant();
    const created = await create({ externalId: 'doc-example-customer', status: 'active' }, tenant);
    const results = await runDocExamples(new URL('../../docs/surfaces/001.md', import.meta.url), { P: server.url, TOKEN: tenant.token, ID: created.id });
    assert.ok(results.length >= 10, `only ${results.length} examples found`);
    for (const r of results) {
      assert.equal(r.status, r.expected, `${r.script}\n→ ${r.status} ${r.body}`);
      if (r.status >= 400) assert.ok(JSON.parse(r.body).error.code, r.body);
    }
  });
});
