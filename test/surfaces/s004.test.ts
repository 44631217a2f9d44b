import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { PLACEHOLDER_COMPANY_NUMBERS } from '../../src/core/customers/customer.rules.js';
import { runDocExamples } from '../doc-examples.js';
import { useServer, type RequestOptions, type Res, type TenantClient } from '../helpers.js';

/**
 * Seed 004 (Public API v1.0 customer writes) at /api/p/v1.0, built from the seed text:
 * OAuth2 client credentials, PascalCase fields, ETag / If-Match, RFC 7396 merge patch, soft
 * delete with restore, 409s naming the field and holder, 503 EndpointDisabled, RFC 9457 problems.
 */

const { server, client } = await useServer();

const P = '/api/p/v1.0';
const SEED_SCOPES = ['customer:read', 'customer:create', 'customer:update', 'customer:delete'];

const WRITE_RESPONSE_KEYS = ['BillingAddress', 'CompanyNumber', 'DateCreated', 'DateModified', 'ETag', 'Email', 'ExternalId', 'Fax', 'Id', 'InvoicingInformation', 'Name', 'Phone', 'Status', 'Type'];
const READ_RESPONSE_KEYS = ['BillingAddress', 'CompanyNumber', 'Contacts', 'DateCreated', 'DateModified', 'Email', 'ExternalId', 'Fax', 'Id', 'InvoicingInformation', 'Name', 'Notes', 'Phone', 'SalesAgentId', 'Status', 'Type'];

let seq = 0;
const unique = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${(seq++).toString(36)}`;

function tokenRequest(form: Record<string, string>, headers: Record<string, string> = {}) {
  return server.request('POST', '/oauth/token', { raw: new URLSearchParams(form).toString(), contentType: 'application/x-www-form-urlencoded', headers });
}

async function oauthClient(tenantId: string, scopes: string[]) {
  const res = await server.admin('POST', `/tenants/${tenantId}/oauth-clients`, { name: 'partner', scopes });
  assert.equal(res.status, 201, res.text);
  return res.body as { id: string; clientId: string; clientSecret: string };
}

/** The seed's way: an OAuth client with the seed's scope names, then POST /oauth/token. */
async function accessToken(tenantId: string, scopes: string[] = SEED_SCOPES): Promise<string> {
  const c = await oauthClient(tenantId, scopes);
  const res = await tokenRequest({ grant_type: 'client_credentials', client_id: c.clientId, client_secret: c.clientSecret });
  assert.equal(res.status, 200, res.text);
  return res.body.access_token as string;
}

interface Partner {
  tenantId: string;
  token: string;
  /** The same tenant through /v1. */
  v1: TenantClient;
  req: (method: string, path: string, options?: RequestOptions) => Promise<Res>;
}

async function partner(settings?: Record<string, unknown>): Promise<Partner> {
  const v1 = await server.tenant(settings);
  const token = await accessToken(v1.tenant.id);
  return { tenantId: v1.tenant.id, token, v1, req: (method, path, options = {}) => server.request(method, P + path, { token, ...options }) };
}

const main = await partner();
const other = await partner();

/** The seed's create example, with a real address for its obfuscated e-mail (see the doc). */
function seedExample(overrides: Record<string, unknown> = {}) {
  return {
    Name: 'Acme Logistics',
    Type: 'Customer',
    CompanyNumber: 'ACME-1',
    Status: 'Active',
    BillingAddress: { Street: '1 Main', City: 'City', State: 'NY', Zip: '10001' },
    Email: ['ops@acme.example'],
    Phone: ['555-1234'],
    ...overrides,
  };
}

/** A valid create body with unique identifiers. */
function body(overrides: Record<string, unknown> = {}) {
  return { Name: unique('Company'), Type: 'Customer', ...overrides };
}

async function create(p: Partner, overrides: Record<string, unknown> = {}) {
  const res = await p.req('POST', '/customers', { body: body(overrides) });
  assert.equal(res.status, 201, res.text);
  return res.body as Record<string, any>;
}

const ifMatch = (etag: string) => ({ 'if-match': etag });

async function row(id: string) {
  return server.db.selectFrom('customers').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

async function customerCount(tenantId: string) {
  const r = await server.db.selectFrom('customers').select((eb) => eb.fn.countAll<number>().as('n')).where('tenant_id', '=', tenantId).executeTakeFirstOrThrow();
  return Number(r.n);
}

function assertProblem(res: Res, status: number, type: string) {
  assert.equal(res.status, status, res.text);
  assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json/);
  assert.equal(res.body.type, type);
  assert.equal(res.body.status, status);
  assert.equal(typeof res.body.title, 'string');
  assert.equal(typeof res.body.detail, 'string');
}

const errorFields = (res: Res) => Object.keys(res.body.errors ?? {}).sort();

describe('seed 004 › OAuth2 client credentials', () => {
  test('seed 004 › OAuth › a client made with the seed’s scope names gets a Bearer token that works on every endpoint', async () => {
    const v1 = await server.tenant();
    const c = await oauthClient(v1.tenant.id, SEED_SCOPES);
    const basic = `Basic ${Buffer.from(`${c.clientId}:${c.clientSecret}`).toString('base64')}`;
    const tok = await tokenRequest({ grant_type: 'client_credentials' }, { authorization: basic });
    assert.equal(tok.status, 200, tok.text);
    assert.equal(tok.body.token_type, 'Bearer');
    assert.equal(tok.body.scope, SEED_SCOPES.join(' '));
    assert.ok(tok.body.expires_in > 0);
    const token = tok.body.access_token as string;
    const created = await server.request('POST', `${P}/customers`, { token, body: body() });
    assert.equal(created.status, 201, created.text);
    const id = created.body.Id;
    assert.equal((await server.request('GET', `${P}/customers/${id}`, { token })).status, 200);
    assert.equal((await server.request('POST', `${P}/customers/search`, { token, body: {} })).status, 200);
    assert.equal((await server.request('PATCH', `${P}/customers/${id}`, { token, body: { Fax: '+12125550100' }, headers: ifMatch('"1"') })).status, 200);
    assert.equal((await server.request('DELETE', `${P}/customers/${id}`, { token, headers: ifMatch('"2"') })).status, 204);
    const events = await server.db.selectFrom('customer_events').select('actor').where('customer_id', '=', id).execute();
    assert.deepEqual(events[0]!.actor, { type: 'oauth_client', id: c.id });
  });

  test('seed 004 › OAuth › /oauth/token answers invalid_client (401) for a wrong secret', async () => {
    const v1 = await server.tenant();
    const c = await oauthClient(v1.tenant.id, SEED_SCOPES);
    const res = await tokenRequest({ grant_type: 'client_credentials', client_id: c.clientId, client_secret: `${c.clientSecret}x` });
    assert.equal(res.status, 401);
    assert.equal(res.body.error, 'invalid_client');
    assert.equal(res.body.access_token, undefined);
  });

  test('seed 004 › OAuth › /oauth/token answers invalid_scope (400) for a scope the client was not granted', async () => {
    const v1 = await server.tenant();
    const c = await oauthClient(v1.tenant.id, ['customer:read']);
    const res = await tokenRequest({ grant_type: 'client_credentials', client_id: c.clientId, client_secret: c.clientSecret, scope: 'customer:read customer:delete' });
    assert.equal(res.status, 400);
    assert.equal(res.body.error, 'invalid_scope');
  });

  test('seed 004 › OAuth › /oauth/token answers unsupported_grant_type (400) for a grant other than client_credentials', async () => {
    const v1 = await server.tenant();
    const c = await oauthClient(v1.tenant.id, SEED_SCOPES);
    const res = await tokenRequest({ grant_type: 'password', client_id: c.clientId, client_secret: c.clientSecret, username: 'a', password: 'b' });
    assert.equal(res.status, 400);
    assert.equal(res.body.error, 'unsupported_grant_type');
  });

  test('seed 004 › OAuth › a token narrowed to customer:read can read but not write (403 Forbidden naming customer:create)', async () => {
    const v1 = await server.tenant();
    const c = await oauthClient(v1.tenant.id, SEED_SCOPES);
    const tok = await tokenRequest({ grant_type: 'client_credentials', client_id: c.clientId, client_secret: c.clientSecret, scope: 'customer:read' });
    const token = tok.body.access_token as string;
    assert.equal((await server.request('POST', `${P}/customers/search`, { token, body: {} })).status, 200);
    const res = await server.request('POST', `${P}/customers`, { token, body: body() });
    assertProblem(res, 403, 'Forbidden');
    assert.equal(res.body.requiredScope, 'customer:create');
    assert.equal(await customerCount(v1.tenant.id), 0);
  });
});

describe('seed 004 › authentication and scopes', () => {
  test('seed 004 › auth › no Authorization header is 401 Unauthorized with a Bearer challenge', async () => {
    const res = await server.request('POST', `${P}/customers/search`, { body: {} });
    assertProblem(res, 401, 'Unauthorized');
    assert.match(res.headers.get('www-authenticate') ?? '', /^Bearer/);
  });

  test('seed 004 › auth › an invalid or malformed bearer token is 401', async () => {
    assertProblem(await server.request('GET', `${P}/customers/${'0'.repeat(32)}`, { token: 'not-a-token' }), 401, 'Unauthorized');
    assertProblem(await server.request('GET', `${P}/customers/${'0'.repeat(32)}`, { token: 'eyJhbGciOiJIUzI1NiJ9.e30.c2ln' }), 401, 'Unauthorized');
    assertProblem(await server.request('GET', `${P}/customers/${'0'.repeat(32)}`, { headers: { authorization: `Basic ${main.token}` } }), 401, 'Unauthorized');
  });

  test('seed 004 › auth › each endpoint needs its scope: customer:read, customer:create, customer:update, customer:delete', async () => {
    const existing = await create(main);
    const cases: [string[], string, string, RequestOptions, string][] = [
      [['customer:create'], 'GET', `/customers/${existing.Id}`, {}, 'customer:read'],
      [['customer:create'], 'POST', '/customers/search', { body: {} }, 'customer:read'],
      [['customer:read'], 'POST', '/customers', { body: body() }, 'customer:create'],
      [['customer:read'], 'PATCH', `/customers/${existing.Id}`, { body: { Name: 'x' }, headers: ifMatch('"1"') }, 'customer:update'],
      [['customer:read', 'customer:update'], 'DELETE', `/customers/${existing.Id}`, { headers: ifMatch('"1"') }, 'customer:delete'],
    ];
    const before = await customerCount(main.tenantId);
    for (const [scopes, method, path, options, needed] of cases) {
      const token = await accessToken(main.tenantId, scopes);
      const res = await server.request(method, P + path, { token, ...options });
      assertProblem(res, 403, 'Forbidden');
      assert.equal(res.body.requiredScope, needed, `${method} ${path}`);
    }
    assert.equal(await customerCount(main.tenantId), before);
    const stored = await row(existing.Id);
    assert.equal(stored.version, 1);
    assert.equal(stored.deleted_at, null);
  });

  test('seed 004 › auth › a Patron API token is accepted as the bearer token too', async () => {
    const res = await server.request('POST', `${P}/customers`, { token: main.v1.token, body: body() });
    assert.equal(res.status, 201, res.text);
  });
});

describe('seed 004 › POST /customers', () => {
  test('seed 004 › POST › the seed’s example as written is 400: its "[email protected]" is a page’s e-mail obfuscation, not an address', async () => {
    const p = await partner();
    const res = await p.req('POST', '/customers', { body: seedExample({ Email: ['[email protected]'] }) });
    assertProblem(res, 400, 'ValidationError');
    assert.deepEqual(errorFields(res), ['Email[0]']);
    assert.equal(await customerCount(p.tenantId), 0);
  });

  test('seed 004 › POST › the seed’s example (real e-mail) is 201 with a CustomerWriteResponse and the ETag in body and header', async () => {
    const p = await partner();
    const res = await p.req('POST', '/customers', { body: seedExample() });
    assert.equal(res.status, 201, res.text);
    assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
    assert.deepEqual(Object.keys(res.body).sort(), WRITE_RESPONSE_KEYS);
    assert.equal(res.headers.get('etag'), '"1"');
    assert.equal(res.body.ETag, res.headers.get('etag'));
    assert.match(res.body.Id, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    assert.deepEqual(
      { ...res.body, Id: undefined, ETag: undefined, DateCreated: undefined, DateModified: undefined },
      {
        Id: undefined,
        ETag: undefined,
        DateCreated: undefined,
        DateModified: undefined,
        Name: 'Acme Logistics',
        CompanyNumber: 'ACME-1',
        Type: 'Customer',
        Status: 'Active',
        BillingAddress: { Street: '1 Main', City: 'City', State: 'NY', Zip: '10001' },
        Email: ['ops@acme.example'],
        Phone: ['555-1234'],
        Fax: null,
        InvoicingInformation: null,
        ExternalId: null,
      },
    );
    assert.equal(res.body.DateCreated, res.body.DateModified);
    const stored = await row(res.body.Id);
    assert.equal(stored.tenant_id, p.tenantId);
    assert.equal(stored.name, 'Acme Logistics');
    assert.equal(stored.type, 'business');
    assert.equal(stored.category, 'customer');
    assert.equal(stored.status, 'active');
    assert.equal(stored.company_number, 'ACME-1');
    assert.deepEqual(stored.billing_address, { line1: '1 Main', city: 'City', state: 'NY', postalCode: '10001' });
    const channels = await server.db.selectFrom('customer_channels').select(['type', 'value', 'is_primary']).where('customer_id', '=', res.body.Id).execute();
    assert.deepEqual(channels.map((c) => [c.type, c.value, c.is_primary]).sort(), [
      ['email', 'ops@acme.example', true],
      ['phone', '555-1234', true],
    ]);
  });

  test('seed 004 › POST › Type Broker/3PL is stored as the broker_3pl category of a business', async () => {
    const res = await main.req('POST', '/customers', { body: body({ Type: 'Broker/3PL' }) });
    assert.equal(res.status, 201, res.text);
    assert.equal(res.body.Type, 'Broker/3PL');
    const stored = await row(res.body.Id);
    assert.equal(stored.category, 'broker_3pl');
    assert.equal(stored.type, 'business');
  });

  test('seed 004 › POST › Name and Type are required (400 naming each), nothing stored', async () => {
    const before = await customerCount(main.tenantId);
    const both = await main.req('POST', '/customers', { body: { CompanyNumber: unique('C') } });
    assertProblem(both, 400, 'ValidationError');
    assert.deepEqual(errorFields(both), ['Name', 'Type']);
    assert.deepEqual(both.body.errors.Name, ['is required']);
    assertProblem(await main.req('POST', '/customers', { body: { Type: 'Customer' } }), 400, 'ValidationError');
    assertProblem(await main.req('POST', '/customers', { body: { Name: 'No type' } }), 400, 'ValidationError');
    assertProblem(await main.req('POST', '/customers', { body: { Name: null, Type: 'Customer' } }), 400, 'ValidationError');
    assertProblem(await main.req('POST', '/customers', {}), 400, 'ValidationError');
    assert.equal(await customerCount(main.tenantId), before);
  });

  test('seed 004 › POST › Name must not be blank and is at most 200 characters', async () => {
    const before = await customerCount(main.tenantId);
    for (const Name of ['', '   ', 'x'.repeat(201)]) {
      const res = await main.req('POST', '/customers', { body: body({ Name }) });
      assertProblem(res, 400, 'ValidationError');
      assert.deepEqual(errorFields(res), ['Name'], JSON.stringify(Name));
    }
    assert.equal(await customerCount(main.tenantId), before);
    // Two words of 99 and 100 characters: the core derives first and last names from a name.
    const name = `${unique('Longest').padEnd(99, 'a')} ${'z'.repeat(100)}`;
    assert.equal(name.length, 200);
    const longest = await main.req('POST', '/customers', { body: body({ Name: name }) });
    assert.equal(longest.status, 201, longest.text);
    assert.equal(longest.body.Name, name);
  });

  test('seed 004 › POST › Type must be Customer or Broker/3PL', async () => {
    for (const Type of ['customer', 'Broker', 'broker_3pl', 'Carrier', 3]) {
      const res = await main.req('POST', '/customers', { body: body({ Type }) });
      assertProblem(res, 400, 'ValidationError');
      assert.deepEqual(res.body.errors.Type, ['must be "Customer" or "Broker/3PL"'], String(Type));
    }
  });

  test('seed 004 › POST › CompanyNumber is at most 32 characters', async () => {
    const res = await main.req('POST', '/customers', { body: body({ CompanyNumber: 'C'.repeat(33) }) });
    assertProblem(res, 400, 'ValidationError');
    assert.deepEqual(errorFields(res), ['CompanyNumber']);
    const ok = await main.req('POST', '/customers', { body: body({ CompanyNumber: unique('C').padEnd(32, '0') }) });
    assert.equal(ok.status, 201, ok.text);
  });

  test('seed 004 › POST › placeholder CompanyNumbers (N/A, TBD, -, 0, none, unknown…: the core’s list) are refused', async () => {
    const before = await customerCount(main.tenantId);
    const samples = ['N/A', 'TBD', '-', '0', 'none', 'Unknown', ' n/a ', 'NULL', '??'];
    for (const value of [...samples, ...PLACEHOLDER_COMPANY_NUMBERS]) {
      const res = await main.req('POST', '/customers', { body: body({ CompanyNumber: value }) });
      assertProblem(res, 400, 'ValidationError');
      assert.deepEqual(errorFields(res), ['CompanyNumber'], value);
    }
    assert.equal(await customerCount(main.tenantId), before);
  });

  test('seed 004 › POST › ExternalId is at most 100 characters', async () => {
    const res = await main.req('POST', '/customers', { body: body({ ExternalId: 'e'.repeat(101) }) });
    assertProblem(res, 400, 'ValidationError');
    assert.deepEqual(errorFields(res), ['ExternalId']);
    const ok = await main.req('POST', '/customers', { body: body({ ExternalId: unique('e').padEnd(100, 'x') }) });
    assert.equal(ok.status, 201, ok.text);
    assert.equal(ok.body.ExternalId.length, 100);
  });

  test('seed 004 › POST › Status must be Active or Inactive; Inactive is stored as the core’s inactive', async () => {
    for (const Status of ['active', 'Deleted', 'Blocked', '']) {
      const res = await main.req('POST', '/customers', { body: body({ Status }) });
      assertProblem(res, 400, 'ValidationError');
      assert.deepEqual(res.body.errors.Status, ['must be "Active" or "Inactive"']);
    }
    const inactive = await create(main, { Status: 'Inactive' });
    assert.equal(inactive.Status, 'Inactive');
    assert.equal((await row(inactive.Id)).status, 'inactive');
    const dflt = await create(main);
    assert.equal(dflt.Status, 'Active');
  });

  test('seed 004 › POST › unsupported and read-only fields are silently ignored, never applied', async () => {
    const res = await main.req('POST', '/customers', {
      body: body({
        Id: '00000000-0000-4000-8000-000000000001',
        ETag: '"9"',
        DateCreated: '2001-01-01T00:00:00Z',
        DateModified: '2001-01-01T00:00:00Z',
        SalesAgentId: 'agent-7',
        Contacts: [{ Name: 'Bob' }],
        Notes: 'should not be stored',
        InvoicingInformation: { Terms: 'Net 30' },
        Website: 'https://acme.example',
        BillingAddress: { Street: '2 Main', Country: 'US' },
      }),
    });
    assert.equal(res.status, 201, res.text);
    assert.notEqual(res.body.Id, '00000000-0000-4000-8000-000000000001');
    assert.equal(res.body.ETag, '"1"');
    assert.notEqual(res.body.DateCreated, '2001-01-01T00:00:00.000Z');
    assert.equal(res.body.InvoicingInformation, null);
    const stored = await row(res.body.Id);
    assert.equal(stored.notes, null);
    assert.deepEqual(stored.billing_address, { line1: '2 Main' });
    const read = await main.req('GET', `/customers/${res.body.Id}`);
    assert.equal(read.body.SalesAgentId, null);
    assert.deepEqual(read.body.Contacts, []);
    assert.equal(read.body.Notes, null);
  });

  test('seed 004 › POST › Email and Phone lists: the first is primary, the rest additional; a bad one is named by index', async () => {
    const res = await main.req('POST', '/customers', { body: body({ Email: ['A@Example.com', 'b@example.com'], Phone: ['+1 212 555 0100', '555-1234'], Fax: '+1 (212) 555-0199' }) });
    assert.equal(res.status, 201, res.text);
    assert.deepEqual(res.body.Email, ['a@example.com', 'b@example.com']);
    assert.deepEqual(res.body.Phone, ['+12125550100', '555-1234']);
    assert.equal(res.body.Fax, '+12125550199');
    const v1 = await main.v1.get(`/v1/customers/${res.body.Id}`);
    assert.equal(v1.body.email, 'a@example.com');
    assert.deepEqual(v1.body.additionalEmails, ['b@example.com']);
    assert.equal(v1.body.phone, '+12125550100');
    assert.deepEqual(v1.body.additionalPhones, ['555-1234']);
    const bad = await main.req('POST', '/customers', { body: body({ Email: ['ok@example.com', 'not-an-email'], Phone: ['abc'] }) });
    assertProblem(bad, 400, 'ValidationError');
    assert.deepEqual(errorFields(bad), ['Email[1]', 'Phone[0]']);
  });

  test('seed 004 › POST › property names are matched case-insensitively (camelCase bodies work)', async () => {
    const res = await main.req('POST', '/customers', { body: { name: unique('camel'), type: 'Broker/3PL', billingAddress: { zip: '94105' }, email: ['camel@example.com'] } });
    assert.equal(res.status, 201, res.text);
    assert.equal(res.body.Type, 'Broker/3PL');
    assert.equal(res.body.BillingAddress.Zip, '94105');
    assert.deepEqual(res.body.Email, ['camel@example.com']);
  });

  test('seed 004 › POST › a body that is not JSON is a 400 MalformedJson problem', async () => {
    assertProblem(await main.req('POST', '/customers', { raw: '{"Name": ', contentType: 'application/json' }), 400, 'MalformedJson');
    assertProblem(await main.req('POST', '/customers', { raw: 'Name=x', contentType: 'text/plain' }), 415, 'UnsupportedMediaType');
  });

  test('seed 004 › POST › duplicate CompanyNumber, ExternalId, or Name + billing Zip is 409 naming the field and the existing customerId', async () => {
    const p = await partner();
    const first = await create(p, { Name: 'Globex', CompanyNumber: 'GLX-1', ExternalId: 'crm-1', BillingAddress: { Zip: '10001' } });
    const before = await customerCount(p.tenantId);

    const byNumber = await p.req('POST', '/customers', { body: body({ CompanyNumber: 'GLX-1' }) });
    assertProblem(byNumber, 409, 'Conflict');
    assert.equal(byNumber.body.field, 'CompanyNumber');
    assert.equal(byNumber.body.customerId, first.Id);

    const byExternal = await p.req('POST', '/customers', { body: body({ ExternalId: 'crm-1' }) });
    assertProblem(byExternal, 409, 'Conflict');
    assert.equal(byExternal.body.field, 'ExternalId');
    assert.equal(byExternal.body.customerId, first.Id);

    const byNameZip = await p.req('POST', '/customers', { body: { Name: 'GLOBEX', Type: 'Broker/3PL', BillingAddress: { Zip: '10001', Street: 'elsewhere' } } });
    assertProblem(byNameZip, 409, 'Conflict');
    assert.equal(byNameZip.body.field, 'Name');
    assert.deepEqual(byNameZip.body.fields, ['Name', 'BillingAddress.Zip']);
    assert.equal(byNameZip.body.customerId, first.Id);
    assert.equal(await customerCount(p.tenantId), before);

    assert.equal((await p.req('POST', '/customers', { body: { Name: 'Globex', Type: 'Customer', BillingAddress: { Zip: '10002' } } })).status, 201);
    assert.equal((await p.req('POST', '/customers', { body: { Name: 'Globex', Type: 'Customer' } })).status, 201);
    assert.equal((await p.req('POST', '/customers', { body: { Name: 'Initech', Type: 'Customer', BillingAddress: { Zip: '10001' } } })).status, 201);
  });

  test('seed 004 › POST › duplicates are per tenant: another tenant may use the same CompanyNumber', async () => {
    const number = unique('T');
    await create(main, { CompanyNumber: number });
    const res = await other.req('POST', '/customers', { body: body({ CompanyNumber: number }) });
    assert.equal(res.status, 201, res.text);
  });
});

describe('seed 004 › GET /customers/{id}', () => {
  test('seed 004 › GET › 200 CustomerResponse with the ETag in the header only, read-only fields rendered', async () => {
    const made = await create(main, { CompanyNumber: unique('G'), ExternalId: unique('g') });
    await main.v1.patch(`/v1/customers/${made.Id}`, { notes: 'Prefers e-mail.' });
    const res = await main.req('GET', `/customers/${made.Id}`);
    assert.equal(res.status, 200);
    assert.deepEqual(Object.keys(res.body).sort(), READ_RESPONSE_KEYS);
    assert.equal(res.headers.get('etag'), '"2"');
    assert.equal(res.body.ETag, undefined);
    assert.equal(res.body.SalesAgentId, null);
    assert.deepEqual(res.body.Contacts, []);
    assert.equal(res.body.InvoicingInformation, null);
    assert.equal(res.body.Notes, 'Prefers e-mail.');
    assert.equal(res.body.CompanyNumber, made.CompanyNumber);
    assert.equal(res.body.ExternalId, made.ExternalId);
  });

  test('seed 004 › GET › an unknown id, a non-UUID id and another tenant’s id are all the same 404', async () => {
    const theirs = await create(other);
    const unknown = await main.req('GET', '/customers/00000000-0000-4000-8000-000000000000');
    const crossTenant = await main.req('GET', `/customers/${theirs.Id}`);
    const garbage = await main.req('GET', '/customers/not-an-id');
    for (const res of [unknown, crossTenant, garbage]) {
      assertProblem(res, 404, 'NotFound');
      assert.equal(res.body.detail, unknown.body.detail);
      assert.equal(res.body.code, 'not_found');
    }
    assert.equal((await other.req('GET', `/customers/${theirs.Id}`)).status, 200);
  });

  test('seed 004 › GET › the vendor’s 32-digit id form without dashes names the same customer', async () => {
    const made = await create(main);
    const res = await main.req('GET', `/customers/${made.Id.replaceAll('-', '').toUpperCase()}`);
    assert.equal(res.status, 200);
    assert.equal(res.body.Id, made.Id);
  });

  test('seed 004 › GET › the query form ?id= / ?companyNumber= answers the same; neither is 400; another tenant’s number is 404', async () => {
    const number = unique('Q');
    const made = await create(main, { CompanyNumber: number });
    const byId = await main.req('GET', `/customers?id=${made.Id}`);
    assert.equal(byId.status, 200);
    assert.equal(byId.headers.get('etag'), '"1"');
    const byNumber = await main.req('GET', `/customers?companyNumber=${encodeURIComponent(number)}`);
    assert.equal(byNumber.status, 200);
    assert.deepEqual(byNumber.body, byId.body);
    assertProblem(await main.req('GET', '/customers'), 400, 'ValidationError');
    assertProblem(await other.req('GET', `/customers?companyNumber=${encodeURIComponent(number)}`), 404, 'NotFound');
    assertProblem(await other.req('GET', `/customers?id=${made.Id}`), 404, 'NotFound');
  });
});

describe('seed 004 › the same record through /v1', () => {
  test('seed 004 › a customer written through 004 reads back through /v1 with the same data', async () => {
    const made = await create(main, {
      Type: 'Broker/3PL',
      CompanyNumber: unique('X'),
      ExternalId: unique('x'),
      Status: 'Inactive',
      BillingAddress: { Street: '5 Pier', City: 'Oakland', State: 'CA', Zip: '94607' },
      Email: ['dispatch@example.com', 'billing@example.com'],
      Phone: ['+1 510 555 0100'],
      Fax: '+1 510 555 0101',
    });
    const res = await main.v1.get(`/v1/customers/${made.Id}`);
    assert.equal(res.status, 200);
    const c = res.body;
    assert.equal(res.headers.get('etag'), made.ETag);
    assert.equal(c.name, made.Name);
    assert.equal(c.type, 'business');
    assert.equal(c.category, 'broker_3pl');
    assert.equal(c.status, 'inactive');
    assert.equal(c.companyNumber, made.CompanyNumber);
    assert.equal(c.externalId, made.ExternalId);
    assert.deepEqual(c.billingAddress, { line1: '5 Pier', city: 'Oakland', state: 'CA', postalCode: '94607' });
    assert.equal(c.email, 'dispatch@example.com');
    assert.deepEqual(c.additionalEmails, ['billing@example.com']);
    assert.equal(c.phone, '+15105550100');
    assert.equal(c.fax, '+15105550101');
    assert.equal(c.createdAt, made.DateCreated);
    assert.equal(c.updatedAt, made.DateModified);
  });

  test('seed 004 › a customer written through /v1 reads back through 004 with the same data', async () => {
    const v1 = await main.v1.customer({
      name: 'Jane Smith',
      email: 'jane.v1@example.com',
      additionalEmails: ['jane.alt@example.com'],
      phone: '+44 20 7946 0958',
      status: 'blocked',
      externalId: unique('v1'),
      companyNumber: unique('V'),
      billingAddress: { line1: '1 High St', line2: 'Flat 2', city: 'London', postalCode: 'N1 9GU', country: 'GB' },
      notes: 'VIP',
    });
    const res = await main.req('GET', `/customers/${v1.id}`);
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, {
      Id: v1.id,
      Name: 'Jane Smith',
      CompanyNumber: v1.companyNumber,
      Type: 'Customer',
      Status: 'Inactive',
      BillingAddress: { Street: '1 High St', City: 'London', State: null, Zip: 'N1 9GU' },
      Email: ['jane.v1@example.com', 'jane.alt@example.com'],
      Phone: ['+442079460958'],
      Fax: null,
      DateCreated: v1.createdAt,
      DateModified: v1.updatedAt,
      InvoicingInformation: null,
      ExternalId: v1.externalId,
      SalesAgentId: null,
      Contacts: [],
      Notes: 'VIP',
    });
    assert.equal(res.headers.get('etag'), `"${v1.version}"`);
  });
});

/** The search fixture: one tenant with six customers in known states, newest last. */
async function searchFixture() {
  const p = await partner();
  const tag = unique('Srch');
  const made: Record<string, any> = {};
  made.a = await create(p, { Name: `${tag} Alpha Freight`, CompanyNumber: `${tag}-A`, ExternalId: `${tag}-a`, Email: ['alpha@example.com'], Phone: ['+1 212 555 0111'] });
  made.b = await create(p, { Name: `${tag} Beta Brokers`, Type: 'Broker/3PL', Email: ['beta@example.com'] });
  made.c = await create(p, { Name: `${tag} Gamma`, Status: 'Inactive' });
  made.d = await create(p, { Name: `${tag} Delta` });
  const del = await p.req('DELETE', `/customers/${made.d.Id}`, { headers: ifMatch('"1"') });
  assert.equal(del.status, 204);
  made.e = await p.v1.customer({ name: `${tag} Epsilon`, status: 'blocked' });
  made.f = await create(p, { Name: `${tag} Zeta` });
  await create(other, { Name: `${tag} Other tenant` });
  return { p, tag, made };
}

const { p, tag, made } = await searchFixture();

describe('seed 004 › POST /customers/search', () => {
  const search = async (filters: Record<string, unknown>) => {
    const res = await p.req('POST', '/customers/search', { body: { Name: tag, ...filters } });
    assert.equal(res.status, 200, res.text);
    return res;
  };
  const names = (res: Res) => res.body.Items.map((c: { Name: string }) => c.Name.slice(tag.length + 1));

  test('seed 004 › search › answers {Page, PageSize, HasMore, Items} of CustomerResponses, newest first, only the token’s tenant', async () => {
    const res = await search({});
    assert.deepEqual(Object.keys(res.body).sort(), ['HasMore', 'Items', 'Page', 'PageSize']);
    assert.equal(res.body.Page, 0);
    assert.equal(res.body.PageSize, 25);
    assert.equal(res.body.HasMore, false);
    assert.deepEqual(names(res), ['Zeta', 'Epsilon', 'Delta', 'Gamma', 'Beta Brokers', 'Alpha Freight']);
    for (const item of res.body.Items) assert.deepEqual(Object.keys(item).sort(), READ_RESPONSE_KEYS);
    assert.equal(res.headers.get('etag'), null);
  });

  test('seed 004 › search › Name is a case-insensitive part of the name; CompanyNumber, ExternalId, Type, Email, Phone filter', async () => {
    assert.deepEqual(names(await search({ Name: `${tag} alpha`.toUpperCase() })), ['Alpha Freight']);
    assert.deepEqual(names(await search({ CompanyNumber: `${tag}-A` })), ['Alpha Freight']);
    assert.deepEqual(names(await search({ ExternalId: `${tag}-a` })), ['Alpha Freight']);
    assert.deepEqual(names(await search({ Type: 'Broker/3PL' })), ['Beta Brokers']);
    assert.deepEqual(names(await search({ Email: 'BETA@example.com' })), ['Beta Brokers']);
    assert.deepEqual(names(await search({ Phone: '+1 (212) 555-0111' })), ['Alpha Freight']);
    assert.deepEqual(names(await search({ Name: 'no such name at all' })), []);
  });

  test('seed 004 › search › Status Active excludes deleted and non-active customers; Inactive finds exactly them', async () => {
    assert.deepEqual(names(await search({ Statuses: ['Active'] })), ['Zeta', 'Beta Brokers', 'Alpha Freight']);
    assert.deepEqual(names(await search({ Status: 'Inactive' })), ['Epsilon', 'Delta', 'Gamma']);
    assert.deepEqual(names(await search({ Statuses: ['Active', 'Inactive'] })).length, 6);
    assert.deepEqual(names(await search({ Statuses: [] })).length, 6);
    assert.deepEqual(names(await search({ Statuses: ['Active'], Status: 'Inactive' })), []);
    const deleted = (await search({ Statuses: ['Inactive'] })).body.Items.find((c: { Id: string }) => c.Id === made.d.Id);
    assert.equal(deleted.Status, 'Inactive');
  });

  test('seed 004 › search › paging by zero-based Page and PageSize, HasMore; the Inactive merge pages the same way', async () => {
    const pages = [];
    for (let page = 0; page < 3; page++) pages.push(await search({ Page: page, PageSize: 2 }));
    assert.deepEqual(pages.map(names), [['Zeta', 'Epsilon'], ['Delta', 'Gamma'], ['Beta Brokers', 'Alpha Freight']]);
    assert.deepEqual(pages.map((r) => r.body.HasMore), [true, true, false]);
    assert.deepEqual(pages.map((r) => r.body.Page), [0, 1, 2]);
    const inactive = [await search({ Statuses: ['Inactive'], Page: 0, PageSize: 2 }), await search({ Statuses: ['Inactive'], Page: 1, PageSize: 2 })];
    assert.deepEqual(inactive.map(names), [['Epsilon', 'Delta'], ['Gamma']]);
    assert.deepEqual(inactive.map((r) => r.body.HasMore), [true, false]);
  });

  test('seed 004 › search › paging is bounded: PageSize 1–100, Page ≥ 0, (Page + 1) × PageSize ≤ 10,000', async () => {
    for (const bad of [{ PageSize: 0 }, { PageSize: 101 }, { Page: -1 }, { Page: 100, PageSize: 100 }, { Page: 'one' }]) {
      const res = await p.req('POST', '/customers/search', { body: bad });
      assertProblem(res, 400, 'ValidationError');
      assert.ok(errorFields(res).some((f) => f === 'Page' || f === 'PageSize'), JSON.stringify(bad));
    }
    assert.equal((await p.req('POST', '/customers/search', { body: { Page: 99, PageSize: 100 } })).status, 200);
  });

  test('seed 004 › search › the vendor’s camelCase body (page, pageSize, statuses) and an empty body work', async () => {
    const res = await p.req('POST', '/customers/search', { body: { page: 0, pageSize: 2, statuses: ['Inactive'], name: tag } });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.PageSize, 2);
    assert.deepEqual(names(res), ['Epsilon', 'Delta']);
    const empty = await p.req('POST', '/customers/search');
    assert.equal(empty.status, 200, empty.text);
    assert.equal(empty.body.Items.length, 6);
  });

  test('seed 004 › search › CreatedDateRange bounds are inclusive', async () => {
    const at = made.b.DateCreated;
    assert.deepEqual(names(await search({ CreatedDateRange: { Start: at, End: at } })), ['Beta Brokers']);
    assert.deepEqual(names(await search({ CreatedDateRange: { Start: made.e.createdAt } })), ['Zeta', 'Epsilon']);
    assertProblem(await p.req('POST', '/customers/search', { body: { CreatedDateRange: { Start: 'yesterday' } } }), 400, 'ValidationError');
  });

  test('seed 004 › search › invalid filters are 400 naming them (Status value, Phone that is not a phone)', async () => {
    const status = await p.req('POST', '/customers/search', { body: { Statuses: ['Deleted'] } });
    assertProblem(status, 400, 'ValidationError');
    assert.deepEqual(errorFields(status), ['Statuses[0]']);
    const phone = await p.req('POST', '/customers/search', { body: { Phone: 'call me' } });
    assertProblem(phone, 400, 'ValidationError');
    assert.deepEqual(errorFields(phone), ['Phone']);
  });
});

describe('seed 004 › PATCH /customers/{id}', () => {
  test('seed 004 › PATCH › RFC 7396: omitted fields unchanged, null clears, BillingAddress merges per key, lists replaced', async () => {
    const made = await create(main, {
      CompanyNumber: unique('M'),
      ExternalId: unique('m'),
      BillingAddress: { Street: '1 Main', City: 'City', State: 'NY', Zip: '10001' },
      Email: ['one@example.com', 'two@example.com'],
      Phone: ['555-1234'],
      Fax: '+12125550100',
    });
    const res = await main.req('PATCH', `/customers/${made.Id}`, {
      body: { CompanyNumber: null, Fax: null, BillingAddress: { City: 'Albany', Zip: null }, Email: ['three@example.com'] },
      headers: ifMatch(made.ETag),
    });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(Object.keys(res.body).sort(), WRITE_RESPONSE_KEYS);
    assert.equal(res.body.ETag, '"2"');
    assert.equal(res.headers.get('etag'), '"2"');
    assert.equal(res.body.Name, made.Name);
    assert.equal(res.body.ExternalId, made.ExternalId);
    assert.equal(res.body.CompanyNumber, null);
    assert.equal(res.body.Fax, null);
    assert.deepEqual(res.body.BillingAddress, { Street: '1 Main', City: 'Albany', State: 'NY', Zip: null });
    assert.deepEqual(res.body.Email, ['three@example.com']);
    assert.deepEqual(res.body.Phone, ['555-1234']);
    assert.ok(res.body.DateModified > made.DateModified);
    const stored = await row(made.Id);
    assert.equal(stored.version, 2);
    assert.equal(stored.company_number, null);
    assert.deepEqual(stored.billing_address, { line1: '1 Main', city: 'Albany', state: 'NY' });

    const cleared = await main.req('PATCH', `/customers/${made.Id}`, { body: { BillingAddress: null, Email: null, Phone: [], ExternalId: null }, headers: ifMatch('"2"') });
    assert.equal(cleared.status, 200, cleared.text);
    assert.equal(cleared.body.BillingAddress, null);
    assert.deepEqual(cleared.body.Email, []);
    assert.deepEqual(cleared.body.Phone, []);
    assert.equal(cleared.body.ExternalId, null);
    const channels = await server.db.selectFrom('customer_channels').select('id').where('customer_id', '=', made.Id).execute();
    assert.equal(channels.length, 0);
  });

  test('seed 004 › PATCH › the seed’s example {"Status": "Inactive"} with If-Match is 200 and makes the customer Inactive', async () => {
    const made = await create(main);
    const res = await main.req('PATCH', `/customers/${made.Id}`, { body: { Status: 'Inactive' }, headers: ifMatch(made.ETag) });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.Status, 'Inactive');
    assert.equal((await row(made.Id)).status, 'inactive');
    assert.equal((await row(made.Id)).deleted_at, null);
    const back = await main.req('PATCH', `/customers/${made.Id}`, { body: { Status: 'Active' }, headers: ifMatch(res.body.ETag), contentType: 'application/merge-patch+json' });
    assert.equal(back.status, 200, back.text);
    assert.equal(back.body.Status, 'Active');
  });

  test('seed 004 › PATCH › Type changes the category (and makes the customer a business)', async () => {
    const v1 = await main.v1.customer({ name: 'Individual Person' });
    const res = await main.req('PATCH', `/customers/${v1.id}`, { body: { Type: 'Broker/3PL' }, headers: ifMatch(`"${v1.version}"`) });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.Type, 'Broker/3PL');
    const stored = await row(v1.id);
    assert.equal(stored.category, 'broker_3pl');
    assert.equal(stored.type, 'business');
  });

  test('seed 004 › PATCH › the validation rules hold on update too, and a refused PATCH changes nothing', async () => {
    const made = await create(main);
    const cases: [Record<string, unknown>, string][] = [
      [{ Name: '  ' }, 'Name'],
      [{ Name: 'x'.repeat(201) }, 'Name'],
      [{ Name: null }, 'Name'],
      [{ Type: 'Shipper' }, 'Type'],
      [{ Type: null }, 'Type'],
      [{ Status: 'Deleted' }, 'Status'],
      [{ Status: null }, 'Status'],
      [{ CompanyNumber: 'c'.repeat(33) }, 'CompanyNumber'],
      [{ CompanyNumber: 'TBD' }, 'CompanyNumber'],
      [{ CompanyNumber: '' }, 'CompanyNumber'],
      [{ ExternalId: 'e'.repeat(101) }, 'ExternalId'],
      [{ Email: ['nope'] }, 'Email[0]'],
      [{ BillingAddress: { Zip: 'z'.repeat(21) } }, 'BillingAddress.Zip'],
    ];
    for (const [patch, field] of cases) {
      const res = await main.req('PATCH', `/customers/${made.Id}`, { body: patch, headers: ifMatch(made.ETag) });
      assertProblem(res, 400, 'ValidationError');
      assert.deepEqual(errorFields(res), [field], JSON.stringify(patch));
    }
    const nulled = await main.req('PATCH', `/customers/${made.Id}`, { body: { Name: null }, headers: ifMatch(made.ETag) });
    assert.deepEqual(nulled.body.errors, { Name: ['cannot be cleared (null)'] });
    const stored = await row(made.Id);
    assert.equal(stored.version, 1);
    assert.equal(stored.name, made.Name);
  });

  test('seed 004 › PATCH › unsupported and read-only fields are ignored: a body of only those changes nothing', async () => {
    const made = await create(main);
    const res = await main.req('PATCH', `/customers/${made.Id}`, {
      body: { Id: 'x', Notes: 'no', SalesAgentId: 'a', Contacts: [], InvoicingInformation: {}, DateCreated: 'x', DateModified: 'y', ETag: '"5"', Color: 'red' },
      headers: ifMatch(made.ETag),
    });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.ETag, '"1"');
    assert.equal(res.body.Id, made.Id);
    const stored = await row(made.Id);
    assert.equal(stored.version, 1);
    assert.equal(stored.notes, null);
  });

  test('seed 004 › PATCH › If-Match is required: missing → 428, outdated → 412, weak → 412; nothing changes', async () => {
    const made = await create(main);
    const missing = await main.req('PATCH', `/customers/${made.Id}`, { body: { Name: 'changed' } });
    assertProblem(missing, 428, 'PreconditionRequired');
    const stale = await main.req('PATCH', `/customers/${made.Id}`, { body: { Name: 'changed' }, headers: ifMatch('"7"') });
    assertProblem(stale, 412, 'PreconditionFailed');
    const weak = await main.req('PATCH', `/customers/${made.Id}`, { body: { Name: 'changed' }, headers: ifMatch('W/"1"') });
    assertProblem(weak, 412, 'PreconditionFailed');
    const garbage = await main.req('PATCH', `/customers/${made.Id}`, { body: { Name: 'changed' }, headers: ifMatch('etag-from-prior-read') });
    assertProblem(garbage, 412, 'PreconditionFailed');
    const stored = await row(made.Id);
    assert.equal(stored.version, 1);
    assert.equal(stored.name, made.Name);
    const any = await main.req('PATCH', `/customers/${made.Id}`, { body: { Name: `${made.Name} 2` }, headers: ifMatch('*') });
    assert.equal(any.status, 200, any.text);
  });

  test('seed 004 › PATCH › 404 beats 412 and 428: an unknown or another tenant’s id is 404 whatever the If-Match', async () => {
    const theirs = await create(other);
    for (const headers of [ifMatch('"99"'), ifMatch('"1"'), {}]) {
      assertProblem(await main.req('PATCH', '/customers/00000000-0000-4000-8000-000000000000', { body: { Name: 'x' }, headers }), 404, 'NotFound');
      assertProblem(await main.req('PATCH', `/customers/${theirs.Id}`, { body: { Name: 'x' }, headers }), 404, 'NotFound');
    }
    assert.equal((await row(theirs.Id)).version, 1);
  });

  test('seed 004 › PATCH › two concurrent PATCHes with the same ETag: exactly one 200, the other 412', async () => {
    const made = await create(main);
    const results = await Promise.all([
      main.req('PATCH', `/customers/${made.Id}`, { body: { Name: `${made.Name} first` }, headers: ifMatch(made.ETag) }),
      main.req('PATCH', `/customers/${made.Id}`, { body: { Name: `${made.Name} second` }, headers: ifMatch(made.ETag) }),
    ]);
    assert.deepEqual(results.map((r) => r.status).sort(), [200, 412]);
    const winner = results.find((r) => r.status === 200)!;
    assertProblem(results.find((r) => r.status === 412)!, 412, 'PreconditionFailed');
    const stored = await row(made.Id);
    assert.equal(stored.version, 2);
    assert.equal(stored.name, winner.body.Name);
  });

  test('seed 004 › PATCH › duplicates are 409 naming the field and the existing customerId (CompanyNumber, ExternalId, Name + Zip)', async () => {
    const p = await partner();
    const holder = await create(p, { Name: 'Hooli', CompanyNumber: 'HOO-1', ExternalId: 'hoo-1', BillingAddress: { Zip: '94043' } });
    const made = await create(p, { Name: 'Pied Piper', BillingAddress: { Zip: '94043' } });
    const cases: [Record<string, unknown>, string][] = [
      [{ CompanyNumber: 'HOO-1' }, 'CompanyNumber'],
      [{ ExternalId: 'hoo-1' }, 'ExternalId'],
      [{ Name: 'hooli' }, 'Name'],
    ];
    for (const [patch, field] of cases) {
      const res = await p.req('PATCH', `/customers/${made.Id}`, { body: patch, headers: ifMatch(made.ETag) });
      assertProblem(res, 409, 'Conflict');
      assert.equal(res.body.field, field);
      assert.equal(res.body.customerId, holder.Id);
    }
    assert.equal((await row(made.Id)).version, 1);
    const zipMoves = await p.req('PATCH', `/customers/${made.Id}`, { body: { Name: 'Hooli', BillingAddress: { Zip: '94044' } }, headers: ifMatch(made.ETag) });
    assert.equal(zipMoves.status, 200, zipMoves.text);
  });
});

describe('seed 004 › DELETE /customers/{id} (soft delete) and restore', () => {
  test('seed 004 › DELETE › If-Match is required (428), an outdated one is 412, and 404 beats both', async () => {
    const made = await create(main);
    assertProblem(await main.req('DELETE', `/customers/${made.Id}`), 428, 'PreconditionRequired');
    assertProblem(await main.req('DELETE', `/customers/${made.Id}`, { headers: ifMatch('"2"') }), 412, 'PreconditionFailed');
    assert.equal((await row(made.Id)).deleted_at, null);
    const theirs = await create(other);
    assertProblem(await main.req('DELETE', `/customers/${theirs.Id}`, { headers: ifMatch('"2"') }), 404, 'NotFound');
    assertProblem(await main.req('DELETE', `/customers/${theirs.Id}`), 404, 'NotFound');
    assertProblem(await main.req('DELETE', '/customers/00000000-0000-4000-8000-000000000000', { headers: ifMatch('*') }), 404, 'NotFound');
    assert.equal((await row(theirs.Id)).deleted_at, null);
  });

  test('seed 004 › DELETE › 204; the record stays readable and searchable as Inactive, and /v1 sees it deleted', async () => {
    const made = await create(main, { Name: unique('Deleted Co') });
    const res = await main.req('DELETE', `/customers/${made.Id}`, { headers: ifMatch(made.ETag) });
    assert.equal(res.status, 204);
    assert.equal(res.text, '');
    assert.equal(res.headers.get('etag'), '"2"');
    const stored = await row(made.Id);
    assert.ok(stored.deleted_at);
    assert.equal(stored.status, 'active');
    const read = await main.req('GET', `/customers/${made.Id}`);
    assert.equal(read.status, 200);
    assert.equal(read.body.Status, 'Inactive');
    assert.equal(read.body.Name, made.Name);
    const found = await main.req('POST', '/customers/search', { body: { Name: made.Name } });
    assert.deepEqual(found.body.Items.map((c: { Id: string }) => c.Id), [made.Id]);
    const active = await main.req('POST', '/customers/search', { body: { Name: made.Name, Statuses: ['Active'] } });
    assert.deepEqual(active.body.Items, []);
    const v1 = await main.v1.get(`/v1/customers/${made.Id}`);
    assert.ok(v1.body.deletedAt);
  });

  test('seed 004 › DELETE › the CompanyNumber (and ExternalId) stay reserved: a POST with it is 409 naming the deleted customer', async () => {
    const number = unique('R');
    const ext = unique('r');
    const made = await create(main, { CompanyNumber: number, ExternalId: ext });
    assert.equal((await main.req('DELETE', `/customers/${made.Id}`, { headers: ifMatch(made.ETag) })).status, 204);
    const before = await customerCount(main.tenantId);
    const again = await main.req('POST', '/customers', { body: body({ CompanyNumber: number }) });
    assertProblem(again, 409, 'Conflict');
    assert.equal(again.body.field, 'CompanyNumber');
    assert.equal(again.body.customerId, made.Id);
    const byExt = await main.req('POST', '/customers', { body: body({ ExternalId: ext }) });
    assertProblem(byExt, 409, 'Conflict');
    assert.equal(byExt.body.field, 'ExternalId');
    assert.equal(await customerCount(main.tenantId), before);
  });

  test('seed 004 › DELETE › a PATCH of a deleted customer that does not restore it is 409 CustomerDeleted, nothing changes', async () => {
    const made = await create(main);
    await main.req('DELETE', `/customers/${made.Id}`, { headers: ifMatch(made.ETag) });
    for (const patch of [{ Name: 'changed' }, { Status: 'Inactive' }, {}]) {
      const res = await main.req('PATCH', `/customers/${made.Id}`, { body: patch, headers: ifMatch('"2"') });
      assertProblem(res, 409, 'CustomerDeleted');
      assert.equal(res.body.customerId, made.Id);
      assert.match(res.body.detail, /"Status": "Active"/);
    }
    const stored = await row(made.Id);
    assert.equal(stored.version, 2);
    assert.ok(stored.deleted_at);
  });

  test('seed 004 › DELETE › PATCH {"Status": "Active"} restores it (with the rest of the patch), under If-Match', async () => {
    const made = await create(main, { CompanyNumber: unique('S') });
    await main.req('PATCH', `/customers/${made.Id}`, { body: { Status: 'Inactive' }, headers: ifMatch('"1"') });
    await main.req('DELETE', `/customers/${made.Id}`, { headers: ifMatch('"2"') });
    assertProblem(await main.req('PATCH', `/customers/${made.Id}`, { body: { Status: 'Active' } }), 428, 'PreconditionRequired');
    assertProblem(await main.req('PATCH', `/customers/${made.Id}`, { body: { Status: 'Active' }, headers: ifMatch('"1"') }), 412, 'PreconditionFailed');
    assert.ok((await row(made.Id)).deleted_at);
    const res = await main.req('PATCH', `/customers/${made.Id}`, { body: { Status: 'Active', Fax: '+12125550123' }, headers: ifMatch('"3"') });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.Status, 'Active');
    assert.equal(res.body.Fax, '+12125550123');
    assert.equal(res.body.CompanyNumber, made.CompanyNumber);
    assert.equal(res.headers.get('etag'), res.body.ETag);
    const stored = await row(made.Id);
    assert.equal(stored.deleted_at, null);
    assert.equal(stored.status, 'active');
    assert.equal(`"${stored.version}"`, res.body.ETag);
    const events = await server.db.selectFrom('customer_events').select('type').where('customer_id', '=', made.Id).orderBy('id').execute();
    assert.deepEqual(events.map((e) => e.type), ['customer.created', 'customer.updated', 'customer.deleted', 'customer.restored', 'customer.updated']);
  });

  test('seed 004 › DELETE › a restoring PATCH whose other changes are refused (400, 409) leaves the customer deleted and unchanged', async () => {
    const p = await partner();
    const holder = await create(p, { CompanyNumber: 'HOLD-1' });
    const made = await create(p);
    await p.req('DELETE', `/customers/${made.Id}`, { headers: ifMatch(made.ETag) });
    const invalid = await p.req('PATCH', `/customers/${made.Id}`, { body: { Status: 'Active', CompanyNumber: 'N/A' }, headers: ifMatch('"2"') });
    assertProblem(invalid, 400, 'ValidationError');
    assert.deepEqual(errorFields(invalid), ['CompanyNumber']);
    const taken = await p.req('PATCH', `/customers/${made.Id}`, { body: { Status: 'Active', CompanyNumber: 'HOLD-1' }, headers: ifMatch('"2"') });
    assertProblem(taken, 409, 'Conflict');
    assert.equal(taken.body.customerId, holder.Id);
    const stored = await row(made.Id);
    assert.ok(stored.deleted_at);
    assert.equal(stored.version, 2);
    assert.equal(stored.company_number, null);
    const events = await server.db.selectFrom('customer_events').select('type').where('customer_id', '=', made.Id).orderBy('id').execute();
    assert.deepEqual(events.map((e) => e.type), ['customer.created', 'customer.deleted']);
    assert.equal((await p.req('GET', `/customers/${made.Id}`)).body.Status, 'Inactive');
    assert.equal((await p.req('PATCH', `/customers/${made.Id}`, { body: { Status: 'Active' }, headers: ifMatch('"2"') })).status, 200);
  });

  test('seed 004 › DELETE › deleting an already deleted customer (current If-Match) is 204 and changes nothing', async () => {
    const made = await create(main);
    await main.req('DELETE', `/customers/${made.Id}`, { headers: ifMatch(made.ETag) });
    const again = await main.req('DELETE', `/customers/${made.Id}`, { headers: ifMatch('"2"') });
    assert.equal(again.status, 204);
    assert.equal(again.headers.get('etag'), '"2"');
    assert.equal((await row(made.Id)).version, 2);
    assertProblem(await main.req('DELETE', `/customers/${made.Id}`, { headers: ifMatch('"1"') }), 412, 'PreconditionFailed');
  });
});

describe('seed 004 › writes switched off (EndpointDisabled)', () => {
  test('seed 004 › writes disabled › POST, PATCH and DELETE are 503 EndpointDisabled with Retry-After: 3600; GET and search go on', async () => {
    const p = await partner();
    const made = await create(p);
    const off = await server.admin('PATCH', `/tenants/${p.tenantId}`, { settings: { writesDisabled: true } });
    assert.equal(off.status, 200, off.text);
    const writes = [
      await p.req('POST', '/customers', { body: body() }),
      await p.req('PATCH', `/customers/${made.Id}`, { body: { Name: 'x' }, headers: ifMatch(made.ETag) }),
      await p.req('PATCH', `/customers/${made.Id}`, { body: { Status: 'Active' }, headers: ifMatch(made.ETag) }),
      await p.req('DELETE', `/customers/${made.Id}`, { headers: ifMatch(made.ETag) }),
    ];
    for (const res of writes) {
      assertProblem(res, 503, 'EndpointDisabled');
      assert.equal(res.headers.get('retry-after'), '3600');
      assert.equal(res.body.retryAfter, 3600);
    }
    assert.equal(await customerCount(p.tenantId), 1);
    assert.equal((await row(made.Id)).version, 1);
    assert.equal((await p.req('GET', `/customers/${made.Id}`)).status, 200);
    const found = await p.req('POST', '/customers/search', { body: {} });
    assert.equal(found.status, 200);
    assert.equal(found.body.Items.length, 1);

    await server.admin('PATCH', `/tenants/${p.tenantId}`, { settings: { writesDisabled: false } });
    assert.equal((await p.req('POST', '/customers', { body: body() })).status, 201);
  });
});

describe('seed 004 › errors', () => {
  test('seed 004 › errors › a method the path does not serve is 405 with Allow; an unknown path is 404; both problems', async () => {
    const made = await create(main);
    const put = await main.req('PUT', `/customers/${made.Id}`, { body: {} });
    assertProblem(put, 405, 'MethodNotAllowed');
    assert.equal(put.headers.get('allow'), 'GET, PATCH, DELETE');
    assertProblem(await main.req('GET', '/invoices'), 404, 'NotFound');
  });

  test('seed 004 › errors › every problem carries type, title, status, detail, instance, code and requestId', async () => {
    const res = await main.req('GET', '/customers/00000000-0000-4000-8000-000000000000', { headers: { 'x-request-id': 'req-004-test' } });
    assert.deepEqual(Object.keys(res.body).sort(), ['code', 'detail', 'instance', 'requestId', 'status', 'title', 'type']);
    assert.equal(res.body.instance, `${P}/customers/00000000-0000-4000-8000-000000000000`);
    assert.equal(res.body.requestId, 'req-004-test');
  });
});

describe('seed 004 › documentation', () => {
  test('seed 004 › docs/surfaces/004.md › every curl example answers the status it documents', async () => {
    const p = await partner();
    const customer = await p.v1.customer({ name: 'Jane Smith' });
    const results = await runDocExamples(new URL('../../docs/surfaces/004.md', import.meta.url), { P: server.url, TOKEN: p.token, ID: customer.id });
    assert.ok(results.length >= 15, `only ${results.length} examples found`);
    for (const r of results) assert.equal(r.status, r.expected, `${r.script}\n→ ${r.body}`);
    const created = await server.db.selectFrom('customers').selectAll().where('tenant_id', '=', p.tenantId).where('company_number', '=', 'ACME-1').executeTakeFirstOrThrow();
    assert.equal(created.name, 'Acme Logistics');
    const after = await row(customer.id);
    assert.equal(after.deleted_at, null, 'the examples end with the restore');
    assert.equal(after.status, 'active');
  });
});
