import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { runDocExamples } from '../doc-examples.js';
import { useServer, type Res, type TenantClient } from '../helpers.js';

/**
 * Seed 002 (`002_…txt`): "Create Customer", POST /external/v1/external/v1/customers (and
 * /external/v1/customers), FastAPI-style: snake_case fields, 201 with the created customer,
 * 422 `{"detail": [...]}` for every validation failure. See docs/surfaces/002.md.
 */

const { server, client } = await useServer();

const DOUBLED = '/external/v1/external/v1/customers';
const SINGLE = '/external/v1/customers';
const PATHS = [DOUBLED, SINGLE];

/** The seed's documented example request (its field table's examples; it gives no email example). */
const SEED_EXAMPLE = {
  name: 'Alice Johnson',
  email: 'alice.johnson@example.com',
  whatsapp_number: '2348000000000',
  source: 'web',
  ip: '192.168.1.1',
  city: 'Accra',
  country: 'Ghana',
  location: 'Spintex Road',
  latitude: '5.6037',
  longitude: '0.1870',
  is_active: true,
  company_id: 'CMP-A9B8',
};

const MINIMAL = { name: 'Kofi Mensah', email: 'kofi@example.com', source: 'api' };

const RESPONSE_FIELDS = [
  'id', 'customer_id', 'name', 'email', 'source', 'whatsapp_number', 'ip', 'city', 'country', 'location',
  'latitude', 'longitude', 'is_active', 'company_id', 'organization_id', 'time_created', 'time_updated',
].sort();

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

async function company(t: TenantClient, externalId: string, extra: Record<string, unknown> = {}) {
  return t.customer({ type: 'business', name: `Company ${externalId}`, externalId, ...extra });
}

async function customerCount(t: TenantClient): Promise<number> {
  const row = await server.db
    .selectFrom('customers')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('tenant_id', '=', t.tenant.id)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Asserts a 422 with FastAPI's body and returns its `detail` list. */
function assert422(res: Res): { type: string; loc: (string | number)[]; msg: string; input?: unknown; ctx?: Record<string, unknown> }[] {
  assert.equal(res.status, 422, res.text);
  assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
  assert.deepEqual(Object.keys(res.body), ['detail']);
  assert.ok(Array.isArray(res.body.detail) && res.body.detail.length > 0, res.text);
  for (const entry of res.body.detail) {
    assert.equal(typeof entry.type, 'string');
    assert.equal(typeof entry.msg, 'string');
    assert.ok(Array.isArray(entry.loc) && entry.loc[0] === 'body', res.text);
  }
  return res.body.detail;
}

const locsAndTypes = (detail: { loc: (string | number)[]; type: string }[]) => detail.map((d) => [d.loc.join('.'), d.type]);

/** A refused write: 422 (or the given status) and nothing stored in the tenant. */
async function refused(t: TenantClient, send: () => Promise<Res>, status = 422): Promise<Res> {
  const before = await customerCount(t);
  const res = await send();
  assert.equal(res.status, status, res.text);
  assert.equal(await customerCount(t), before, 'nothing is stored');
  return res;
}

describe('seed 002 › POST /customers › the documented request', () => {
  for (const path of PATHS) {
    test(`seed 002 › POST ${path} › the seed's example request sent as written → 201 with every documented field`, async () => {
      const t = await server.tenant();
      const acme = await company(t, 'CMP-A9B8');
      const res = await t.post(path, SEED_EXAMPLE);
      assert.equal(res.status, 201, res.text);
      assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
      const body = res.body;
      assert.deepEqual(Object.keys(body).sort(), RESPONSE_FIELDS);
      // The generated ids and timestamps, with the seed's types.
      assert.ok(Number.isInteger(body.id));
      assert.match(body.customer_id, UUID);
      assert.match(body.time_created, ISO);
      assert.match(body.time_updated, ISO);
      assert.equal(body.organization_id, t.tenant.number);
      assert.equal(body.company_id, acme.number);
      // "All fields from the request body are also returned", as the core holds them.
      assert.equal(body.name, 'Alice Johnson');
      assert.equal(body.email, 'alice.johnson@example.com');
      assert.equal(body.whatsapp_number, '+2348000000000');
      assert.equal(body.source, 'web');
      assert.equal(body.ip, '192.168.1.1');
      assert.equal(body.city, 'Accra');
      assert.equal(body.country, 'Ghana');
      assert.equal(body.location, 'Spintex Road');
      assert.equal(body.latitude, '5.6037');
      assert.equal(body.longitude, '0.187');
      assert.equal(body.is_active, true);
    });
  }

  test('seed 002 › POST /customers › both paths serve the same endpoint, trailing slash included', async () => {
    for (const path of [...PATHS, `${DOUBLED}/`, `${SINGLE}/`]) {
      const res = await client.post(path, MINIMAL);
      assert.equal(res.status, 201, `${path}: ${res.text}`);
    }
  });

  test('seed 002 › POST /customers › the database holds the created individual customer, its channels and a created event', async () => {
    const t = await server.tenant();
    const acme = await company(t, 'CMP-A9B8');
    const res = await t.post(DOUBLED, SEED_EXAMPLE);
    assert.equal(res.status, 201, res.text);
    const row = await server.db.selectFrom('customers').selectAll().where('id', '=', res.body.customer_id).executeTakeFirstOrThrow();
    assert.equal(row.tenant_id, t.tenant.id);
    assert.equal(row.number, res.body.id);
    assert.equal(row.type, 'individual');
    assert.equal(row.status, 'active');
    assert.equal(row.name, 'Alice Johnson');
    assert.equal(row.first_name, 'Alice');
    assert.equal(row.last_name, 'Johnson');
    assert.equal(row.source, 'web');
    assert.equal(row.ip, '192.168.1.1');
    assert.equal(row.company_id, acme.id);
    assert.deepEqual(row.location, { city: 'Accra', country: 'Ghana', description: 'Spintex Road', latitude: 5.6037, longitude: 0.187 });
    assert.equal(row.deleted_at, null);
    const channels = await server.db.selectFrom('customer_channels').selectAll().where('customer_id', '=', row.id).execute();
    assert.deepEqual(channels.map((c) => [c.type, c.value]).sort(), [
      ['email', 'alice.johnson@example.com'],
      ['whatsapp', '+2348000000000'],
    ]);
    const events = await server.db.selectFrom('customer_events').selectAll().where('customer_id', '=', row.id).execute();
    assert.deepEqual(events.map((e) => e.type), ['customer.created']);
  });

  test('seed 002 › POST /customers › a customer created here reads back through /v1 with the same data', async () => {
    const t = await server.tenant();
    const acme = await company(t, 'CMP-A9B8');
    const created = (await t.post(SINGLE, SEED_EXAMPLE)).body;
    const v1 = await t.get(`/v1/customers/${created.customer_id}`);
    assert.equal(v1.status, 200);
    assert.equal(v1.body.id, created.customer_id);
    assert.equal(v1.body.number, created.id);
    assert.equal(v1.body.name, created.name);
    assert.equal(v1.body.email, created.email);
    assert.equal(v1.body.whatsapp, created.whatsapp_number);
    assert.equal(v1.body.ip, created.ip);
    assert.equal(v1.body.source, created.source);
    assert.equal(v1.body.type, 'individual');
    assert.equal(v1.body.status, 'active');
    assert.equal(v1.body.companyId, acme.id);
    assert.deepEqual(v1.body.location, { city: 'Accra', country: 'Ghana', description: 'Spintex Road', latitude: 5.6037, longitude: 0.187 });
    assert.equal(v1.body.createdAt, created.time_created);
    assert.equal(v1.body.updatedAt, created.time_updated);
    // Found by its WhatsApp number through /v1, whatever way it was written.
    const found = await t.get(`/v1/customers?phone=${encodeURIComponent('+234 800 000 0000')}`);
    assert.deepEqual(found.body.data.map((c: { id: string }) => c.id), [created.customer_id]);
  });

  test('seed 002 › POST /customers › a company written through /v1 is referenced by its externalId and answered with its number', async () => {
    const t = await server.tenant();
    await t.customer({ name: 'Someone first' });
    const acme = await company(t, 'CMP-XYZ1');
    const res = await t.post(SINGLE, { ...MINIMAL, company_id: 'CMP-XYZ1' });
    assert.equal(res.status, 201, res.text);
    assert.equal(res.body.company_id, acme.number);
    assert.notEqual(res.body.company_id, res.body.id);
    assert.equal((await t.get(`/v1/customers/${res.body.customer_id}`)).body.companyId, acme.id);
  });

  test('seed 002 › POST /customers › only the required fields: 201 with every other field null and is_active true', async () => {
    const res = await client.post(SINGLE, MINIMAL);
    assert.equal(res.status, 201, res.text);
    assert.deepEqual(Object.keys(res.body).sort(), RESPONSE_FIELDS);
    for (const field of ['whatsapp_number', 'ip', 'city', 'country', 'location', 'latitude', 'longitude', 'company_id']) {
      assert.equal(res.body[field], null, field);
    }
    assert.equal(res.body.is_active, true);
    const row = await server.db.selectFrom('customers').selectAll().where('id', '=', res.body.customer_id).executeTakeFirstOrThrow();
    assert.equal(row.location, null);
    assert.equal(row.company_id, null);
  });

  test('seed 002 › POST /customers › null in an optional field is the same as leaving it out', async () => {
    const res = await client.post(SINGLE, {
      ...MINIMAL,
      whatsapp_number: null, ip: null, city: null, country: null, location: null, latitude: null, longitude: null, is_active: null, company_id: null,
    });
    assert.equal(res.status, 201, res.text);
    assert.equal(res.body.is_active, true);
    assert.equal(res.body.company_id, null);
    assert.equal(res.body.latitude, null);
  });

  test('seed 002 › POST /customers › is_active false creates an inactive customer; true an active one', async () => {
    const inactive = await client.post(SINGLE, { ...MINIMAL, is_active: false });
    assert.equal(inactive.status, 201, inactive.text);
    assert.equal(inactive.body.is_active, false);
    assert.equal((await client.get(`/v1/customers/${inactive.body.customer_id}`)).body.status, 'inactive');
    const active = await client.post(SINGLE, { ...MINIMAL, is_active: true });
    assert.equal((await client.get(`/v1/customers/${active.body.customer_id}`)).body.status, 'active');
  });

  test('seed 002 › POST /customers › fields come back as the core holds them: trimmed name, lower-cased email, E.164 WhatsApp', async () => {
    const res = await client.post(SINGLE, { name: '  Ama Owusu ', email: ' Ama.Owusu@Example.COM ', source: ' whatsapp ', whatsapp_number: '+233 24 123 4567', ip: '2001:DB8::1' });
    assert.equal(res.status, 201, res.text);
    assert.equal(res.body.name, 'Ama Owusu');
    assert.equal(res.body.email, 'ama.owusu@example.com');
    assert.equal(res.body.source, 'whatsapp');
    assert.equal(res.body.whatsapp_number, '+233241234567');
    assert.equal(res.body.ip, '2001:db8::1');
  });

  test('seed 002 › POST /customers › latitude and longitude: decimal strings or JSON numbers, range bounds included, always answered as strings', async () => {
    for (const [latitude, longitude, expected] of [
      ['5.6037', '-0.1870', ['5.6037', '-0.187']],
      [5.6037, -0.187, ['5.6037', '-0.187']],
      ['90', '-180', ['90', '-180']],
      [-90, 180, ['-90', '180']],
      [' 1.5e1 ', '+.5', ['15', '0.5']],
      ['0', 0, ['0', '0']],
    ] as const) {
      const res = await client.post(SINGLE, { ...MINIMAL, latitude, longitude });
      assert.equal(res.status, 201, `${String(latitude)}, ${String(longitude)}: ${res.text}`);
      assert.deepEqual([res.body.latitude, res.body.longitude], expected);
    }
  });

  test('seed 002 › POST /customers › unknown fields are ignored, the response\'s own fields included, and never reach the core', async () => {
    const res = await client.post(SINGLE, {
      ...MINIMAL,
      id: 999999, customer_id: 'not-mine', organization_id: 42, time_created: '2000-01-01T00:00:00Z', nickname: 'K', type: 'business', status: 'blocked', notes: 'x',
    });
    assert.equal(res.status, 201, res.text);
    assert.notEqual(res.body.id, 999999);
    assert.match(res.body.customer_id, UUID);
    assert.equal(res.body.organization_id, client.tenant.number);
    assert.notEqual(res.body.time_created, '2000-01-01T00:00:00Z');
    const v1 = (await client.get(`/v1/customers/${res.body.customer_id}`)).body;
    assert.equal(v1.type, 'individual');
    assert.equal(v1.status, 'active');
    assert.equal(v1.notes, null);
    assert.deepEqual(v1.customFields, {});
  });

  test('seed 002 › POST /customers › id is the per-tenant number and organization_id the tenant\'s number', async () => {
    const a = await server.tenant();
    const b = await server.tenant();
    const a1 = (await a.post(SINGLE, MINIMAL)).body;
    const a2 = (await a.post(SINGLE, MINIMAL)).body;
    const b1 = (await b.post(SINGLE, MINIMAL)).body;
    assert.notEqual(a1.id, a2.id);
    assert.notEqual(a1.customer_id, a2.customer_id);
    assert.equal(a1.organization_id, a.tenant.number);
    assert.equal(b1.organization_id, b.tenant.number);
    assert.notEqual(a.tenant.number, b.tenant.number);
    // Another tenant sees nothing of it.
    assert.equal((await b.get(`/v1/customers/${a1.customer_id}`)).status, 404);
  });

  test('seed 002 › POST /customers › no uniqueness in the seed: the same request twice creates two customers', async () => {
    const first = await client.post(SINGLE, MINIMAL);
    const second = await client.post(SINGLE, MINIMAL);
    assert.equal(first.status, 201);
    assert.equal(second.status, 201);
    assert.notEqual(first.body.customer_id, second.body.customer_id);
  });
});

describe('seed 002 › POST /customers › 422 validation errors', () => {
  test('seed 002 › 422 › each required field (name, email, source) missing → type "missing" at ["body", field], all at once', async () => {
    const res = await refused(client, () => client.post(DOUBLED, {}));
    const detail = assert422(res);
    assert.deepEqual(detail, [
      { type: 'missing', loc: ['body', 'name'], msg: 'Field required', input: {} },
      { type: 'missing', loc: ['body', 'email'], msg: 'Field required', input: {} },
      { type: 'missing', loc: ['body', 'source'], msg: 'Field required', input: {} },
    ]);
    for (const field of ['name', 'email', 'source'] as const) {
      const body: Record<string, unknown> = { ...MINIMAL };
      delete body[field];
      const one = assert422(await refused(client, () => client.post(SINGLE, body)));
      assert.deepEqual(locsAndTypes(one), [[`body.${field}`, 'missing']]);
      assert.deepEqual(one[0]!.input, body);
    }
  });

  test('seed 002 › 422 › null in a required field → string_type', async () => {
    const detail = assert422(await refused(client, () => client.post(SINGLE, { name: null, email: null, source: null })));
    assert.deepEqual(locsAndTypes(detail), [['body.name', 'string_type'], ['body.email', 'string_type'], ['body.source', 'string_type']]);
    assert.equal(detail[0]!.msg, 'Input should be a valid string');
  });

  test('seed 002 › 422 › wrong JSON types: string fields → string_type, is_active → bool_type (no coercion of "true")', async () => {
    const detail = assert422(
      await refused(client, () =>
        client.post(SINGLE, {
          name: 42, email: ['a@b.co'], source: true, whatsapp_number: 2348000000000, ip: {}, city: 1, country: false, location: [],
          latitude: true, longitude: { v: 1 }, is_active: 'true', company_id: 12,
        }),
      ),
    );
    assert.deepEqual(locsAndTypes(detail), [
      ['body.name', 'string_type'], ['body.email', 'string_type'], ['body.source', 'string_type'], ['body.whatsapp_number', 'string_type'],
      ['body.ip', 'string_type'], ['body.city', 'string_type'], ['body.country', 'string_type'], ['body.location', 'string_type'],
      ['body.latitude', 'string_type'], ['body.longitude', 'string_type'], ['body.is_active', 'bool_type'], ['body.company_id', 'string_type'],
    ]);
    const isActive = detail.find((d) => d.loc[1] === 'is_active')!;
    assert.equal(isActive.msg, 'Input should be a valid boolean');
    assert.equal(isActive.input, 'true');
    for (const value of [1, 0, 'false', 'yes']) {
      const one = assert422(await refused(client, () => client.post(SINGLE, { ...MINIMAL, is_active: value })));
      assert.deepEqual(locsAndTypes(one), [['body.is_active', 'bool_type']]);
    }
  });

  test('seed 002 › 422 › email must be a valid address → value_error at ["body", "email"]', async () => {
    for (const email of ['not-an-email', 'a@b', 'two@@example.com']) {
      const detail = assert422(await refused(client, () => client.post(SINGLE, { ...MINIMAL, email })));
      assert.deepEqual(detail, [{ type: 'value_error', loc: ['body', 'email'], msg: 'value is not a valid email address', input: email }]);
    }
  });

  test('seed 002 › 422 › ip must be IPv4 or IPv6 → ip_any_address', async () => {
    for (const ip of ['1.2.3', '999.1.1.1', 'localhost', '']) {
      const detail = assert422(await refused(client, () => client.post(SINGLE, { ...MINIMAL, ip })));
      assert.deepEqual(detail, [{ type: 'ip_any_address', loc: ['body', 'ip'], msg: 'value is not a valid IPv4 or IPv6 address', input: ip }]);
    }
  });

  test('seed 002 › 422 › whatsapp_number must be a phone number → value_error', async () => {
    const detail = assert422(await refused(client, () => client.post(SINGLE, { ...MINIMAL, whatsapp_number: 'call me' })));
    assert.deepEqual(locsAndTypes(detail), [['body.whatsapp_number', 'value_error']]);
    assert.equal(detail[0]!.input, 'call me');
  });

  test('seed 002 › 422 › blank name or source (empty or only spaces) → string_too_short', async () => {
    const detail = assert422(await refused(client, () => client.post(SINGLE, { name: '   ', email: 'a@example.com', source: '' })));
    assert.deepEqual(detail, [
      { type: 'string_too_short', loc: ['body', 'name'], msg: 'String should have at least 1 character', input: '   ', ctx: { min_length: 1 } },
      { type: 'string_too_short', loc: ['body', 'source'], msg: 'String should have at least 1 character', input: '', ctx: { min_length: 1 } },
    ]);
  });

  test('seed 002 › 422 › latitude/longitude strings that are not numbers → float_parsing', async () => {
    for (const value of ['abc', '', 'NaN', 'Infinity', '0x10', '5,6', '1e999', '5.6.7']) {
      const detail = assert422(await refused(client, () => client.post(SINGLE, { ...MINIMAL, latitude: value, longitude: value })));
      assert.deepEqual(detail, [
        { type: 'float_parsing', loc: ['body', 'latitude'], msg: 'Input should be a valid number, unable to parse string as a number', input: value },
        { type: 'float_parsing', loc: ['body', 'longitude'], msg: 'Input should be a valid number, unable to parse string as a number', input: value },
      ], value);
    }
  });

  test('seed 002 › 422 › latitude outside −90…90 and longitude outside −180…180 → less_than_equal / greater_than_equal', async () => {
    const high = assert422(await refused(client, () => client.post(SINGLE, { ...MINIMAL, latitude: '90.0001', longitude: 180.5 })));
    assert.deepEqual(high, [
      { type: 'less_than_equal', loc: ['body', 'latitude'], msg: 'Input should be less than or equal to 90', input: '90.0001', ctx: { le: 90 } },
      { type: 'less_than_equal', loc: ['body', 'longitude'], msg: 'Input should be less than or equal to 180', input: 180.5, ctx: { le: 180 } },
    ]);
    const low = assert422(await refused(client, () => client.post(SINGLE, { ...MINIMAL, latitude: -91, longitude: '-181' })));
    assert.deepEqual(locsAndTypes(low), [['body.latitude', 'greater_than_equal'], ['body.longitude', 'greater_than_equal']]);
    assert.deepEqual(low.map((d) => d.ctx), [{ ge: -90 }, { ge: -180 }]);
  });

  test('seed 002 › 422 › the core\'s length limits → string_too_long with max_length', async () => {
    const detail = assert422(
      await refused(client, () =>
        client.post(SINGLE, { name: 'n'.repeat(201), email: 'a@example.com', source: 's'.repeat(51), city: 'c'.repeat(101), country: 'k'.repeat(101), location: 'l'.repeat(501) }),
      ),
    );
    assert.deepEqual(
      detail.map((d) => [d.loc[1], d.type, d.ctx?.max_length]),
      [['name', 'string_too_long', 200], ['source', 'string_too_long', 50], ['city', 'string_too_long', 100], ['country', 'string_too_long', 100], ['location', 'string_too_long', 500]],
    );
    assert.equal(detail[0]!.msg, 'String should have at most 200 characters');
    const ok = await client.post(SINGLE, { name: 'n'.repeat(200), email: 'a@example.com', source: 's'.repeat(50), location: 'l'.repeat(500) });
    assert.equal(ok.status, 201, `the limits themselves are allowed: ${ok.text}`);
  });


  test('seed 002 › 422 › every bad value is reported in one response, in the seed\'s field order', async () => {
    const detail = assert422(
      await refused(client, () =>
        client.post(SINGLE, { longitude: '999', latitude: 'north', ip: 'nope', source: 'web', email: 'bad', name: ' ', whatsapp_number: 'x', company_id: 'CMP-NONE' }),
      ),
    );
    assert.deepEqual(locsAndTypes(detail), [
      ['body.name', 'string_too_short'], ['body.email', 'value_error'], ['body.whatsapp_number', 'value_error'],
      ['body.ip', 'ip_any_address'], ['body.latitude', 'float_parsing'], ['body.longitude', 'less_than_equal'],
    ]);
  });

  test('seed 002 › 422 › malformed JSON → json_invalid at ["body"], nothing stored', async () => {
    for (const raw of ['{"name": ', '{name: "x"}', "{'name': 'x'}", '{"name": "x",}', 'not json']) {
      const detail = assert422(await refused(client, () => client.request('POST', DOUBLED, { raw })));
      assert.equal(detail.length, 1);
      assert.equal(detail[0]!.type, 'json_invalid');
      assert.deepEqual(detail[0]!.loc, ['body']);
      assert.equal(detail[0]!.msg, 'JSON decode error');
      assert.deepEqual(detail[0]!.input, {});
      assert.equal(typeof detail[0]!.ctx?.error, 'string');
    }
  });

  test('seed 002 › 422 › a JSON body with a __proto__ key is refused as json_invalid', async () => {
    const detail = assert422(await refused(client, () => client.request('POST', SINGLE, { raw: '{"name": "A", "email": "a@example.com", "source": "web", "__proto__": {"x": 1}}' })));
    assert.deepEqual(locsAndTypes(detail), [['body', 'json_invalid']]);
  });

  test('seed 002 › 422 › no body, an empty body or JSON null → "missing" at ["body"]', async () => {
    for (const send of [
      () => client.request('POST', SINGLE, {}),
      () => client.request('POST', SINGLE, { raw: '' }),
      () => client.request('POST', SINGLE, { raw: 'null' }),
    ]) {
      const detail = assert422(await refused(client, send));
      assert.deepEqual(detail, [{ type: 'missing', loc: ['body'], msg: 'Field required', input: null }]);
    }
  });

  test('seed 002 › 422 › a JSON body that is not an object → model_attributes_type at ["body"]', async () => {
    for (const body of [[MINIMAL], 'Alice', 42, true]) {
      const detail = assert422(await refused(client, () => client.post(SINGLE, body)));
      assert.deepEqual(detail, [{ type: 'model_attributes_type', loc: ['body'], msg: 'Input should be a valid dictionary or object to extract fields from', input: body }]);
    }
  });

  test('seed 002 › 422 › a non-JSON content type is a 422 (model_attributes_type), never a 415', async () => {
    const json = JSON.stringify(MINIMAL);
    for (const [contentType, raw] of [
      ['text/plain', json],
      ['application/x-www-form-urlencoded', 'name=Alice&email=a%40example.com&source=web'],
      ['multipart/form-data; boundary=x', '--x\r\nContent-Disposition: form-data; name="name"\r\n\r\nAlice\r\n--x--\r\n'],
      ['application/xml', '<customer/>'],
    ] as const) {
      const detail = assert422(await refused(client, () => client.request('POST', SINGLE, { raw, contentType })));
      assert.deepEqual(detail, [{ type: 'model_attributes_type', loc: ['body'], msg: 'Input should be a valid dictionary or object to extract fields from', input: raw }], contentType);
    }
    const invalidHeader = assert422(await refused(client, () => client.request('POST', SINGLE, { raw: json, contentType: 'not a content type' })));
    assert.deepEqual(locsAndTypes(invalidHeader), [['body', 'model_attributes_type']]);
  });

  test('seed 002 › POST /customers › a body without Content-Type, or with an application/*+json type, is read as JSON (as FastAPI does)', async () => {
    const noType = await client.request('POST', SINGLE, { raw: Buffer.from(JSON.stringify(MINIMAL)), contentType: null });
    assert.equal(noType.status, 201, noType.text);
    for (const contentType of ['application/json; charset=utf-8', 'application/vnd.api+json', 'application/merge-patch+json']) {
      const res = await client.request('POST', SINGLE, { raw: JSON.stringify(MINIMAL), contentType });
      assert.equal(res.status, 201, `${contentType}: ${res.text}`);
    }
    const badJson = assert422(await refused(client, () => client.request('POST', SINGLE, { raw: '{oops', contentType: 'application/vnd.api+json' })));
    assert.deepEqual(locsAndTypes(badJson), [['body', 'json_invalid']]);
  });
});

describe('seed 002 › POST /customers › company_id', () => {
  test('seed 002 › company_id › an externalId no business customer of the tenant has → 422 at ["body", "company_id"], nothing stored', async () => {
    const t = await server.tenant();
    const detail = assert422(await refused(t, () => t.post(SINGLE, { ...MINIMAL, company_id: 'CMP-0000' })));
    assert.deepEqual(detail, [
      { type: 'value_error', loc: ['body', 'company_id'], msg: 'Value error, no company (business customer) of this organization has this id', input: 'CMP-0000' },
    ]);
  });

  test('seed 002 › company_id › an individual customer is not a company → 422', async () => {
    const t = await server.tenant();
    await t.customer({ type: 'individual', externalId: 'CMP-PERSON' });
    assert422(await refused(t, () => t.post(SINGLE, { ...MINIMAL, company_id: 'CMP-PERSON' })));
  });

  test('seed 002 › company_id › a deleted company → 422', async () => {
    const t = await server.tenant();
    const gone = await company(t, 'CMP-GONE');
    assert.equal((await t.delete(`/v1/customers/${gone.id}`)).status, 200);
    assert422(await refused(t, () => t.post(SINGLE, { ...MINIMAL, company_id: 'CMP-GONE' })));
  });

  test('seed 002 › company_id › a company of another tenant is answered exactly as an unknown one', async () => {
    const mine = await server.tenant();
    const other = await server.tenant();
    await company(other, 'CMP-THEIRS');
    const theirs = await refused(mine, () => mine.post(SINGLE, { ...MINIMAL, company_id: 'CMP-THEIRS' }));
    const control = await server.tenant();
    const unknown = await refused(control, () => control.post(SINGLE, { ...MINIMAL, company_id: 'CMP-THEIRS' }));
    assert.equal(theirs.status, unknown.status);
    assert.deepEqual(theirs.body, unknown.body);
  });

  test('seed 002 › company_id › the externalId is matched after trimming, as the core stores it', async () => {
    const t = await server.tenant();
    const acme = await company(t, 'CMP-TRIM');
    const res = await t.post(SINGLE, { ...MINIMAL, company_id: ' CMP-TRIM ' });
    assert.equal(res.status, 201, res.text);
    assert.equal(res.body.company_id, acme.number);
  });
});

describe('seed 002 › POST /customers › authentication and scopes', () => {
  test('seed 002 › auth › no Authorization header → 401 {"detail": "Not authenticated"} with a Bearer challenge, nothing stored', async () => {
    for (const path of PATHS) {
      const res = await refused(client, () => server.request('POST', path, { body: MINIMAL }), 401);
      assert.deepEqual(res.body, { detail: 'Not authenticated' });
      assert.equal(res.headers.get('www-authenticate'), 'Bearer realm="patron"');
    }
  });

  test('seed 002 › auth › a non-Bearer Authorization header → 401 "Not authenticated"', async () => {
    const res = await refused(client, () => server.request('POST', SINGLE, { body: MINIMAL, headers: { authorization: `Basic ${Buffer.from('a:b').toString('base64')}` } }), 401);
    assert.deepEqual(res.body, { detail: 'Not authenticated' });
  });

  test('seed 002 › auth › an unknown or revoked token → 401 with a string detail', async () => {
    const unknown = await refused(client, () => server.request('POST', SINGLE, { body: MINIMAL, token: 'ptn_not_a_real_token' }), 401);
    assert.deepEqual(unknown.body, { detail: 'The access token is invalid.' });
    assert.match(unknown.headers.get('www-authenticate') ?? '', /error="invalid_token"/);
    const { id, token } = await server.createToken(client.tenant.id, ['customers:create']);
    assert.equal((await server.admin('DELETE', `/tokens/${id}`)).status, 200);
    const revoked = await refused(client, () => server.request('POST', SINGLE, { body: MINIMAL, token }), 401);
    assert.deepEqual(revoked.body, { detail: 'The access token has been revoked.' });
  });

  test('seed 002 › auth › a token without customers:create → 403, checked before the body (even a malformed one)', async () => {
    const { token } = await server.createToken(client.tenant.id, ['customers:read', 'customers:update']);
    const res = await refused(client, () => server.request('POST', DOUBLED, { body: SEED_EXAMPLE, token }), 403);
    assert.deepEqual(res.body, { detail: 'This request needs the customers:create scope.' });
    assert.match(res.headers.get('www-authenticate') ?? '', /error="insufficient_scope"/);
    const malformed = await refused(client, () => server.request('POST', DOUBLED, { raw: '{bad', token }), 403);
    assert.equal(typeof malformed.body.detail, 'string');
    const invalid = await refused(client, () => server.request('POST', DOUBLED, { body: {}, token }), 403);
    assert.equal(typeof invalid.body.detail, 'string');
  });

  test('seed 002 › auth › customers:create, customers:write and the alias customer:create each allow the create', async () => {
    for (const scopes of [['customers:create'], ['customers:write'], ['customer:create']]) {
      const { token } = await server.createToken(client.tenant.id, scopes);
      const res = await server.request('POST', SINGLE, { body: MINIMAL, token });
      assert.equal(res.status, 201, `${scopes.join(' ')}: ${res.text}`);
    }
  });

  test('seed 002 › auth › an OAuth client-credentials access token works as the bearer token', async () => {
    const t = await server.tenant();
    const oauthClient = await server.admin('POST', `/tenants/${t.tenant.id}/oauth-clients`, { name: 'seed 002 partner', scopes: ['customer:create'] });
    assert.equal(oauthClient.status, 201, oauthClient.text);
    const grant = await server.request('POST', '/oauth/token', {
      raw: new URLSearchParams({ grant_type: 'client_credentials', client_id: oauthClient.body.clientId, client_secret: oauthClient.body.clientSecret }).toString(),
      contentType: 'application/x-www-form-urlencoded',
    });
    assert.equal(grant.status, 200, grant.text);
    const res = await server.request('POST', DOUBLED, { body: MINIMAL, token: grant.body.access_token });
    assert.equal(res.status, 201, res.text);
    assert.equal(res.body.organization_id, t.tenant.number);
    const row = await server.db.selectFrom('customers').select('tenant_id').where('id', '=', res.body.customer_id).executeTakeFirstOrThrow();
    assert.equal(row.tenant_id, t.tenant.id);
  });

  test('seed 002 › auth › a suspended tenant → 403 with a string detail', async () => {
    const t = await server.tenant();
    assert.equal((await server.admin('PATCH', `/tenants/${t.tenant.id}`, { status: 'suspended' })).status, 200);
    const res = await refused(t, () => t.post(SINGLE, MINIMAL), 403);
    assert.deepEqual(res.body, { detail: 'The tenant is suspended.' });
  });

  test('seed 002 › auth › the customer is created in the token\'s tenant only', async () => {
    const a = await server.tenant();
    const b = await server.tenant();
    const before = await customerCount(b);
    const res = await a.post(SINGLE, MINIMAL);
    const row = await server.db.selectFrom('customers').select('tenant_id').where('id', '=', res.body.customer_id).executeTakeFirstOrThrow();
    assert.equal(row.tenant_id, a.tenant.id);
    assert.equal(await customerCount(b), before);
  });
});

describe('seed 002 › other errors', () => {
  test('seed 002 › 405 › another method on /customers → {"detail": "Method Not Allowed"} with Allow: POST', async () => {
    for (const path of PATHS) {
      for (const method of ['GET', 'PUT', 'PATCH', 'DELETE']) {
        const res = await client.request(method, path, method === 'GET' || method === 'DELETE' ? {} : { body: MINIMAL });
        assert.equal(res.status, 405, `${method} ${path}`);
        assert.deepEqual(res.body, { detail: 'Method Not Allowed' });
        assert.equal(res.headers.get('allow'), 'POST');
      }
    }
  });

  test('seed 002 › 404 › an unknown path under the prefixes → {"detail": "Not Found"}', async () => {
    for (const path of ['/external/v1/external/v1/nothing', '/external/v1/customers/123', '/external/v1/orders']) {
      const res = await client.get(path);
      assert.equal(res.status, 404, path);
      assert.deepEqual(res.body, { detail: 'Not Found' });
    }
  });

  test('seed 002 › 503 › while the tenant\'s writes are switched off → a string detail and Retry-After, nothing stored', async () => {
    const t = await server.tenant();
    assert.equal((await server.admin('PATCH', `/tenants/${t.tenant.id}`, { settings: { writesDisabled: true } })).status, 200);
    const res = await refused(t, () => t.post(SINGLE, MINIMAL), 503);
    assert.equal(typeof res.body.detail, 'string');
    assert.equal(res.headers.get('retry-after'), '3600');
    await server.admin('PATCH', `/tenants/${t.tenant.id}`, { settings: { writesDisabled: null } });
    assert.equal((await t.post(SINGLE, MINIMAL)).status, 201);
  });

  test('seed 002 › 413 › a body over the server limit → {"detail": …}', async () => {
    const res = await refused(client, () => client.post(SINGLE, { ...MINIMAL, padding: 'x'.repeat(300_000) }), 413);
    assert.equal(typeof res.body.detail, 'string');
  });
});

describe('seed 002 › documentation', () => {
  test('seed 002 › docs/surfaces/002.md › every curl example answers its documented status', async () => {
    const t = await server.tenant();
    const results = await runDocExamples(new URL('../../docs/surfaces/002.md', import.meta.url), { P: server.url, TOKEN: t.token });
    assert.ok(results.length >= 8, `found ${results.length} examples`);
    for (const r of results) assert.equal(r.status, r.expected, `${r.script}\n→ ${r.body}`);
    // The seed's example, as documented, created Alice in company CMP-A9B8.
    const alice = results.find((r) => r.script.includes('"Alice Johnson"') && r.expected === 201)!;
    const body = JSON.parse(alice.body);
    const acme = (await t.get('/v1/customers?externalId=CMP-A9B8')).body.data[0];
    assert.equal(body.company_id, acme.number);
    assert.equal(body.whatsapp_number, '+2348000000000');
  });
});
