import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { runDocExamples } from '../doc-examples.js';
import { useServer, type Res, type TenantClient } from '../helpers.js';

/** Seed 000 ("external v1", ../shared/seeds/000_…txt) at /api/external/v1; docs/surfaces/000.md. */

const { server, client } = await useServer();
const BASE = '/api/external/v1';
const SEED_ID = '7f5f2d2f-6c7c-4f49-b6d4-7445319f3b8e';
const CUSTOMER_KEYS = ['_id', 'id', 'firstName', 'lastName', 'name', 'email', 'phone', 'status', 'type', 'value', 'autoPayment', 'notes', 'createdAt', 'updatedAt'].sort();

const uniqueEmail = () => `jane.${Math.random().toString(36).slice(2, 10)}@example.com`;

/** A request to this surface with the client's token (or the one given). */
function call(method: string, path: string, options: { token?: string | null; body?: unknown; raw?: string; contentType?: string | null; headers?: Record<string, string> } = {}, as: TenantClient = client) {
  return server.request(method, BASE + path, { token: as.token, ...options });
}

async function create000(body: Record<string, unknown> = {}, as: TenantClient = client) {
  const res = await call('POST', '/customers', { body: { name: 'Jane Smith', email: uniqueEmail(), ...body } }, as);
  assert.equal(res.status, 201, res.text);
  return res.body;
}

async function tokenWith(scopes: string[], extra: Record<string, unknown> = {}, tenantId = client.tenant.id) {
  return (await server.createToken(tenantId, scopes, extra)).token;
}

function assertCustomerShape(body: Record<string, unknown>) {
  assert.deepEqual(Object.keys(body).sort(), CUSTOMER_KEYS);
  assert.equal(body._id, body.id);
  assert.match(String(body.id), /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  assert.ok(['active', 'inactive', 'blocked'].includes(String(body.status)));
  assert.ok(['individual', 'business'].includes(String(body.type)));
  assert.equal(typeof body.value, 'number');
  assert.equal(typeof body.autoPayment, 'boolean');
  assert.ok(!Number.isNaN(Date.parse(String(body.createdAt))));
  assert.ok(!Number.isNaN(Date.parse(String(body.updatedAt))));
}

/** Every error of the surface: `{"success": false, "error": {code, message, details, requestId}}`. */
function assertError(res: Res, status: number, code?: string, fields?: string[]) {
  assert.equal(res.status, status, res.text);
  assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
  assert.deepEqual(Object.keys(res.body).sort(), ['error', 'success']);
  assert.equal(res.body.success, false);
  assert.deepEqual(Object.keys(res.body.error).sort(), ['code', 'details', 'message', 'requestId']);
  assert.equal(typeof res.body.error.message, 'string');
  assert.ok(Array.isArray(res.body.error.details));
  assert.equal(res.body.error.requestId, res.headers.get('x-request-id'));
  if (code) assert.equal(res.body.error.code, code);
  if (fields) assert.deepEqual(res.body.error.details.map((d: { field: string }) => d.field).sort(), [...fields].sort());
}

async function row(id: string) {
  return server.db.selectFrom('customers').selectAll().where('id', '=', id).executeTakeFirst();
}

async function countCustomers(tenantId = client.tenant.id) {
  const r = await server.db.selectFrom('customers').select((eb) => eb.fn.countAll<number>().as('n')).where('tenant_id', '=', tenantId).executeTakeFirstOrThrow();
  return Number(r.n);
}

const otherTenant = await server.tenant();

describe('seed 000 › authentication and scopes (every auth failure is a 403)', () => {
  const endpoints = (id: string): [string, string, unknown?][] => [
    ['GET', '/customers'],
    ['GET', `/customers/${id}`],
    ['POST', '/customers', { name: 'Jane Smith', email: 'jane@example.com' }],
    ['PUT', `/customers/${id}/status`, { status: 'inactive' }],
    ['PUT', `/customers/${id}`, { notes: 'x' }],
    ['DELETE', `/customers/${id}`],
  ];

  test('seed 000 › every endpoint › 403 with the error body when the token is missing, and nothing is written', async () => {
    const c = await create000();
    const before = await countCustomers();
    for (const [method, path, body] of endpoints(c.id)) {
      assertError(await call(method, path, { token: null, body }), 403, 'unauthenticated');
    }
    assert.equal(await countCustomers(), before);
    const r = await row(c.id);
    assert.equal(r!.version, 1);
    assert.equal(r!.deleted_at, null);
  });

  test('seed 000 › every endpoint › 403 when the token is invalid (unknown, malformed, wrong scheme)', async () => {
    const c = await create000();
    for (const [method, path, body] of endpoints(c.id)) {
      assertError(await call(method, path, { token: 'aiva_YOUR_TOKEN_HERE', body }), 403, 'unauthenticated');
      assertError(await call(method, path, { token: null, body, headers: { authorization: `Basic ${Buffer.from('a:b').toString('base64')}` } }), 403, 'unauthenticated');
      assertError(await call(method, path, { token: null, body, headers: { authorization: `Token ${client.token}` } }), 403, 'unauthenticated');
    }
    assert.equal((await row(c.id))!.version, 1);
  });

  test('seed 000 › 403 when the token has expired', async () => {
    const token = await tokenWith(['customers:read', 'customers:write'], { expiresAt: new Date(Date.now() - 60_000).toISOString() });
    assertError(await call('GET', '/customers', { token }), 403, 'unauthenticated');
    const before = await countCustomers();
    assertError(await call('POST', '/customers', { token, body: { name: 'Jane Smith', email: 'jane@example.com' } }), 403, 'unauthenticated');
    assert.equal(await countCustomers(), before);
  });

  test('seed 000 › 403 when the token has been revoked', async () => {
    const t = await server.createToken(client.tenant.id, ['customers:read']);
    assert.equal((await call('GET', '/customers', { token: t.token })).status, 200);
    assert.equal((await server.admin('DELETE', `/tokens/${t.id}`)).status, 200);
    assertError(await call('GET', '/customers', { token: t.token }), 403, 'unauthenticated');
  });

  test('seed 000 › 403 when the token lacks the scope: customers:read alone cannot write (and nothing is written)', async () => {
    const c = await create000();
    const token = await tokenWith(['customers:read']);
    assert.equal((await call('GET', '/customers', { token })).status, 200);
    assert.equal((await call('GET', `/customers/${c.id}`, { token })).status, 200);
    const before = await countCustomers();
    for (const [method, path, body] of endpoints(c.id).filter(([m]) => m !== 'GET')) {
      const res = await call(method, path, { token, body });
      assertError(res, 403, 'insufficient_scope');
      assert.match(res.headers.get('www-authenticate') ?? '', /insufficient_scope/);
    }
    assert.equal(await countCustomers(), before);
    const r = await row(c.id);
    assert.equal(r!.version, 1);
    assert.equal(r!.notes, null);
    assert.equal(r!.deleted_at, null);
  });

  test('seed 000 › 403 when the token lacks the scope: customers:write alone cannot read', async () => {
    const c = await create000();
    const token = await tokenWith(['customers:write']);
    assertError(await call('GET', '/customers', { token }), 403, 'insufficient_scope');
    assertError(await call('GET', `/customers/${c.id}`, { token }), 403, 'insufficient_scope');
  });

  test('seed 000 › customers:write covers POST, both PUTs and DELETE', async () => {
    const token = await tokenWith(['customers:write']);
    const created = await call('POST', '/customers', { token, body: { name: 'Write Only', email: uniqueEmail() } });
    assert.equal(created.status, 201);
    assert.equal((await call('PUT', `/customers/${created.body.id}/status`, { token, body: { status: 'inactive' } })).status, 200);
    assert.equal((await call('PUT', `/customers/${created.body.id}`, { token, body: { notes: 'n' } })).status, 200);
    assert.equal((await call('DELETE', `/customers/${created.body.id}`, { token })).status, 200);
  });

  test('seed 000 › each write needs its own Patron scope: create, update, delete', async () => {
    const c = await create000();
    const createOnly = await tokenWith(['customers:create']);
    assert.equal((await call('POST', '/customers', { token: createOnly, body: { name: 'Jane Smith', email: uniqueEmail() } })).status, 201);
    assertError(await call('PUT', `/customers/${c.id}`, { token: createOnly, body: { notes: 'x' } }), 403, 'insufficient_scope');
    const updateOnly = await tokenWith(['customers:update']);
    assert.equal((await call('PUT', `/customers/${c.id}`, { token: updateOnly, body: { notes: 'x' } })).status, 200);
    assert.equal((await call('PUT', `/customers/${c.id}/status`, { token: updateOnly, body: { status: 'blocked' } })).status, 200);
    assertError(await call('DELETE', `/customers/${c.id}`, { token: updateOnly }), 403, 'insufficient_scope');
    assertError(await call('POST', '/customers', { token: updateOnly, body: { name: 'Jane Smith', email: uniqueEmail() } }), 403, 'insufficient_scope');
    const deleteOnly = await tokenWith(['customers:delete']);
    assert.equal((await call('DELETE', `/customers/${c.id}`, { token: deleteOnly })).status, 200);
  });

  test('seed 000 › 403 when the token’s tenant ("account context") is not active, and 200 again once reactivated', async () => {
    const t = await server.tenant();
    const c = await create000({}, t);
    assert.equal((await server.admin('PATCH', `/tenants/${t.tenant.id}`, { status: 'suspended' })).status, 200);
    assertError(await call('GET', '/customers', {}, t), 403, 'tenant_suspended');
    assertError(await call('GET', `/customers/${c.id}`, {}, t), 403, 'tenant_suspended');
    assertError(await call('POST', '/customers', { body: { name: 'Jane Smith', email: 'jane@example.com' } }, t), 403, 'tenant_suspended');
    assertError(await call('DELETE', `/customers/${c.id}`, {}, t), 403, 'tenant_suspended');
    assert.equal(await countCustomers(t.tenant.id), 1);
    assert.equal((await server.admin('PATCH', `/tenants/${t.tenant.id}`, { status: 'active' })).status, 200);
    assert.equal((await call('GET', `/customers/${c.id}`, {}, t)).status, 200);
  });

  test('seed 000 › an OAuth access token (client credentials) is accepted as the bearer token, with its scopes', async () => {
    const oc = await server.admin('POST', `/tenants/${client.tenant.id}/oauth-clients`, { name: 'seed 000 client', scopes: ['customers:read'] });
    assert.equal(oc.status, 201, oc.text);
    const tokenRes = await server.request('POST', '/oauth/token', {
      raw: new URLSearchParams({ grant_type: 'client_credentials', client_id: oc.body.clientId, client_secret: oc.body.clientSecret }).toString(),
      contentType: 'application/x-www-form-urlencoded',
    });
    assert.equal(tokenRes.status, 200, tokenRes.text);
    const token = tokenRes.body.access_token as string;
    assert.equal((await call('GET', '/customers', { token })).status, 200);
    assertError(await call('POST', '/customers', { token, body: { name: 'Jane Smith', email: 'jane@example.com' } }), 403, 'insufficient_scope');
    assert.equal((await server.admin('DELETE', `/oauth-clients/${oc.body.id}`)).status, 200);
    assertError(await call('GET', '/customers', { token }), 403, 'unauthenticated');
  });
});

describe('seed 000 › the seed’s documented requests, sent as written (base URL and token changed)', () => {
  const seedHeaders = (token: string) => ({ authorization: `Bearer ${token}` });

  test('seed 000 › POST /customers example → 201 with the full customer (name split into firstName/lastName)', async () => {
    const res = await server.request('POST', `${BASE}/customers`, {
      headers: { ...seedHeaders(client.token) },
      contentType: 'application/json',
      raw: '{\n"name": "Jane Smith",\n"email": "jane@example.com",\n"phone": "+1 (800) 123-4567",\n"status": "active",\n"type": "individual"\n}',
    });
    assert.equal(res.status, 201, res.text);
    assertCustomerShape(res.body);
    assert.equal(res.body.name, 'Jane Smith');
    assert.equal(res.body.firstName, 'Jane');
    assert.equal(res.body.lastName, 'Smith');
    assert.equal(res.body.email, 'jane@example.com');
    assert.equal(res.body.phone, '+18001234567');
    assert.equal(res.body.status, 'active');
    assert.equal(res.body.type, 'individual');
    assert.equal(res.body.value, 0);
    assert.equal(res.body.autoPayment, false);
    assert.equal(res.body.notes, null);
    assert.equal(res.body.createdAt, res.body.updatedAt);
  });

  test('seed 000 › GET /customers example → 200 with a bare array of customers', async () => {
    await create000();
    const res = await server.request('GET', `${BASE}/customers`, { headers: seedHeaders(client.token) });
    assert.equal(res.status, 200);
    assert.ok(Array.isArray(res.body));
    assert.ok(res.body.length > 0);
    for (const c of res.body) assertCustomerShape(c);
  });

  test('seed 000 › GET, PUT status, PUT and DELETE examples on the seed’s id → 404 (not in this tenant), then 200 on an existing id', async () => {
    for (const [method, suffix, body] of [
      ['GET', '', undefined],
      ['PUT', '/status', '{\n"status": "inactive"\n}'],
      ['PUT', '', '{\n"name": "Jane A. Smith",\n"phone": "+1 (800) 987-6543",\n"notes": "Enterprise account"\n}'],
      ['DELETE', '', undefined],
    ] as const) {
      assertError(await server.request(method, `${BASE}/customers/${SEED_ID}${suffix}`, { headers: seedHeaders(client.token), raw: body, contentType: body ? 'application/json' : null }), 404, 'not_found');
    }
    const c = await create000({ email: 'jane@example.com' });
    const got = await server.request('GET', `${BASE}/customers/${c.id}`, { headers: seedHeaders(client.token) });
    assert.equal(got.status, 200);
    assertCustomerShape(got.body);

    const status = await server.request('PUT', `${BASE}/customers/${c.id}/status`, { headers: seedHeaders(client.token), contentType: 'application/json', raw: '{\n"status": "inactive"\n}' });
    assert.equal(status.status, 200, status.text);
    assertCustomerShape(status.body);
    assert.equal(status.body.status, 'inactive');

    const put = await server.request('PUT', `${BASE}/customers/${c.id}`, {
      headers: seedHeaders(client.token),
      contentType: 'application/json',
      raw: '{\n"name": "Jane A. Smith",\n"phone": "+1 (800) 987-6543",\n"notes": "Enterprise account"\n}',
    });
    assert.equal(put.status, 200, put.text);
    assertCustomerShape(put.body);
    assert.equal(put.body.name, 'Jane A. Smith');
    assert.equal(put.body.phone, '+18009876543');
    assert.equal(put.body.notes, 'Enterprise account');
    assert.equal(put.body.email, 'jane@example.com');
    assert.equal(put.body.status, 'inactive');

    const del = await server.request('DELETE', `${BASE}/customers/${c.id}`, { headers: seedHeaders(client.token) });
    assert.equal(del.status, 200);
    assert.deepEqual(del.body, { success: true });
  });
});

describe('seed 000 › GET /customers', () => {
  test('seed 000 › GET /customers › a bare JSON array of the tenant’s customers, never another tenant’s', async () => {
    const t = await server.tenant();
    const mine = await create000({ name: 'Mine Customer' }, t);
    await create000({ name: 'Theirs Customer' }, otherTenant);
    const res = await call('GET', '/customers', {}, t);
    assert.equal(res.status, 200);
    assert.ok(Array.isArray(res.body));
    assert.deepEqual(res.body.map((c: { id: string }) => c.id), [mine.id]);
    assertCustomerShape(res.body[0]);
    assert.equal(res.headers.get('link'), null);
  });

  test('seed 000 › GET /customers › deleted customers are not listed', async () => {
    const t = await server.tenant();
    const kept = await create000({}, t);
    const gone = await create000({}, t);
    assert.equal((await call('DELETE', `/customers/${gone.id}`, {}, t)).status, 200);
    const res = await call('GET', '/customers', {}, t);
    assert.deepEqual(res.body.map((c: { id: string }) => c.id), [kept.id]);
  });

  test('seed 000 › GET /customers › capped at 50 by default, oldest first, with a Link rel="next" that pages through the rest', async () => {
    const t = await server.tenant();
    const ids: string[] = [];
    for (let i = 0; i < 53; i++) ids.push((await create000({ name: `Person ${i}` }, t)).id);
    const first = await call('GET', '/customers', {}, t);
    assert.equal(first.status, 200);
    assert.equal(first.body.length, 50);
    assert.deepEqual(first.body.map((c: { id: string }) => c.id), ids.slice(0, 50));
    const link = first.headers.get('link');
    assert.equal(link, `<${BASE}/customers?limit=50&offset=50>; rel="next"`);
    const next = /^<([^>]+)>; rel="next"$/.exec(link!)![1]!;
    const second = await server.request('GET', next, { token: t.token });
    assert.equal(second.status, 200);
    assert.deepEqual(second.body.map((c: { id: string }) => c.id), ids.slice(50));
    assert.equal(second.headers.get('link'), null);
  });

  test('seed 000 › GET /customers › limit and offset select a page; the Link keeps the other query parameters', async () => {
    const t = await server.tenant();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await create000({ name: `Person ${i}` }, t)).id);
    const res = await call('GET', '/customers?limit=2&offset=1&foo=bar', {}, t);
    assert.equal(res.status, 200);
    assert.deepEqual(res.body.map((c: { id: string }) => c.id), ids.slice(1, 3));
    assert.equal(res.headers.get('link'), `<${BASE}/customers?limit=2&offset=3&foo=bar>; rel="next"`);
    const last = await call('GET', '/customers?limit=2&offset=3', {}, t);
    assert.deepEqual(last.body.map((c: { id: string }) => c.id), ids.slice(3));
    assert.equal(last.headers.get('link'), null);
    const past = await call('GET', '/customers?offset=10', {}, t);
    assert.equal(past.status, 200);
    assert.deepEqual(past.body, []);
  });

  test('seed 000 › GET /customers › page (1-based) is accepted instead of offset, and the Link then names the next page', async () => {
    const t = await server.tenant();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await create000({ name: `Person ${i}` }, t)).id);
    const p2 = await call('GET', '/customers?limit=2&page=2', {}, t);
    assert.equal(p2.status, 200);
    assert.deepEqual(p2.body.map((c: { id: string }) => c.id), ids.slice(2, 4));
    assert.equal(p2.headers.get('link'), `<${BASE}/customers?limit=2&page=3>; rel="next"`);
    const p3 = await call('GET', '/customers?limit=2&page=3', {}, t);
    assert.deepEqual(p3.body.map((c: { id: string }) => c.id), ids.slice(4));
    assert.equal(p3.headers.get('link'), null);
  });

  test('seed 000 › GET /customers › 400 for a limit outside 1–100, a negative offset, page 0, or page with offset', async () => {
    for (const q of ['limit=0', 'limit=101', 'limit=abc', 'limit=1.5', 'offset=-1', 'offset=x', 'page=0']) {
      const res = await call('GET', `/customers?${q}`);
      assertError(res, 400, 'validation_failed', [`query.${q.split('=')[0]}`]);
    }
    assertError(await call('GET', '/customers?page=2&offset=10'), 400, 'validation_failed', ['query.page']);
    assert.equal((await call('GET', '/customers?limit=100')).status, 200);
    assert.equal((await call('GET', '/customers?limit=1')).status, 200);
  });
});

describe('seed 000 › GET /customers/:id', () => {
  test('seed 000 › GET /customers/:id › 200 with the full customer: _id and id both the UUID', async () => {
    const c = await create000({ phone: '+1 (800) 123-4567', notes: 'hello', value: 12.5, autoPayment: true, type: 'business' });
    const res = await call('GET', `/customers/${c.id}`);
    assert.equal(res.status, 200);
    assertCustomerShape(res.body);
    assert.deepEqual(res.body, c);
    assert.equal(res.body._id, c.id);
    assert.equal(res.headers.get('etag'), '"1"');
  });

  test('seed 000 › GET /customers/:id › 404 for an unknown id, and another tenant’s id gets exactly the same answer', async () => {
    const theirs = await create000({}, otherTenant);
    const unknown = await call('GET', '/customers/00000000-0000-4000-8000-000000000000');
    const foreign = await call('GET', `/customers/${theirs.id}`);
    assertError(unknown, 404, 'not_found');
    assertError(foreign, 404, 'not_found');
    assert.deepEqual({ ...foreign.body.error, requestId: null }, { ...unknown.body.error, requestId: null });
  });

  test('seed 000 › GET /customers/:id › 404 (not 400) for an id that is not a UUID', async () => {
    for (const id of ['abc', '123', '7f5f2d2f-6c7c-4f49-b6d4-7445319f3b8', "1' or '1'='1"]) {
      assertError(await call('GET', `/customers/${encodeURIComponent(id)}`), 404, 'not_found');
    }
  });

  test('seed 000 › GET /customers/:id › 404 once the customer is deleted', async () => {
    const c = await create000();
    assert.equal((await call('DELETE', `/customers/${c.id}`)).status, 200);
    assertError(await call('GET', `/customers/${c.id}`), 404, 'not_found');
  });

  test('seed 000 › GET /customers/:id › the core’s "suspended" reads as "blocked"; an unset value/autoPayment as 0/false', async () => {
    const v1 = await client.customer({ status: 'suspended' });
    assert.equal(v1.value, null);
    assert.equal(v1.autoPayment, null);
    const res = await call('GET', `/customers/${v1.id}`);
    assert.equal(res.status, 200);
    assert.equal(res.body.status, 'blocked');
    assert.equal(res.body.value, 0);
    assert.equal(res.body.autoPayment, false);
  });
});

describe('seed 000 › POST /customers', () => {
  test('seed 000 › POST /customers › 201 with the full customer, stored in the token’s tenant with the seed’s defaults', async () => {
    const email = uniqueEmail();
    const res = await call('POST', '/customers', { body: { name: 'Ada Lovelace', email: email.toUpperCase() } });
    assert.equal(res.status, 201);
    assertCustomerShape(res.body);
    assert.equal(res.headers.get('location'), `${BASE}/customers/${res.body.id}`);
    assert.equal(res.headers.get('etag'), '"1"');
    assert.equal(res.body.email, email);
    assert.equal(res.body.firstName, 'Ada');
    assert.equal(res.body.lastName, 'Lovelace');
    assert.equal(res.body.status, 'active');
    assert.equal(res.body.type, 'individual');
    const r = (await row(res.body.id))!;
    assert.equal(r.tenant_id, client.tenant.id);
    assert.equal(r.name, 'Ada Lovelace');
    assert.equal(r.first_name, 'Ada');
    assert.equal(r.last_name, 'Lovelace');
    assert.equal(r.status, 'active');
    assert.equal(Number(r.value), 0);
    assert.equal(r.auto_payment, false);
    assert.equal(r.deleted_at, null);
  });

  test('seed 000 › POST /customers › every writable field is stored: phone, status, type, value, autoPayment, notes', async () => {
    const res = await call('POST', '/customers', {
      body: { name: 'Acme Ltd', email: uniqueEmail(), phone: '+44 20 7946 0958', status: 'blocked', type: 'business', value: 1234.5, autoPayment: true, notes: 'VIP' },
    });
    assert.equal(res.status, 201, res.text);
    assert.equal(res.body.phone, '+442079460958');
    assert.equal(res.body.status, 'blocked');
    assert.equal(res.body.type, 'business');
    assert.equal(res.body.value, 1234.5);
    assert.equal(res.body.autoPayment, true);
    assert.equal(res.body.notes, 'VIP');
    const r = (await row(res.body.id))!;
    assert.equal(r.status, 'blocked');
    assert.equal(r.type, 'business');
    assert.equal(Number(r.value), 1234.5);
    assert.equal(r.auto_payment, true);
    assert.equal(r.notes, 'VIP');
  });

  test('seed 000 › POST /customers › firstName and lastName given with name are kept as given', async () => {
    const res = await call('POST', '/customers', { body: { name: 'Dr. Jane Smith', firstName: 'Jane', lastName: 'Smith', email: uniqueEmail() } });
    assert.equal(res.status, 201);
    assert.equal(res.body.name, 'Dr. Jane Smith');
    assert.equal(res.body.firstName, 'Jane');
    assert.equal(res.body.lastName, 'Smith');
  });

  test('seed 000 › POST /customers › 400 naming the field when name or email is missing, and nothing is stored', async () => {
    const before = await countCustomers();
    const noEmail = await call('POST', '/customers', { body: { name: 'Jane Smith' } });
    assertError(noEmail, 400, 'validation_failed', ['email']);
    assert.equal(noEmail.body.error.details[0].message, 'is required');
    assertError(await call('POST', '/customers', { body: { email: 'jane@example.com' } }), 400, 'validation_failed', ['name']);
    assertError(await call('POST', '/customers', { body: {} }), 400, 'validation_failed', ['email', 'name']);
    assertError(await call('POST', '/customers', { body: { name: null, email: null } }), 400, 'validation_failed', ['email', 'name']);
    assertError(await call('POST', '/customers', { body: { name: '   ', email: 'jane@example.com' } }), 400, 'validation_failed', ['name']);
    assertError(await call('POST', '/customers', { body: { name: 'Jane', email: '' } }), 400, 'validation_failed', ['email']);
    assert.equal(await countCustomers(), before);
  });

  test('seed 000 › POST /customers › 400 for invalid fields: email, phone, status, type, value, autoPayment, lengths', async () => {
    const before = await countCustomers();
    const base = { name: 'Jane Smith', email: 'jane@example.com' };
    const cases: [Record<string, unknown>, string][] = [
      [{ email: 'not-an-email' }, 'email'],
      [{ phone: 'call me' }, 'phone'],
      [{ status: 'suspended' }, 'status'],
      [{ status: 'deleted' }, 'status'],
      [{ status: 'ACTIVE' }, 'status'],
      [{ type: 'company' }, 'type'],
      [{ value: '12' }, 'value'],
      [{ autoPayment: 'true' }, 'autoPayment'],
      [{ notes: 42 }, 'notes'],
      [{ name: 'x'.repeat(201) }, 'name'],
    ];
    for (const [extra, field] of cases) {
      assertError(await call('POST', '/customers', { body: { ...base, ...extra } }), 400, 'validation_failed', [field]);
    }
    const status = await call('POST', '/customers', { body: { ...base, status: 'suspended' } });
    assert.equal(status.body.error.details[0].message, 'must be one of: active, inactive, blocked');
    assert.equal(await countCustomers(), before);
  });

  test('seed 000 › POST /customers › 400 for malformed JSON or a body that is not an object', async () => {
    const before = await countCustomers();
    assertError(await call('POST', '/customers', { raw: '{"name": "Jane",' }), 400, 'malformed_json');
    assertError(await call('POST', '/customers', { raw: '["Jane"]' }), 400, 'validation_failed');
    assertError(await call('POST', '/customers', { raw: 'null' }), 400);
    assertError(await call('POST', '/customers', {}), 400);
    assert.equal(await countCustomers(), before);
  });

  test('seed 000 › POST /customers › 415 for a body that is not JSON', async () => {
    assertError(await call('POST', '/customers', { raw: 'name=Jane', contentType: 'application/x-www-form-urlencoded' }), 415, 'unsupported_media_type');
  });

  test('seed 000 › POST /customers › _id, id, createdAt, updatedAt and unknown fields are ignored', async () => {
    const res = await call('POST', '/customers', {
      body: { _id: SEED_ID, id: SEED_ID, createdAt: '2020-01-01T00:00:00.000Z', updatedAt: 'x', name: 'Jane Smith', email: uniqueEmail(), nickname: 'JJ', tags: ['a'] },
    });
    assert.equal(res.status, 201, res.text);
    assert.notEqual(res.body.id, SEED_ID);
    assert.notEqual(res.body.createdAt, '2020-01-01T00:00:00.000Z');
    assertCustomerShape(res.body);
    const v1 = await client.get(`/v1/customers/${res.body.id}`);
    assert.deepEqual(v1.body.customFields, {});
    assert.ok(!JSON.stringify(v1.body).includes('JJ'));
  });

  test('seed 000 › POST /customers › the customer reads back through /v1 with the same data', async () => {
    const c = await create000({ name: 'Grace Hopper', phone: '+1 (800) 123-4567', status: 'inactive', type: 'business', value: 7, autoPayment: true, notes: 'Navy' });
    const v1 = await client.get(`/v1/customers/${c.id}`);
    assert.equal(v1.status, 200);
    for (const key of ['id', 'firstName', 'lastName', 'name', 'email', 'phone', 'status', 'type', 'value', 'autoPayment', 'notes', 'createdAt', 'updatedAt']) {
      assert.deepEqual(v1.body[key], c[key], key);
    }
    assert.equal(v1.body.deletedAt, null);
  });
});

describe('seed 000 › PUT /customers/:id/status', () => {
  test('seed 000 › PUT /customers/:id/status › each of active, inactive, blocked → 200 with the full customer, stored', async () => {
    const c = await create000();
    for (const status of ['inactive', 'blocked', 'active']) {
      const res = await call('PUT', `/customers/${c.id}/status`, { body: { status } });
      assert.equal(res.status, 200, res.text);
      assertCustomerShape(res.body);
      assert.equal(res.body.status, status);
      assert.equal(res.body.email, c.email);
      assert.equal((await row(c.id))!.status, status);
    }
  });

  test('seed 000 › PUT /customers/:id/status › 400 for any other value (or none), and the status is unchanged', async () => {
    const c = await create000({ status: 'inactive' });
    for (const body of [{ status: 'suspended' }, { status: 'deleted' }, { status: 'Active' }, { status: '' }, { status: null }, { status: 1 }, {}, { state: 'active' }]) {
      const res = await call('PUT', `/customers/${c.id}/status`, { body });
      assertError(res, 400, 'validation_failed', ['status']);
    }
    const r = (await row(c.id))!;
    assert.equal(r.status, 'inactive');
    assert.equal(r.version, 1);
  });

  test('seed 000 › PUT /customers/:id/status › 404 for an unknown, another tenant’s, a non-UUID or a deleted id', async () => {
    const theirs = await create000({}, otherTenant);
    const deleted = await create000();
    assert.equal((await call('DELETE', `/customers/${deleted.id}`)).status, 200);
    for (const id of ['00000000-0000-4000-8000-000000000000', theirs.id, 'not-a-uuid', deleted.id]) {
      assertError(await call('PUT', `/customers/${id}/status`, { body: { status: 'inactive' } }), 404, 'not_found');
    }
    assert.equal((await row(theirs.id))!.status, 'active');
  });

  test('seed 000 › PUT /customers/:id/status › "blocked" on a customer the core has as suspended changes nothing', async () => {
    const v1 = await client.customer({ status: 'suspended' });
    const res = await call('PUT', `/customers/${v1.id}/status`, { body: { status: 'blocked' } });
    assert.equal(res.status, 200);
    assert.equal(res.body.status, 'blocked');
    const r = (await row(v1.id))!;
    assert.equal(r.status, 'suspended');
    assert.equal(r.version, 1);
    const active = await call('PUT', `/customers/${v1.id}/status`, { body: { status: 'active' } });
    assert.equal(active.body.status, 'active');
    assert.equal((await row(v1.id))!.status, 'active');
  });
});

describe('seed 000 › PUT /customers/:id (partial update)', () => {
  test('seed 000 › PUT /customers/:id › fields left out are unchanged; name re-derives firstName/lastName; notes writable', async () => {
    const c = await create000({ phone: '+1 (800) 123-4567', type: 'individual', value: 5, autoPayment: true });
    const res = await call('PUT', `/customers/${c.id}`, { body: { name: 'Jane A. Smith', notes: 'Enterprise account' } });
    assert.equal(res.status, 200, res.text);
    assertCustomerShape(res.body);
    assert.equal(res.body.name, 'Jane A. Smith');
    assert.equal(res.body.firstName, 'Jane');
    assert.equal(res.body.lastName, 'A. Smith');
    assert.equal(res.body.notes, 'Enterprise account');
    for (const key of ['email', 'phone', 'status', 'type', 'value', 'autoPayment', 'createdAt']) assert.deepEqual(res.body[key], c[key], key);
    assert.ok(res.body.updatedAt > c.updatedAt);
    const r = (await row(c.id))!;
    assert.equal(r.notes, 'Enterprise account');
    assert.equal(r.name, 'Jane A. Smith');
    assert.equal(r.version, 2);
  });

  test('seed 000 › PUT /customers/:id › a full update of every writable field', async () => {
    const c = await create000();
    const email = uniqueEmail();
    const body = { name: 'John Doe', firstName: 'John', lastName: 'Doe', email, phone: '+1 (800) 555-0100', status: 'inactive', type: 'business', value: 99, autoPayment: true, notes: 'n' };
    const res = await call('PUT', `/customers/${c.id}`, { body });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual({ ...res.body, _id: undefined, id: undefined, createdAt: undefined, updatedAt: undefined }, { ...body, phone: '+18005550100', _id: undefined, id: undefined, createdAt: undefined, updatedAt: undefined });
  });

  test('seed 000 › PUT /customers/:id › GET, edit one field, PUT the whole object back → 200, only that field changes', async () => {
    const v1 = await client.customer({ status: 'suspended', phone: '+1 (800) 123-4567' });
    const got = (await call('GET', `/customers/${v1.id}`)).body;
    const res = await call('PUT', `/customers/${v1.id}`, { body: { ...got, notes: 'edited' } });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.notes, 'edited');
    assert.equal(res.body.updatedAt > got.updatedAt, true);
    const after = await client.get(`/v1/customers/${v1.id}`);
    assert.equal(after.body.notes, 'edited');
    assert.equal(after.body.status, 'suspended');
    assert.equal(after.body.value, null);
    assert.equal(after.body.autoPayment, null);
    assert.equal(after.body.version, 2);
  });

  test('seed 000 › PUT /customers/:id › sending back the object unchanged writes nothing', async () => {
    const c = await create000({ notes: 'x' });
    const res = await call('PUT', `/customers/${c.id}`, { body: c });
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, c);
    assert.equal((await row(c.id))!.version, 1);
    const empty = await call('PUT', `/customers/${c.id}`, { body: {} });
    assert.equal(empty.status, 200);
    assert.equal((await row(c.id))!.version, 1);
  });

  test('seed 000 › PUT /customers/:id › null clears phone and notes; null name or email is refused with 400', async () => {
    const c = await create000({ phone: '+1 (800) 123-4567', notes: 'x' });
    const res = await call('PUT', `/customers/${c.id}`, { body: { phone: null, notes: null } });
    assert.equal(res.status, 200);
    assert.equal(res.body.phone, null);
    assert.equal(res.body.notes, null);
    assertError(await call('PUT', `/customers/${c.id}`, { body: { name: null, email: null } }), 400, 'validation_failed', ['email', 'name']);
    const r = (await row(c.id))!;
    assert.equal(r.name, 'Jane Smith');
    assert.equal(r.version, 2);
  });

  test('seed 000 › PUT /customers/:id › a customer without an email (made through /v1) can be PUT back with email null', async () => {
    const v1 = await client.customer({ email: null });
    const got = (await call('GET', `/customers/${v1.id}`)).body;
    assert.equal(got.email, null);
    const res = await call('PUT', `/customers/${v1.id}`, { body: { ...got, phone: '+1 (800) 123-4567' } });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.phone, '+18001234567');
    assert.equal(res.body.email, null);
  });

  test('seed 000 › PUT /customers/:id › 400 for invalid fields, and the customer is unchanged', async () => {
    const c = await create000();
    for (const [body, field] of [
      [{ email: 'nope' }, 'email'],
      [{ status: 'suspended' }, 'status'],
      [{ type: 'person' }, 'type'],
      [{ value: 'lots' }, 'value'],
      [{ autoPayment: 1 }, 'autoPayment'],
      [{ name: '' }, 'name'],
      [{ notes: 'x'.repeat(10_001) }, 'notes'],
    ] as [Record<string, unknown>, string][]) {
      assertError(await call('PUT', `/customers/${c.id}`, { body }), 400, 'validation_failed', [field]);
    }
    assertError(await call('PUT', `/customers/${c.id}`, { raw: '{"notes": ' }), 400, 'malformed_json');
    assert.equal((await row(c.id))!.version, 1);
  });

  test('seed 000 › PUT /customers/:id › 404 for an unknown, another tenant’s, a non-UUID or a deleted id; nothing written', async () => {
    const theirs = await create000({}, otherTenant);
    const deleted = await create000();
    assert.equal((await call('DELETE', `/customers/${deleted.id}`)).status, 200);
    for (const id of ['00000000-0000-4000-8000-000000000000', theirs.id, 'nope', deleted.id]) {
      assertError(await call('PUT', `/customers/${id}`, { body: { notes: 'hijack' } }), 404, 'not_found');
    }
    assert.equal((await row(theirs.id))!.notes, null);
    assert.equal((await row(deleted.id))!.notes, null);
  });

  test('seed 000 › PUT /customers/:id › _id, id, createdAt, updatedAt and unknown fields in the body are ignored', async () => {
    const c = await create000();
    const res = await call('PUT', `/customers/${c.id}`, { body: { _id: SEED_ID, id: SEED_ID, createdAt: '2000-01-01T00:00:00Z', updatedAt: 0, favouriteColour: 'blue', notes: 'n' } });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.id, c.id);
    assert.equal(res.body.createdAt, c.createdAt);
    assert.equal(res.body.notes, 'n');
  });

  test('seed 000 › PUT /customers/:id › honours If-Match with the ETag it sent (412 when stale)', async () => {
    const c = await create000();
    assertError(await call('PUT', `/customers/${c.id}`, { body: { notes: 'a' }, headers: { 'if-match': '"7"' } }), 412, 'precondition_failed');
    const ok = await call('PUT', `/customers/${c.id}`, { body: { notes: 'a' }, headers: { 'if-match': '"1"' } });
    assert.equal(ok.status, 200);
    assert.equal(ok.headers.get('etag'), '"2"');
  });

  test('seed 000 › PUT and DELETE › a tenant that requires If-Match gets 428 without it, and the ETag from a GET satisfies it', async () => {
    const t = await server.tenant({ requireIfMatch: true });
    const c = await create000({}, t);
    assertError(await call('PUT', `/customers/${c.id}`, { body: { notes: 'x' } }, t), 428, 'precondition_required');
    assertError(await call('PUT', `/customers/${c.id}/status`, { body: { status: 'inactive' } }, t), 428, 'precondition_required');
    assertError(await call('DELETE', `/customers/${c.id}`, {}, t), 428, 'precondition_required');
    assert.equal((await row(c.id))!.version, 1);
    const etag = (await call('GET', `/customers/${c.id}`, {}, t)).headers.get('etag')!;
    const put = await call('PUT', `/customers/${c.id}`, { body: { notes: 'x' }, headers: { 'if-match': etag } }, t);
    assert.equal(put.status, 200);
    assert.equal((await call('DELETE', `/customers/${c.id}`, { headers: { 'if-match': put.headers.get('etag')! } }, t)).status, 200);
  });

  test('seed 000 › PUT /customers/:id › a record written through /v1 reads back here, and a PUT here reads back through /v1', async () => {
    const v1 = await client.customer({ name: 'Linus Torvalds', phone: '+358 40 1234567', notes: 'kernel', type: 'individual', value: 3, autoPayment: true });
    const got = await call('GET', `/customers/${v1.id}`);
    assert.equal(got.status, 200);
    for (const key of ['id', 'firstName', 'lastName', 'name', 'email', 'phone', 'status', 'type', 'value', 'autoPayment', 'notes', 'createdAt', 'updatedAt']) {
      assert.deepEqual(got.body[key], v1[key], key);
    }
    const put = await call('PUT', `/customers/${v1.id}`, { body: { notes: 'git', value: 4 } });
    const back = await client.get(`/v1/customers/${v1.id}`);
    assert.equal(back.body.notes, 'git');
    assert.equal(back.body.value, 4);
    assert.equal(back.body.updatedAt, put.body.updatedAt);
  });
});

describe('seed 000 › DELETE /customers/:id', () => {
  test('seed 000 › DELETE /customers/:id › 200 {"success": true}; then 404 on every read and write here, not listed', async () => {
    const t = await server.tenant();
    const c = await create000({}, t);
    const res = await call('DELETE', `/customers/${c.id}`, {}, t);
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { success: true });
    assertError(await call('GET', `/customers/${c.id}`, {}, t), 404, 'not_found');
    assertError(await call('PUT', `/customers/${c.id}`, { body: { notes: 'x' } }, t), 404, 'not_found');
    assertError(await call('PUT', `/customers/${c.id}/status`, { body: { status: 'active' } }, t), 404, 'not_found');
    assertError(await call('DELETE', `/customers/${c.id}`, {}, t), 404, 'not_found');
    assert.deepEqual((await call('GET', '/customers', {}, t)).body, []);
  });

  test('seed 000 › DELETE /customers/:id › a soft delete in the core: /v1 still sees it deleted, can restore it, and it is back here', async () => {
    const c = await create000();
    assert.equal((await call('DELETE', `/customers/${c.id}`)).status, 200);
    const r = (await row(c.id))!;
    assert.notEqual(r.deleted_at, null);
    assert.equal(r.purged_at, null);
    const v1 = await client.get(`/v1/customers/${c.id}`);
    assert.notEqual(v1.body.deletedAt, null);
    assert.equal((await client.post(`/v1/customers/${c.id}/restore`)).status, 200);
    assert.equal((await call('GET', `/customers/${c.id}`)).status, 200);
    assert.equal((await call('DELETE', `/customers/${c.id}`)).status, 200);
    assert.equal((await client.post(`/v1/customers/${c.id}/purge`)).status, 200);
    assertError(await call('GET', `/customers/${c.id}`), 404, 'not_found');
    assertError(await call('PUT', `/customers/${c.id}`, { body: { notes: 'x' } }), 404, 'not_found');
  });

  test('seed 000 › DELETE /customers/:id › 404 for an unknown, another tenant’s or a non-UUID id; the other tenant’s customer survives', async () => {
    const theirs = await create000({}, otherTenant);
    for (const id of ['00000000-0000-4000-8000-000000000000', theirs.id, '42']) {
      assertError(await call('DELETE', `/customers/${id}`), 404, 'not_found');
    }
    assert.equal((await row(theirs.id))!.deleted_at, null);
    assert.equal((await call('GET', `/customers/${theirs.id}`, {}, otherTenant)).status, 200);
  });
});

describe('seed 000 › errors', () => {
  test('seed 000 › errors › 405 with Allow and the error body for a method the path does not have', async () => {
    const c = await create000();
    const res = await call('PATCH', `/customers/${c.id}`, { body: { notes: 'x' } });
    assertError(res, 405, 'method_not_allowed');
    assert.equal(res.headers.get('allow'), 'GET, PUT, DELETE');
    assert.equal((await row(c.id))!.notes, null);
  });

  test('seed 000 › errors › 404 with the error body for a path the surface does not have', async () => {
    assertError(await call('GET', '/customerz'), 404, 'not_found');
  });

  test('seed 000 › errors › 503 with Retry-After on writes while the tenant’s writes are switched off; reads go on', async () => {
    const t = await server.tenant();
    const c = await create000({}, t);
    assert.equal((await server.admin('PATCH', `/tenants/${t.tenant.id}`, { settings: { writesDisabled: true } })).status, 200);
    const res = await call('POST', '/customers', { body: { name: 'Jane Smith', email: uniqueEmail() } }, t);
    assertError(res, 503, 'writes_disabled');
    assert.equal(res.headers.get('retry-after'), '3600');
    assertError(await call('PUT', `/customers/${c.id}`, { body: { notes: 'x' } }, t), 503, 'writes_disabled');
    assert.equal((await call('GET', `/customers/${c.id}`, {}, t)).status, 200);
    assert.equal(await countCustomers(t.tenant.id), 1);
  });
});

describe('seed 000 › docs/surfaces/000.md', () => {
  test('seed 000 › every curl example in the surface document answers its # expect: status', async () => {
    const c = await create000({ email: 'jane@example.com' });
    const results = await runDocExamples(new URL('../../docs/surfaces/000.md', import.meta.url), { P: server.url, TOKEN: client.token, ID: c.id });
    assert.ok(results.length >= 8, `only ${results.length} examples`);
    for (const r of results) assert.equal(r.status, r.expected, `${r.script}\n→ ${r.status} ${r.body}`);
  });
});
