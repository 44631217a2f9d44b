import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { KyselyPlugin, PluginTransformQueryArgs, PluginTransformResultArgs } from 'kysely';
import type { Ctx } from '../../src/core/context.js';
import { customFieldFromString } from '../../src/core/custom-fields/custom-field.rules.js';
import { CustomFieldService } from '../../src/core/custom-fields/custom-field.service.js';
import { CustomerService } from '../../src/core/customers/customer.service.js';
import { NumberAllocator } from '../../src/core/customers/numbers.js';
import { getTenant } from '../../src/core/tenants/tenant.service.js';
import { runApiDocSections } from '../doc-examples.js';
import { useServer } from '../helpers.js';

const { server, client } = await useServer();

/** A tenant whose token may also define custom fields. */
async function definer() {
  const t = await server.tenant();
  const { token } = await server.createToken(t.tenant.id, ['customers:read', 'customers:write', 'custom_fields:write']);
  const admin = (method: string, path: string, body?: unknown) => server.request(method, path, { token, body });
  return { t, token, admin };
}

async function define(admin: Awaited<ReturnType<typeof definer>>['admin'], body: Record<string, unknown>) {
  const res = await admin('POST', '/v1/custom-fields', body);
  assert.equal(res.status, 201, res.text);
  return res.body;
}

async function storedFields(id: string) {
  const row = await server.db.selectFrom('customers').select(['custom_fields', 'version']).where('id', '=', id).executeTakeFirstOrThrow();
  return row;
}

const ids = (res: { body: { data: { id: string }[] } }) => res.body.data.map((c) => c.id).sort();

describe('seed 003: custom field definitions (/v1/custom-fields)', () => {
  test('create (201, Location), list, get, patch label and options (merged), delete (204, then 404)', async () => {
    const { admin } = await definer();
    const created = await admin('POST', '/v1/custom-fields', { name: 'loyaltyTier', type: 'enum', label: ' Loyalty tier ', options: { values: ['gold', 'silver'] } });
    assert.equal(created.status, 201, created.text);
    assert.equal(created.headers.get('location'), '/v1/custom-fields/loyaltyTier');
    assert.deepEqual(
      { name: created.body.name, type: created.body.type, label: created.body.label, options: created.body.options },
      { name: 'loyaltyTier', type: 'enum', label: 'Loyalty tier', options: { values: ['gold', 'silver'] } },
    );
    await define(admin, { name: 'age', type: 'number', options: { min: 0 } });

    const list = await admin('GET', '/v1/custom-fields');
    assert.equal(list.status, 200);
    assert.deepEqual(list.body.data.map((d: { name: string }) => d.name), ['age', 'loyaltyTier']);
    const one = await admin('GET', '/v1/custom-fields/age');
    assert.equal(one.status, 200);
    assert.deepEqual(one.body.options, { min: 0 });
    assert.equal(one.body.label, null);

    const patched = await admin('PATCH', '/v1/custom-fields/age', { label: 'Age', options: { max: 130 } });
    assert.equal(patched.status, 200, patched.text);
    assert.equal(patched.body.label, 'Age');
    assert.deepEqual(patched.body.options, { min: 0, max: 130 }, 'options merge (RFC 7396)');
    const unset = await admin('PATCH', '/v1/custom-fields/age', { label: null, options: { min: null }, type: 'number' });
    assert.equal(unset.status, 200, unset.text);
    assert.equal(unset.body.label, null);
    assert.deepEqual(unset.body.options, { max: 130 });

    assert.equal((await admin('DELETE', '/v1/custom-fields/age')).status, 204);
    assert.equal((await admin('GET', '/v1/custom-fields/age')).status, 404);
    assert.equal((await admin('DELETE', '/v1/custom-fields/age')).status, 404);
    assert.equal((await admin('PATCH', '/v1/custom-fields/age', { label: 'x' })).status, 404);
  });

  test('the type can’t change (400 naming type), and the definition is left as it was', async () => {
    const { t, admin } = await definer();
    await define(admin, { name: 'score', type: 'number', label: 'Score' });
    const res = await admin('PATCH', '/v1/custom-fields/score', { type: 'string', label: 'Changed' });
    assert.equal(res.status, 400);
    assert.equal(res.body.errors[0].field, 'type');
    assert.equal(res.body.errors[0].code, 'immutable');
    const row = await server.db.selectFrom('custom_field_definitions').selectAll().where('tenant_id', '=', t.tenant.id).where('name', '=', 'score').executeTakeFirstOrThrow();
    assert.equal(row.type, 'number');
    assert.equal(row.label, 'Score');
  });

  const badDefinitions: [string, Record<string, unknown>, string, string][] = [
    ['a name starting with a digit', { name: '1st', type: 'string' }, 'name', 'pattern'],
    ['a name with a dash', { name: 'my-field', type: 'string' }, 'name', 'pattern'],
    ['a name over 64 characters', { name: `a${'b'.repeat(64)}`, type: 'string' }, 'name', 'pattern'],
    ['an unknown type', { name: 'x', type: 'json' }, 'type', 'enum'],
    ['an enum without values', { name: 'x', type: 'enum' }, 'options.values', 'required'],
    ['an enum with no values', { name: 'x', type: 'enum', options: { values: [] } }, 'options.values', 'minItems'],
    ['an enum with 101 values', { name: 'x', type: 'enum', options: { values: Array.from({ length: 101 }, (_, i) => `v${i}`) } }, 'options.values', 'maxItems'],
    ['an enum repeating a value', { name: 'x', type: 'enum', options: { values: ['a', 'a'] } }, 'options.values', 'uniqueItems'],
    ['an enum with a blank value', { name: 'x', type: 'enum', options: { values: ['a', ' '] } }, 'options.values', 'blank'],
    ['maxLength on a number', { name: 'x', type: 'number', options: { maxLength: 5 } }, 'options.maxLength', 'not_applicable'],
    ['values on a string', { name: 'x', type: 'string', options: { values: ['a'] } }, 'options.values', 'not_applicable'],
    ['min on a date', { name: 'x', type: 'date', options: { min: 1 } }, 'options.min', 'not_applicable'],
    ['maxLength over the per-value limit', { name: 'x', type: 'string', options: { maxLength: 2049 } }, 'options.maxLength', 'maximum'],
    ['min greater than max', { name: 'x', type: 'number', options: { min: 5, max: 1 } }, 'options.min', 'out_of_range'],
    ['a blank label', { name: 'x', type: 'string', label: '  ' }, 'label', 'blank'],
    ['an unknown option', { name: 'x', type: 'string', options: { pattern: '.*' } }, 'options.pattern', 'unknown_field'],
  ];
  for (const [what, body, field, code] of badDefinitions) {
    test(`a definition with ${what} is a 400 naming ${field}, and nothing is stored`, async () => {
      const { t, admin } = await definer();
      const res = await admin('POST', '/v1/custom-fields', body);
      assert.equal(res.status, 400, res.text);
      const error = res.body.errors.find((e: { field: string }) => e.field === field);
      assert.ok(error, JSON.stringify(res.body.errors));
      assert.equal(error.code, code);
      assert.deepEqual(await server.db.selectFrom('custom_field_definitions').select('name').where('tenant_id', '=', t.tenant.id).execute(), []);
    });
  }

  test('a second definition with the same name is a 409', async () => {
    const { admin } = await definer();
    await define(admin, { name: 'plan', type: 'string' });
    const res = await admin('POST', '/v1/custom-fields', { name: 'plan', type: 'number' });
    assert.equal(res.status, 409);
    assert.equal(res.body.code, 'duplicate');
    assert.equal(res.body.field, 'name');
    assert.equal((await admin('GET', '/v1/custom-fields/plan')).body.type, 'string');
  });

  test('writing definitions needs custom_fields:write, which customers:write does not grant; reading needs customers:read', async () => {
    const t = await server.tenant();
    for (const [method, path, body] of [
      ['POST', '/v1/custom-fields', { name: 'x', type: 'string' }],
      ['PATCH', '/v1/custom-fields/x', { label: 'y' }],
      ['DELETE', '/v1/custom-fields/x', undefined],
    ] as const) {
      const res = await t.request(method, path, { body });
      assert.equal(res.status, 403, `${method} ${path}`);
      assert.equal(res.body.code, 'insufficient_scope');
      assert.match(res.body.detail, /custom_fields:write/);
    }
    assert.deepEqual(await server.db.selectFrom('custom_field_definitions').select('name').where('tenant_id', '=', t.tenant.id).execute(), []);
    const { token } = await server.createToken(t.tenant.id, ['custom_fields:write']);
    assert.equal((await server.request('POST', '/v1/custom-fields', { token, body: { name: 'x', type: 'string' } })).status, 201);
    assert.equal((await server.request('GET', '/v1/custom-fields', { token })).status, 403, 'reads need customers:read');
    assert.equal((await t.get('/v1/custom-fields/x')).status, 200);
  });

  test('definitions are per tenant: another tenant neither sees them nor is bound by them', async () => {
    const { admin } = await definer();
    await define(admin, { name: 'vip', type: 'boolean' });
    const other = await server.tenant();
    assert.deepEqual((await other.get('/v1/custom-fields')).body.data, []);
    assert.equal((await other.get('/v1/custom-fields/vip')).status, 404);
    const free = await other.post('/v1/customers', { name: 'Free Form', customFields: { vip: 'very', anything: { nested: [1, 2] } } });
    assert.equal(free.status, 201, free.text);
    assert.deepEqual(free.body.customFields, { vip: 'very', anything: { nested: [1, 2] } });
  });
});

describe('seed 003: customer writes against the definitions', () => {
  test('a tenant without definitions keeps free-form customFields (merge patch per key)', async () => {
    const customer = await client.customer({ customFields: { a: 1, b: 'two', c: { d: true } } });
    const res = await client.patch(`/v1/customers/${customer.id}`, { customFields: { a: null, e: [1] } });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body.customFields, { b: 'two', c: { d: true }, e: [1] });
  });

  test('an unknown key is a 400 naming it (unknown_custom_field), and nothing is stored', async () => {
    const { t, admin } = await definer();
    await define(admin, { name: 'tier', type: 'string' });
    const before = await server.countCustomers(t.tenant.id);
    const res = await t.post('/v1/customers', { name: 'Unknown Key', customFields: { tier: 'gold', favouriteColour: 'blue' } });
    assert.equal(res.status, 400, res.text);
    assert.equal(res.body.code, 'validation_failed');
    assert.equal(res.body.errors.length, 1);
    assert.equal(res.body.errors[0].field, 'customFields.favouriteColour');
    assert.equal(res.body.errors[0].code, 'unknown_custom_field');
    assert.match(res.body.errors[0].message, /favouriteColour/);
    assert.equal(await server.countCustomers(t.tenant.id), before);

    const customer = await t.customer({ customFields: { tier: 'gold' } });
    const patch = await t.patch(`/v1/customers/${customer.id}`, { name: 'Changed Name', customFields: { nope: 1 } });
    assert.equal(patch.status, 400);
    assert.equal(patch.body.errors[0].field, 'customFields.nope');
    const row = await storedFields(customer.id);
    assert.deepEqual(row.custom_fields, { tier: 'gold' });
    assert.equal(row.version, customer.version);
    const name = await server.db.selectFrom('customers').select('name').where('id', '=', customer.id).executeTakeFirstOrThrow();
    assert.equal(name.name, customer.name);

    const upsert = await t.put('/v1/customers/by-external-id/cf-upsert', { name: 'Up', customFields: { nope: 1 } });
    assert.equal(upsert.status, 400);
    assert.equal(upsert.body.errors[0].code, 'unknown_custom_field');
  });

  test('field errors and custom field errors come back together in one 400', async () => {
    const { t, admin } = await definer();
    await define(admin, { name: 'age', type: 'number' });
    const res = await t.post('/v1/customers', { name: 'Both', email: 'not-an-email', customFields: { age: 'old' } });
    assert.equal(res.status, 400);
    assert.deepEqual(res.body.errors.map((e: { field: string }) => e.field).sort(), ['customFields.age', 'email']);
  });

  const typeCases: { def: Record<string, unknown>; good: unknown[]; bad: [unknown, string][] }[] = [
    { def: { type: 'string', options: { maxLength: 5 } }, good: ['abc', 'abcde', ''], bad: [['abcdef', 'too_long'], [5, 'invalid_type'], [true, 'invalid_type']] },
    { def: { type: 'number', options: { min: 0, max: 10 } }, good: [0, 10, 2.5], bad: [['5', 'invalid_type'], [-1, 'out_of_range'], [10.01, 'out_of_range'], [false, 'invalid_type']] },
    { def: { type: 'number' }, good: [-1e9, 0.1], bad: [['1', 'invalid_type'], [{}, 'invalid_type']] },
    { def: { type: 'boolean' }, good: [true, false], bad: [['true', 'invalid_type'], [1, 'invalid_type']] },
    {
      def: { type: 'date' },
      good: ['2026-02-28', '2024-02-29', '1999-12-31'],
      bad: [['2026-02-30', 'invalid_date'], ['2025-02-29', 'invalid_date'], ['2026-13-01', 'invalid_date'], ['2026-2-1', 'invalid_date'], ['2026-02-01T00:00:00Z', 'invalid_date'], [20260201, 'invalid_date']],
    },
    { def: { type: 'enum', options: { values: ['gold', 'silver'] } }, good: ['gold', 'silver'], bad: [['bronze', 'invalid_option'], ['Gold', 'invalid_option'], [1, 'invalid_option']] },
  ];
  for (const { def, good, bad } of typeCases) {
    test(`a ${def.type} field ${JSON.stringify(def.options ?? {})}: accepts ${good.map((v) => JSON.stringify(v)).join(', ')}; refuses ${bad.map(([v]) => JSON.stringify(v)).join(', ')}`, async () => {
      const { t, admin } = await definer();
      await define(admin, { name: 'field', ...def });
      for (const value of good) {
        const res = await t.post('/v1/customers', { name: 'Good Value', customFields: { field: value } });
        assert.equal(res.status, 201, `${JSON.stringify(value)}: ${res.text}`);
        assert.deepEqual(res.body.customFields, { field: value });
      }
      const customer = await t.customer({ customFields: { field: good[0] } });
      const count = await server.countCustomers(t.tenant.id);
      for (const [value, code] of bad) {
        const created = await t.post('/v1/customers', { name: 'Bad Value', customFields: { field: value } });
        assert.equal(created.status, 400, `${JSON.stringify(value)} was accepted`);
        assert.deepEqual(
          created.body.errors.map((e: { field: string; code: string }) => [e.field, e.code]),
          [['customFields.field', code]],
          JSON.stringify(value),
        );
        assert.match(created.body.errors[0].message, /"field"/);
        const patched = await t.patch(`/v1/customers/${customer.id}`, { customFields: { field: value } });
        assert.equal(patched.status, 400);
      }
      assert.equal(await server.countCustomers(t.tenant.id), count, 'no refused customer was stored');
      const row = await storedFields(customer.id);
      assert.deepEqual(row.custom_fields, { field: good[0] });
      assert.equal(row.version, 1);
    });
  }

  test('only the keys a write changes are checked: a value left from a deleted definition doesn’t block other writes', async () => {
    const { t, admin } = await definer();
    await define(admin, { name: 'legacy', type: 'string' });
    await define(admin, { name: 'current', type: 'number' });
    const customer = await t.customer({ customFields: { legacy: 'old', current: 1 } });
    assert.equal((await admin('DELETE', '/v1/custom-fields/legacy')).status, 204);
    const got = await t.get(`/v1/customers/${customer.id}`);
    assert.deepEqual(got.body.customFields, { legacy: 'old', current: 1 }, 'deleting a definition keeps the values');

    const unrelated = await t.patch(`/v1/customers/${customer.id}`, { name: 'Renamed', customFields: { current: 2, legacy: 'old' } });
    assert.equal(unrelated.status, 200, unrelated.text);
    assert.deepEqual(unrelated.body.customFields, { legacy: 'old', current: 2 });
    const changed = await t.patch(`/v1/customers/${customer.id}`, { customFields: { legacy: 'new' } });
    assert.equal(changed.status, 400);
    assert.equal(changed.body.errors[0].code, 'unknown_custom_field');
    const removed = await t.patch(`/v1/customers/${customer.id}`, { customFields: { legacy: null } });
    assert.equal(removed.status, 200, 'removing an undefined key is always allowed');
    assert.deepEqual(removed.body.customFields, { current: 2 });
  });

  test('a definition applies at once, and deleting the last one makes the tenant free-form again', async () => {
    const { t, admin } = await definer();
    assert.equal((await t.post('/v1/customers', { name: 'Before', customFields: { anything: 1 } })).status, 201);
    await define(admin, { name: 'only', type: 'string' });
    assert.equal((await t.post('/v1/customers', { name: 'During', customFields: { anything: 1 } })).status, 400);
    assert.equal((await admin('PATCH', '/v1/custom-fields/only', { label: 'Only' })).status, 200);
    assert.equal((await admin('DELETE', '/v1/custom-fields/only')).status, 204);
    assert.equal((await t.post('/v1/customers', { name: 'After', customFields: { anything: 1 } })).status, 201);
  });

  test('an enum’s options can change; values already stored stay', async () => {
    const { t, admin } = await definer();
    await define(admin, { name: 'tier', type: 'enum', options: { values: ['gold', 'silver'] } });
    const customer = await t.customer({ customFields: { tier: 'silver' } });
    assert.equal((await admin('PATCH', '/v1/custom-fields/tier', { options: { values: ['gold', 'platinum'] } })).status, 200);
    assert.equal((await t.post('/v1/customers', { name: 'P', customFields: { tier: 'platinum' } })).status, 201);
    assert.equal((await t.post('/v1/customers', { name: 'S', customFields: { tier: 'silver' } })).status, 400);
    assert.deepEqual((await t.get(`/v1/customers/${customer.id}`)).body.customFields, { tier: 'silver' });
    const bad = await admin('PATCH', '/v1/custom-fields/tier', { options: { values: null } });
    assert.equal(bad.status, 400, 'an enum can’t lose its values');
    assert.equal(bad.body.errors[0].field, 'options.values');
  });
});

describe('seed 003: filtering lists by custom field (customFields.<name>=value)', () => {
  async function fixture() {
    const { t, admin } = await definer();
    await define(admin, { name: 'age', type: 'number' });
    await define(admin, { name: 'vip', type: 'boolean' });
    await define(admin, { name: 'tier', type: 'enum', options: { values: ['gold', 'silver'] } });
    await define(admin, { name: 'city', type: 'string' });
    await define(admin, { name: 'since', type: 'date' });
    const a = await t.customer({ customFields: { age: 42, vip: true, tier: 'gold', city: "O'Brien Town", since: '2024-02-29' } });
    const b = await t.customer({ customFields: { age: 7, vip: false, tier: 'silver', city: 'Leeds' } });
    const c = await t.customer({ customFields: {} });
    return { t, admin, a, b, c };
  }

  test('number and boolean fields compare typed; others as text; filters combine with each other and the rest', async () => {
    const { t, a, b } = await fixture();
    assert.deepEqual(ids(await t.get('/v1/customers?customFields.age=42')), [a.id]);
    assert.deepEqual(ids(await t.get('/v1/customers?customFields.age=42.0')), [a.id], '42.0 is the number 42');
    assert.deepEqual(ids(await t.get('/v1/customers?customFields.age=%2B7')), [b.id]);
    assert.deepEqual(ids(await t.get('/v1/customers?customFields.vip=true')), [a.id]);
    assert.deepEqual(ids(await t.get('/v1/customers?customFields.vip=false')), [b.id]);
    assert.deepEqual(ids(await t.get('/v1/customers?customFields.tier=silver')), [b.id]);
    assert.deepEqual(ids(await t.get(`/v1/customers?customFields.city=${encodeURIComponent("O'Brien Town")}`)), [a.id], 'a quote is just text');
    assert.deepEqual(ids(await t.get('/v1/customers?customFields.since=2024-02-29')), [a.id]);
    assert.deepEqual(ids(await t.get('/v1/customers?customFields.tier=gold&customFields.vip=false')), []);
    assert.deepEqual(ids(await t.get('/v1/customers?customFields.tier=gold&customFields.age=42')), [a.id]);
    assert.deepEqual(ids(await t.get(`/v1/customers?customFields.tier=gold&email=${encodeURIComponent(a.email)}`)), [a.id]);
  });

  test('an undefined name, a non-number for a number field or a malformed name is a 400 naming the parameter', async () => {
    const { t } = await fixture();
    for (const [query, field, code] of [
      ['customFields.colour=red', 'customFields.colour', 'unknown_custom_field'],
      ['customFields.age=old', 'customFields.age', 'invalid_type'],
      ['customFields.vip=maybe', 'customFields.vip', 'invalid_type'],
      [`customFields.${encodeURIComponent("age' OR 1=1 --")}=1`, "customFields.age' OR 1=1 --", 'invalid_key'],
      ['customFields.=1', 'customFields.', 'invalid_key'],
    ]) {
      const res = await t.get(`/v1/customers?${query}`);
      assert.equal(res.status, 400, `${query}: ${res.text}`);
      assert.equal(res.body.errors[0].field, field, query);
      assert.equal(res.body.errors[0].code, code, query);
    }
    assert.equal((await t.get('/v1/customers?customFields.age=1&customFields.age=2')).status, 400, 'one value per field');
    assert.equal((await t.get('/v1/customers?customfields.age=1')).status, 400, 'other parameters are still unknown');
  });

  test('on a tenant without definitions every name compares as text', async () => {
    const t = await server.tenant();
    const a = await t.customer({ customFields: { plan: 'gold', seats: 5, trial: true } });
    await t.customer({ customFields: { plan: 'free' } });
    assert.deepEqual(ids(await t.get('/v1/customers?customFields.plan=gold')), [a.id]);
    assert.deepEqual(ids(await t.get('/v1/customers?customFields.seats=5')), [a.id]);
    assert.deepEqual(ids(await t.get('/v1/customers?customFields.trial=true')), [a.id]);
    assert.deepEqual(ids(await t.get('/v1/customers?customFields.nobody=x')), []);
    const other = await server.tenant();
    assert.deepEqual((await other.get('/v1/customers?customFields.plan=gold')).body.data, [], 'another tenant’s customers never match');
  });
});

describe('seed 003: custom fields in the core', () => {
  test('customFieldFromString turns form text into the definition’s type (for custom_<name> form fields)', () => {
    assert.equal(customFieldFromString({ type: 'number' }, '42'), 42);
    assert.equal(customFieldFromString({ type: 'number' }, ' -4.5e1 '), -45);
    assert.equal(customFieldFromString({ type: 'number' }, 'forty'), 'forty', 'unreadable text is kept, so the write names the field');
    assert.equal(customFieldFromString({ type: 'number' }, 'Infinity'), 'Infinity');
    assert.equal(customFieldFromString({ type: 'boolean' }, 'true'), true);
    assert.equal(customFieldFromString({ type: 'boolean' }, 'FALSE'), false);
    assert.equal(customFieldFromString({ type: 'boolean' }, '1'), true);
    assert.equal(customFieldFromString({ type: 'boolean' }, 'off'), false);
    assert.equal(customFieldFromString({ type: 'boolean' }, 'maybe'), 'maybe');
    assert.equal(customFieldFromString({ type: 'number' }, ''), null, 'an empty value clears');
    assert.equal(customFieldFromString({ type: 'date' }, ' 2026-01-31 '), '2026-01-31');
    assert.equal(customFieldFromString({ type: 'enum' }, 'gold'), 'gold');
    assert.equal(customFieldFromString({ type: 'string' }, ' as typed '), ' as typed ');
    assert.equal(customFieldFromString(undefined, '42'), '42', 'without a definition, text stays text');
  });

  test('fromStrings converts by the tenant’s definitions, and the customer write then checks them', async () => {
    const { t, admin } = await definer();
    await define(admin, { name: 'age', type: 'number' });
    await define(admin, { name: 'vip', type: 'boolean' });
    const service = new CustomFieldService(server.db);
    const ctx: Ctx = { tenant: await getTenant(server.db, t.tenant.id), actor: { type: 'system', id: null } };
    assert.deepEqual(await service.fromStrings(ctx, { age: '42', vip: 'true', other: 'x' }), { age: 42, vip: true, other: 'x' });
    const customers = new CustomerService(server.db, new NumberAllocator(server.db), service);
    const created = await customers.create(ctx, { name: 'From Form', customFields: await service.fromStrings(ctx, { age: '42', vip: 'false' }) });
    assert.deepEqual(created.customFields, { age: 42, vip: false });
    await assert.rejects(customers.create(ctx, { name: 'Bad Form', customFields: await service.fromStrings(ctx, { age: 'forty' }) }), (err: { errors: { field: string }[] }) => {
      assert.equal(err.errors[0]!.field, 'customFields.age');
      return true;
    });
  });

  test('writes that leave customFields alone read no definitions; the first that sets one reads them once, then the cache', async () => {
    const { t, admin } = await definer();
    await define(admin, { name: 'age', type: 'number' });
    let reads = 0;
    const counter: KyselyPlugin = {
      transformQuery(args: PluginTransformQueryArgs) {
        if (JSON.stringify(args.node).includes('"custom_field_definitions"')) reads++;
        return args.node;
      },
      transformResult: async (args: PluginTransformResultArgs) => args.result,
    };
    const db = server.db.withPlugin(counter);
    const service = new CustomFieldService(db);
    const customers = new CustomerService(db, new NumberAllocator(db), service);
    const ctx: Ctx = { tenant: await getTenant(server.db, t.tenant.id), actor: { type: 'system', id: null } };

    const customer = await customers.create(ctx, { name: 'No Fields', email: 'nofields@example.com' });
    await customers.update(ctx, customer.id, { notes: 'still no custom fields' });
    await customers.update(ctx, customer.id, { customFields: null });
    assert.equal(reads, 0, 'no definitions read for writes that change no custom field');

    await customers.update(ctx, customer.id, { customFields: { age: 1 } });
    await customers.update(ctx, customer.id, { customFields: { age: 2 } });
    await customers.create(ctx, { name: 'With Fields', customFields: { age: 3 } });
    assert.equal(reads, 1, 'read once, then cached');
  });
});

describe('docs/api.md', () => {
  test('the curl examples of the Brands and Custom fields sections answer as documented', async () => {
    const { t, token } = await definer();
    const brand = (await server.admin('POST', `/tenants/${t.tenant.id}/brands`, { name: 'Doc Brand' })).body;
    const customer = await t.customer({ name: 'Doc Example' });
    // Only these sections' blocks: other sections' examples need other set-ups.
    const results = await runApiDocSections(['Brands', 'Custom fields'], { P: `${server.url}/v1`, TOKEN: token, ID: customer.id, BRAND_ID: String(brand.id) });
    assert.equal(results.length, 9);
    for (const r of results) assert.equal(r.status, r.expected, `${r.script}\n→ ${r.body}`);
    const shoe = await t.get('/v1/customers/by-external-id/SHOE-42');
    assert.equal(shoe.body.brandId, brand.id);
    const after = await storedFields(customer.id);
    assert.deepEqual(after.custom_fields, { loyaltyTier: 'gold' }, 'the refused patches changed nothing');
    assert.equal(after.version, 2);
  });
});
