import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import { ADMIN_TOKEN, useServer } from '../helpers.js';

const { server, client } = await useServer();

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

function assertProblem(res: { status: number; headers: Headers; body: any }, status: number, code?: string) {
  assert.equal(res.status, status, JSON.stringify(res.body));
  assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json/);
  assert.equal(res.body.status, status);
  if (code) assert.equal(res.body.code, code);
  assert.equal(typeof res.body.requestId, 'string');
}

const unique = (label: string) => `${label}-${Math.random().toString(36).slice(2, 10)}`;

describe('admin API: authentication', () => {
  test('a request without a token gets 401 with a bare Bearer challenge', async () => {
    const res = await server.request('GET', '/admin/v1/tenants');
    assertProblem(res, 401, 'unauthenticated');
    assert.match(res.headers.get('www-authenticate') ?? '', /^Bearer realm="patron"/);
  });

  test('a wrong admin token gets 401 with an invalid_token challenge, on every admin route', async () => {
    const wrong = `${ADMIN_TOKEN}-wrong`;
    const tenantId = client.tenant.id;
    const calls: [string, string, unknown?][] = [
      ['POST', '/admin/v1/tenants', { name: 'x' }],
      ['GET', '/admin/v1/tenants'],
      ['GET', `/admin/v1/tenants/${tenantId}`],
      ['PATCH', `/admin/v1/tenants/${tenantId}`, { name: 'hijacked' }],
      ['POST', `/admin/v1/tenants/${tenantId}/tokens`, { name: 'x', scopes: ['customers:read'] }],
      ['GET', `/admin/v1/tenants/${tenantId}/tokens`],
      ['DELETE', `/admin/v1/tokens/${randomUUID()}`],
    ];
    for (const [method, path, body] of calls) {
      const res = await server.request(method, path, { token: wrong, body });
      assertProblem(res, 401, 'unauthenticated');
      assert.match(res.headers.get('www-authenticate') ?? '', /^Bearer realm="patron", error="invalid_token"/, `${method} ${path}`);
    }
    const tenant = await server.db.selectFrom('tenants').select('name').where('id', '=', tenantId).executeTakeFirstOrThrow();
    assert.notEqual(tenant.name, 'hijacked');
  });

  test('a non-Bearer Authorization header is refused with 401', async () => {
    const res = await server.request('GET', '/admin/v1/tenants', { headers: { authorization: `Basic ${Buffer.from(`admin:${ADMIN_TOKEN}`).toString('base64')}` } });
    assertProblem(res, 401, 'unauthenticated');
    assert.ok(res.headers.get('www-authenticate'));
  });

  test('a tenant API token is not accepted by the admin API', async () => {
    const res = await server.request('GET', '/admin/v1/tenants', { token: client.token });
    assertProblem(res, 401, 'unauthenticated');
    assert.ok(res.headers.get('www-authenticate'));
    const create = await server.request('POST', '/admin/v1/tenants', { token: client.token, body: { name: 'via tenant token' } });
    assert.equal(create.status, 401);
  });

  test('the admin token is not accepted by the tenant API', async () => {
    const res = await server.request('GET', '/v1/customers', { token: ADMIN_TOKEN });
    assertProblem(res, 401, 'unauthenticated');
  });
});

describe('admin API: tenants', () => {
  test('POST /admin/v1/tenants creates an active tenant: 201 with id, number, name, status and settings', async () => {
    const name = unique('Acme');
    const res = await server.admin('POST', '/tenants', { name });
    assert.equal(res.status, 201);
    assert.match(res.body.id, UUID);
    assert.ok(Number.isInteger(res.body.number) && res.body.number > 0);
    assert.equal(res.body.name, name);
    assert.equal(res.body.status, 'active');
    assert.deepEqual(res.body.settings, {});
    assert.match(res.body.createdAt, ISO);
    assert.match(res.body.updatedAt, ISO);
    assert.equal(res.headers.get('location'), `/admin/v1/tenants/${res.body.id}`);

    const row = await server.db.selectFrom('tenants').selectAll().where('id', '=', res.body.id).executeTakeFirstOrThrow();
    assert.equal(row.name, name);
    assert.equal(row.status, 'active');
    assert.equal(row.number, res.body.number);
  });

  test('tenant numbers increase with each new tenant', async () => {
    const a = await server.createTenant();
    const b = await server.createTenant();
    assert.ok(b.number > a.number);
    assert.notEqual(a.id, b.id);
  });

  test('POST /admin/v1/tenants accepts initial settings', async () => {
    const res = await server.admin('POST', '/tenants', { name: unique('set'), settings: { requireIfMatch: true, defaultPhoneCountry: 'GB' } });
    assert.equal(res.status, 201);
    assert.deepEqual(res.body.settings, { requireIfMatch: true, defaultPhoneCountry: 'GB' });
  });

  test('POST /admin/v1/tenants rejects unknown fields, a missing, empty or too long name, and bad settings with 400', async () => {
    const name = unique('rejected');
    const unknownField = await server.admin('POST', '/tenants', { name, plan: 'gold' });
    assertProblem(unknownField, 400, 'validation_failed');
    assert.deepEqual(unknownField.body.errors.map((e: { field: string; code: string }) => [e.field, e.code]), [['plan', 'unknown_field']]);

    assertProblem(await server.admin('POST', '/tenants', {}), 400, 'validation_failed');
    assertProblem(await server.admin('POST', '/tenants', { name: '' }), 400, 'validation_failed');
    assertProblem(await server.admin('POST', '/tenants', { name: 'x'.repeat(201) }), 400, 'validation_failed');
    assertProblem(await server.admin('POST', '/tenants', { name, settings: { requireIfMatch: 'yes' } }), 400, 'validation_failed');
    assertProblem(await server.admin('POST', '/tenants', { name, settings: { colour: 'red' } }), 400, 'validation_failed');
    assertProblem(await server.admin('POST', '/tenants', { name, status: 'suspended' }), 400, 'validation_failed');

    const stored = await server.db.selectFrom('tenants').select('id').where('name', '=', name).execute();
    assert.equal(stored.length, 0);
  });

  test('POST /admin/v1/tenants with malformed JSON is a 400', async () => {
    const res = await server.request('POST', '/admin/v1/tenants', { token: ADMIN_TOKEN, raw: '{"name":' });
    assertProblem(res, 400, 'malformed_json');
  });

  test('GET /admin/v1/tenants lists tenants in number order and contains the created ones', async () => {
    const created = [await server.createTenant(), await server.createTenant(), await server.createTenant()];
    const seen: any[] = [];
    for (let after = created[0]!.number - 1; ; ) {
      const res = await server.admin('GET', `/tenants?limit=100&afterNumber=${after}`);
      assert.equal(res.status, 200);
      assert.equal(typeof res.body.hasMore, 'boolean');
      seen.push(...res.body.data);
      if (!res.body.hasMore) break;
      after = res.body.data.at(-1).number;
    }
    for (const t of created) {
      const found = seen.find((s) => s.id === t.id);
      assert.ok(found, `tenant ${t.id} is listed`);
      assert.equal(found.name, t.name);
      assert.equal(found.status, 'active');
    }
    const numbers = seen.map((t) => t.number);
    assert.deepEqual(numbers, [...numbers].sort((a, b) => a - b));
    assert.equal(new Set(numbers).size, numbers.length);
  });

  test('GET /admin/v1/tenants pages with limit and afterNumber', async () => {
    const [a, b, c] = [await server.createTenant(), await server.createTenant(), await server.createTenant()];
    // Other test files may add tenants concurrently (shared PostgreSQL), so anchor on numbers.
    const first = await server.admin('GET', `/tenants?limit=1&afterNumber=${a.number - 1}`);
    assert.equal(first.status, 200);
    assert.equal(first.body.data.length, 1);
    assert.equal(first.body.data[0].id, a.id);
    assert.equal(first.body.hasMore, true);

    const next = await server.admin('GET', `/tenants?limit=100&afterNumber=${a.number}`);
    assert.equal(next.status, 200);
    const ids = next.body.data.map((t: { id: string }) => t.id);
    assert.ok(!ids.includes(a.id));
    assert.ok(ids.indexOf(b.id) >= 0 && ids.indexOf(b.id) < ids.indexOf(c.id));
    assert.ok(next.body.data.every((t: { number: number }) => t.number > a.number));

    const last = await server.admin('GET', '/tenants?limit=5&afterNumber=2147483647');
    assert.equal(last.status, 200);
    assert.deepEqual(last.body, { data: [], hasMore: false });

    const defaults = await server.admin('GET', '/tenants');
    assert.equal(defaults.status, 200);
    assert.ok(defaults.body.data.length <= 100);
  });

  test('GET /admin/v1/tenants with an afterNumber beyond any tenant number is an empty page or a 400, never a 500', async () => {
    for (const after of ['2147483648', String(Number.MAX_SAFE_INTEGER)]) {
      const res = await server.admin('GET', `/tenants?limit=5&afterNumber=${after}`);
      assert.ok(res.status === 200 || res.status === 400, `afterNumber=${after}: ${res.status} ${res.text}`);
      if (res.status === 200) assert.deepEqual(res.body, { data: [], hasMore: false });
      else assertProblem(res, 400, 'validation_failed');
    }
  });

  test('GET /admin/v1/tenants rejects an out-of-range limit, a bad afterNumber and unknown parameters with 400', async () => {
    for (const query of ['limit=0', 'limit=101', 'limit=abc', 'afterNumber=-1', 'afterNumber=x', 'status=active']) {
      assertProblem(await server.admin('GET', `/tenants?${query}`), 400, 'validation_failed');
    }
  });

  test('GET /admin/v1/tenants/{id} returns the tenant', async () => {
    const t = await server.createTenant(unique('one'));
    const res = await server.admin('GET', `/tenants/${t.id}`);
    assert.equal(res.status, 200);
    assert.equal(res.body.id, t.id);
    assert.equal(res.body.number, t.number);
    assert.equal(res.body.name, t.name);
    assert.equal(res.body.status, 'active');
    assert.deepEqual(res.body.settings, {});
  });

  test('PATCH /admin/v1/tenants/{id} renames the tenant', async () => {
    const t = await server.createTenant();
    const name = unique('renamed');
    const res = await server.admin('PATCH', `/tenants/${t.id}`, { name });
    assert.equal(res.status, 200);
    assert.equal(res.body.name, name);
    assert.equal(res.body.number, t.number);
    assert.ok(Date.parse(res.body.updatedAt) >= Date.parse(res.body.createdAt));
    const row = await server.db.selectFrom('tenants').select('name').where('id', '=', t.id).executeTakeFirstOrThrow();
    assert.equal(row.name, name);
  });

  test('PATCH status suspended makes the tenant’s tokens get 403; active again restores access', async () => {
    const tenantClient = await server.tenant();
    assert.equal((await tenantClient.get('/v1/customers')).status, 200);

    const suspended = await server.admin('PATCH', `/tenants/${tenantClient.tenant.id}`, { status: 'suspended' });
    assert.equal(suspended.status, 200);
    assert.equal(suspended.body.status, 'suspended');
    const row = await server.db.selectFrom('tenants').select('status').where('id', '=', tenantClient.tenant.id).executeTakeFirstOrThrow();
    assert.equal(row.status, 'suspended');
    assertProblem(await tenantClient.get('/v1/customers'), 403, 'tenant_suspended');

    const active = await server.admin('PATCH', `/tenants/${tenantClient.tenant.id}`, { status: 'active' });
    assert.equal(active.status, 200);
    assert.equal(active.body.status, 'active');
    assert.equal((await tenantClient.get('/v1/customers')).status, 200);
  });

  test('PATCH settings: requireIfMatch true makes If-Match required, null removes the setting', async () => {
    const tenantClient = await server.tenant();
    const customer = await tenantClient.customer();

    const on = await server.admin('PATCH', `/tenants/${tenantClient.tenant.id}`, { settings: { requireIfMatch: true } });
    assert.equal(on.status, 200);
    assert.deepEqual(on.body.settings, { requireIfMatch: true });
    const row = await server.db.selectFrom('tenants').select('settings').where('id', '=', tenantClient.tenant.id).executeTakeFirstOrThrow();
    assert.deepEqual(row.settings, { requireIfMatch: true });
    assertProblem(await tenantClient.patch(`/v1/customers/${customer.id}`, { notes: 'no if-match' }), 428);

    // Settings merge: adding another one keeps requireIfMatch.
    const merged = await server.admin('PATCH', `/tenants/${tenantClient.tenant.id}`, { settings: { defaultPhoneCountry: 'US' } });
    assert.equal(merged.status, 200);
    assert.deepEqual(merged.body.settings, { requireIfMatch: true, defaultPhoneCountry: 'US' });

    const off = await server.admin('PATCH', `/tenants/${tenantClient.tenant.id}`, { settings: { requireIfMatch: null } });
    assert.equal(off.status, 200);
    assert.deepEqual(off.body.settings, { defaultPhoneCountry: 'US' });
    const after = await server.db.selectFrom('tenants').select('settings').where('id', '=', tenantClient.tenant.id).executeTakeFirstOrThrow();
    assert.deepEqual(after.settings, { defaultPhoneCountry: 'US' });
    assert.equal((await tenantClient.patch(`/v1/customers/${customer.id}`, { notes: 'no if-match' })).status, 200);

    const fetched = await server.admin('GET', `/tenants/${tenantClient.tenant.id}`);
    assert.deepEqual(fetched.body.settings, { defaultPhoneCountry: 'US' });
  });

  test('PATCH /admin/v1/tenants/{id} rejects unknown fields and invalid values with 400 and changes nothing', async () => {
    const t = await server.createTenant();
    const unknownField = await server.admin('PATCH', `/tenants/${t.id}`, { name: 'new name', plan: 'gold' });
    assertProblem(unknownField, 400, 'validation_failed');
    assert.ok(unknownField.body.errors.some((e: { field: string; code: string }) => e.field === 'plan' && e.code === 'unknown_field'));
    assertProblem(await server.admin('PATCH', `/tenants/${t.id}`, { status: 'deleted' }), 400, 'validation_failed');
    assertProblem(await server.admin('PATCH', `/tenants/${t.id}`, { settings: { unknownSetting: true } }), 400, 'validation_failed');
    assertProblem(await server.admin('PATCH', `/tenants/${t.id}`, { settings: { defaultPhoneCountry: 'usa' } }), 400, 'validation_failed');
    assertProblem(await server.admin('PATCH', `/tenants/${t.id}`, { name: '' }), 400, 'validation_failed');
    const row = await server.db.selectFrom('tenants').selectAll().where('id', '=', t.id).executeTakeFirstOrThrow();
    assert.equal(row.name, t.name);
    assert.equal(row.status, 'active');
    assert.deepEqual(row.settings, {});
  });

  test('an unknown tenant id gets 404 on every tenant route', async () => {
    const id = randomUUID();
    const calls: [string, string, unknown?][] = [
      ['GET', `/tenants/${id}`],
      ['PATCH', `/tenants/${id}`, { name: 'x' }],
      ['POST', `/tenants/${id}/tokens`, { name: 'x', scopes: ['customers:read'] }],
      ['GET', `/tenants/${id}/tokens`],
    ];
    for (const [method, path, body] of calls) {
      assertProblem(await server.admin(method, path, body), 404, 'not_found');
    }
    const tokens = await server.db.selectFrom('api_tokens').select('id').where('tenant_id', '=', id).execute();
    assert.equal(tokens.length, 0);
  });

  test('an id that is not a UUID gets 400 on every route with an id', async () => {
    const calls: [string, string, unknown?][] = [
      ['GET', '/tenants/not-a-uuid'],
      ['PATCH', '/tenants/not-a-uuid', { name: 'x' }],
      ['POST', '/tenants/not-a-uuid/tokens', { name: 'x', scopes: ['customers:read'] }],
      ['GET', '/tenants/not-a-uuid/tokens'],
      ['DELETE', '/tokens/not-a-uuid'],
      ['GET', '/tenants/123'],
    ];
    for (const [method, path, body] of calls) {
      assertProblem(await server.admin(method, path, body), 400, 'invalid_id');
    }
  });
});

describe('admin API: tokens', () => {
  test('POST /admin/v1/tenants/{id}/tokens → 201 with a ptn_ secret of at least 128 random bits, shown once', async () => {
    const tenant = await server.createTenant();
    const res = await server.admin('POST', `/tenants/${tenant.id}/tokens`, { name: 'ci', scopes: ['customers:read'] });
    assert.equal(res.status, 201);
    assert.match(res.body.id, UUID);
    assert.equal(res.body.tenantId, tenant.id);
    assert.equal(res.body.name, 'ci');
    assert.deepEqual(res.body.scopes, ['customers:read']);
    assert.equal(res.body.expiresAt, null);
    assert.equal(res.body.lastUsedAt, null);
    assert.equal(res.body.revokedAt, null);
    assert.match(res.body.createdAt, ISO);

    const token: string = res.body.token;
    assert.ok(token.startsWith('ptn_'), token);
    // base64url: 6 bits a character, so ≥ 22 characters carry ≥ 128 bits.
    const random = token.slice('ptn_'.length);
    assert.match(random, /^[A-Za-z0-9_-]+$/);
    assert.ok(random.length * 6 >= 128, `random part has ${random.length * 6} bits`);
    assert.equal(res.body.hint, token.slice(-4));

    const other = await server.createToken(tenant.id, ['customers:read']);
    assert.notEqual(other.token, token);
    assert.notEqual(other.token.slice(4, 26), token.slice(4, 26));

    // The token works on /v1.
    const use = await server.request('GET', '/v1/customers', { token });
    assert.equal(use.status, 200);
  });

  test('the secret is never stored in clear: the row holds a hash, and the secret is in no column', async () => {
    const tenant = await server.createTenant();
    const created = await server.createToken(tenant.id, ['customers:read']);
    const row = await server.db.selectFrom('api_tokens').selectAll().where('id', '=', created.id).executeTakeFirstOrThrow();
    assert.notEqual(row.token_hash, created.token);
    assert.ok(!row.token_hash.includes(created.token));
    assert.equal(row.token_hash, createHash('sha256').update(created.token).digest('hex'), 'stored value is a SHA-256 of the secret');
    assert.ok(row.token_hint.length <= 4);
    const serialised = JSON.stringify(row);
    assert.ok(!serialised.includes(created.token), 'the secret appears in no column');
    assert.ok(!serialised.includes(created.token.slice(4, 24)), 'no large fragment of the secret is stored');
    for (const [column, value] of Object.entries(row)) {
      assert.ok(!String(value).includes(created.token), `column ${column} holds the secret`);
    }
  });

  test('GET /admin/v1/tenants/{id}/tokens lists the tenant’s tokens without their secrets', async () => {
    const tenant = await server.createTenant();
    const a = await server.createToken(tenant.id, ['customers:read'], { name: 'reader' });
    const b = await server.createToken(tenant.id, ['customers:write'], { name: 'writer' });
    const res = await server.admin('GET', `/tenants/${tenant.id}/tokens`);
    assert.equal(res.status, 200);
    assert.deepEqual(res.body.data.map((t: { id: string }) => t.id).sort(), [a.id, b.id].sort());
    for (const t of res.body.data) {
      assert.equal(t.token, undefined);
      assert.equal(t.tenantId, tenant.id);
      assert.deepEqual(Object.keys(t).sort(), ['createdAt', 'expiresAt', 'hint', 'id', 'lastUsedAt', 'name', 'revokedAt', 'scopes', 'tenantId']);
    }
    assert.ok(!res.text.includes(a.token) && !res.text.includes(b.token), 'no secret in the listing');
    const writer = res.body.data.find((t: { id: string }) => t.id === b.id);
    assert.equal(writer.name, 'writer');
    assert.deepEqual(writer.scopes, ['customers:write']);
    assert.equal(writer.hint, b.token.slice(-4));

    // Another tenant's tokens are not listed.
    const otherTenant = await server.createTenant();
    const other = await server.admin('GET', `/tenants/${otherTenant.id}/tokens`);
    assert.equal(other.status, 200);
    assert.deepEqual(other.body.data, []);
  });

  test('the customers:write scope is accepted and grants create, update and delete', async () => {
    const tenant = await server.createTenant();
    const res = await server.admin('POST', `/tenants/${tenant.id}/tokens`, { name: 'writer', scopes: ['customers:write'] });
    assert.equal(res.status, 201);
    assert.deepEqual(res.body.scopes, ['customers:write']);
    const token = res.body.token;

    const created = await server.request('POST', '/v1/customers', { token, body: { name: 'Write Scope' } });
    assert.equal(created.status, 201);
    const patched = await server.request('PATCH', `/v1/customers/${created.body.id}`, { token, body: { notes: 'n' } });
    assert.equal(patched.status, 200);
    const deleted = await server.request('DELETE', `/v1/customers/${created.body.id}`, { token });
    assert.ok(deleted.status === 200 || deleted.status === 204, `delete: ${deleted.status}`);
    // write does not include read or purge
    assertProblem(await server.request('GET', `/v1/customers/${created.body.id}`, { token }), 403, 'insufficient_scope');
  });

  test('every documented scope is accepted', async () => {
    const tenant = await server.createTenant();
    const scopes = ['customers:read', 'customers:create', 'customers:update', 'customers:delete', 'customers:purge', 'customers:write'];
    const res = await server.admin('POST', `/tenants/${tenant.id}/tokens`, { name: 'all', scopes });
    assert.equal(res.status, 201);
    assert.deepEqual([...res.body.scopes].sort(), [...scopes].sort());
  });

  test('an unknown scope, no scopes, a missing name or an unknown field → 400 and no token is stored', async () => {
    const tenant = await server.createTenant();
    const bodies = [
      { name: 'x', scopes: ['customers:fly'] },
      { name: 'x', scopes: ['customers:read', 'admin'] },
      { name: 'x', scopes: [] },
      { name: 'x' },
      { scopes: ['customers:read'] },
      { name: '', scopes: ['customers:read'] },
      { name: 'x', scopes: ['customers:read'], secret: 'ptn_mine' },
      { name: 'x', scopes: ['customers:read'], expiresAt: 'tomorrow' },
    ];
    for (const body of bodies) {
      const res = await server.admin('POST', `/tenants/${tenant.id}/tokens`, body);
      assertProblem(res, 400, 'validation_failed');
      assert.equal(res.body.token, undefined);
    }
    const unknownField = await server.admin('POST', `/tenants/${tenant.id}/tokens`, { name: 'x', scopes: ['customers:read'], secret: 'ptn_mine' });
    assert.ok(unknownField.body.errors.some((e: { field: string; code: string }) => e.field === 'secret' && e.code === 'unknown_field'));
    const rows = await server.db.selectFrom('api_tokens').select('id').where('tenant_id', '=', tenant.id).execute();
    assert.equal(rows.length, 0);
  });

  test('expiresAt is stored and returned; an expired token gets 401', async () => {
    const tenant = await server.createTenant();
    const future = new Date(Date.now() + 86_400_000).toISOString();
    const live = await server.admin('POST', `/tenants/${tenant.id}/tokens`, { name: 'live', scopes: ['customers:read'], expiresAt: future });
    assert.equal(live.status, 201);
    assert.equal(live.body.expiresAt, future);
    assert.equal((await server.request('GET', '/v1/customers', { token: live.body.token })).status, 200);

    const past = new Date(Date.now() - 1000).toISOString();
    const expired = await server.admin('POST', `/tenants/${tenant.id}/tokens`, { name: 'expired', scopes: ['customers:read'], expiresAt: past });
    assert.equal(expired.status, 201);
    const res = await server.request('GET', '/v1/customers', { token: expired.body.token });
    assertProblem(res, 401, 'unauthenticated');
    assert.match(res.headers.get('www-authenticate') ?? '', /invalid_token/);
  });

  test('lastUsedAt is null until the token is used, then set', async () => {
    const tenant = await server.createTenant();
    const created = await server.createToken(tenant.id, ['customers:read']);
    const before = await server.admin('GET', `/tenants/${tenant.id}/tokens`);
    assert.equal(before.body.data[0].lastUsedAt, null);

    const startedAt = Date.now() - 1000;
    assert.equal((await server.request('GET', '/v1/customers', { token: created.token })).status, 200);

    const after = await server.admin('GET', `/tenants/${tenant.id}/tokens`);
    const listed = after.body.data.find((t: { id: string }) => t.id === created.id);
    assert.match(listed.lastUsedAt, ISO);
    assert.ok(Date.parse(listed.lastUsedAt) >= startedAt);
    const row = await server.db.selectFrom('api_tokens').select('last_used_at').where('id', '=', created.id).executeTakeFirstOrThrow();
    assert.ok(row.last_used_at instanceof Date);
    assert.equal(row.last_used_at.toISOString(), listed.lastUsedAt);
  });

  test('DELETE /admin/v1/tokens/{id} revokes the token: it then gets 401 on /v1/customers', async () => {
    const tenant = await server.createTenant();
    const created = await server.createToken(tenant.id, ['customers:read']);
    const keep = await server.createToken(tenant.id, ['customers:read']);
    assert.equal((await server.request('GET', '/v1/customers', { token: created.token })).status, 200);

    const res = await server.admin('DELETE', `/tokens/${created.id}`);
    assert.equal(res.status, 200);
    assert.equal(res.body.id, created.id);
    assert.match(res.body.revokedAt, ISO);
    assert.equal(res.body.token, undefined);
    const row = await server.db.selectFrom('api_tokens').select('revoked_at').where('id', '=', created.id).executeTakeFirstOrThrow();
    assert.ok(row.revoked_at instanceof Date);

    const denied = await server.request('GET', '/v1/customers', { token: created.token });
    assertProblem(denied, 401, 'unauthenticated');
    assert.match(denied.headers.get('www-authenticate') ?? '', /^Bearer realm="patron", error="invalid_token"/);

    // Other tokens of the tenant keep working.
    assert.equal((await server.request('GET', '/v1/customers', { token: keep.token })).status, 200);

    // The listing shows the revocation; revoking again keeps the first revocation time.
    const listed = await server.admin('GET', `/tenants/${tenant.id}/tokens`);
    assert.equal(listed.body.data.find((t: { id: string }) => t.id === created.id).revokedAt, res.body.revokedAt);
    const again = await server.admin('DELETE', `/tokens/${created.id}`);
    assert.equal(again.status, 200);
    assert.equal(again.body.revokedAt, res.body.revokedAt);
  });

  test('revoking an unknown token id → 404', async () => {
    assertProblem(await server.admin('DELETE', `/tokens/${randomUUID()}`), 404, 'not_found');
  });
});
