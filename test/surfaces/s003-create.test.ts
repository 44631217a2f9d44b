import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { after, describe, test } from 'node:test';
import { useServer } from '../helpers.js';
import { assertError, assertResult, encode, ENCODINGS, P, seed003Tenant, unique, uniqueName } from './s003-helpers.js';

/**
 * Seed 003's creates (POST index, createCustomerCRUD) and what every write shares: the three
 * body encodings, the seed's validation patterns, custom_<name> fields, channel pairs, and
 * what is refused (files, repeated and unknown fields).
 */

// A CRM that only counts what it is asked: enough to see whether a create looked a customer up.
let crmRequests = 0;
const crm = createServer((_req, res) => {
  crmRequests++;
  res.writeHead(404).end();
});
await new Promise<void>((resolve) => crm.listen(0, '127.0.0.1', resolve));
after(() => new Promise<void>((resolve) => crm.close(() => resolve())));
const crmUrl = `http://127.0.0.1:${(crm.address() as { port: number }).port}/lookup`;

const { server } = await useServer({ outboundAllow: ['127.0.0.1'] });
const t = await seed003Tenant(server);

const countCustomers = () => server.countCustomers(t.tenantId);

describe('seed 003: POST /api/v2/customer (index POST) in each body encoding', () => {
  for (const encoding of ENCODINGS) {
    test(`seed 003: a create sent as ${encoding} answers 201 {message, type: "result", id} and /v1 reads what it wrote`, async () => {
      const brand = await t.brand();
      const primaryId = unique('P-');
      const res = await t.send('POST', '', { brand_id: brand.id, primary_id: primaryId, firstname: 'Zoë', lastname: "O'Brien-Smith", extra_email: 'Zoe@Example.com', extra_telephone: '+31205550100', noSync: true }, encoding);
      assertResult(res, 201, 'Customer created.');
      assert.deepEqual(Object.keys(res.body).sort(), ['id', 'message', 'type']);
      const v1 = await t.v1Customer(res.body.id);
      assert.equal(v1.externalId, primaryId);
      assert.equal(v1.brandId, brand.id);
      assert.equal(v1.firstName, 'Zoë');
      assert.equal(v1.lastName, "O'Brien-Smith");
      assert.equal(v1.name, "Zoë O'Brien-Smith", 'name = "first last"');
      assert.equal(v1.email, 'zoe@example.com');
      assert.equal(v1.phone, '+31205550100');

      const item = await t.get(`/${res.body.id}`);
      assert.equal(item.status, 200, item.text);
      assert.equal(item.body.brand_name, brand.name);
      assert.equal(item.body.external_primary_id, primaryId);
      assert.deepEqual(
        item.body.channels.map((c: { channel: string; channel_id: number; value: string; primary: boolean }) => [c.channel, c.channel_id, c.value, c.primary]),
        [
          ['email', 1, 'zoe@example.com', true],
          ['telephone', 2, '+31205550100', true],
        ],
      );
    });
  }

  test('seed 003: the seed’s own create example sent as written is a 400 naming channel_id and extra_telephone (both "text", which their patterns refuse)', async () => {
    const before = await countCustomers();
    const res = await t.send('POST', '', {
      channel_id: 'text',
      customer_link_channel: 'text',
      search_customer_channel_value: 'text',
      brand_id: 1,
      primary_id: 'text',
      noSync: true,
      firstname: '',
      lastname: '',
      ticket_id: 1,
      extra_email: '[email protected]',
      extra_telephone: 'text',
      custom_testfield: 'text',
    });
    assertError(res, 400, 'validation_failed', ['channel_id', 'extra_telephone']);
    assert.match(res.body.errors.extra_telephone[0], /\^\\\+\[0-9\]\+\$/);
    assert.equal(await countCustomers(), before, 'nothing created');
  });

  test('seed 003: empty fields are fields not sent (the seed’s example sends firstname="" and lastname="")', async () => {
    const res = await t.send('POST', '', { firstname: '', lastname: '', primary_id: unique('E-'), noSync: true });
    assertResult(res, 201, 'Customer created.');
    const v1 = await t.v1Customer(res.body.id);
    assert.equal(v1.firstName, null);
    assert.equal(v1.name, null);
  });
});

describe('seed 003: validation patterns (400 naming the field, nothing written)', () => {
  const cases: [string, Record<string, string | number>, string[]][] = [
    ['a firstname with a digit', { firstname: 'Jane2' }, ['firstname']],
    ['a lastname with a digit and an @', { lastname: 'Do3@' }, ['lastname']],
    ['an extra_telephone without +', { extra_telephone: '0205550100' }, ['extra_telephone']],
    ['an extra_telephone with spaces', { extra_telephone: '+31 20 555 0100' }, ['extra_telephone']],
    ['an extra_twitter with punctuation', { extra_twitter: 'jane!' }, ['extra_twitter']],
    ['an extra_facebook with a dot', { extra_facebook: 'jane.doe' }, ['extra_facebook']],
    ['a channel_id that is no channel', { channel_id: 'fax', customer_link_channel: 'x' }, ['channel_id']],
    ['a noSync that is no boolean', { noSync: 'maybe' }, ['noSync']],
    ['a brand_id that is no number', { brand_id: 'one' }, ['brand_id']],
    ['a firstname of 100 characters', { firstname: 'a'.repeat(100) }, ['firstname']],
  ];
  for (const [what, fields, errors] of cases) {
    for (const encoding of ENCODINGS) {
      test(`seed 003: ${what} (${encoding}) → 400`, async () => {
        const before = await countCustomers();
        const res = await t.send('POST', '', { firstname: 'Jane', lastname: 'Doe', noSync: true, ...fields }, encoding);
        assertError(res, 400, 'validation_failed', errors);
        assert.equal(await countCustomers(), before);
      });
    }
  }

  test('seed 003: names take the seed’s letters, accents, dots, hyphens, apostrophes and spaces', async () => {
    const id = await t.create({ firstname: 'Šárka Ñoño', lastname: "d'Arc-Ø. ßÿ" });
    const v1 = await t.v1Customer(id);
    assert.equal(v1.firstName, 'Šárka Ñoño');
    assert.equal(v1.lastName, "d'Arc-Ø. ßÿ");
  });

  test('seed 003: a brand of another tenant (or none) is a 400 naming brand_id, as the request spelled it', async () => {
    const other = await seed003Tenant(server);
    const foreign = await other.brand();
    assertError(await t.send('POST', '', { brand_id: foreign.id, noSync: true }), 400, 'validation_failed', ['brand_id']);
    assertError(await t.send('POST', '/createCustomerCRUD', { brandID: 999999999 }), 400, 'validation_failed', ['brandID']);
    assertError(await t.send('POST', '', { brand_id: 1, brandID: 1, noSync: true }), 400, 'validation_failed', ['brandID']);
  });

  test('seed 003: an external primary id that another customer has is a 409 naming primary_id and that customer’s id', async () => {
    const primaryId = unique('DUP-');
    const first = await t.create({ primary_id: primaryId });
    const res = await t.send('POST', '', { primary_id: primaryId, noSync: true }, 'urlencoded');
    assertError(res, 409, 'duplicate', ['primary_id']);
    assert.equal(res.body.field, 'primary_id');
    assert.equal(res.body.existing_id, first);
  });
});

describe('seed 003: bodies the surface refuses', () => {
  test('seed 003: a file part is a 415 (fields only), and nothing is created', async () => {
    const before = await countCustomers();
    const form = new FormData();
    form.append('firstname', 'Jane');
    form.append('photo', new Blob(['not a photo'], { type: 'image/png' }), 'me.png');
    const response = new Response(form);
    const res = await server.request('POST', P, { headers: { apikey: t.key }, raw: Buffer.from(await response.arrayBuffer()), contentType: response.headers.get('content-type')! });
    assertError(res, 415, 'unsupported_media_type');
    assert.equal(await countCustomers(), before);
  });

  test('seed 003: a body that is neither a form nor JSON is a 415; malformed multipart a 400', async () => {
    assertError(await server.request('POST', P, { headers: { apikey: t.key }, raw: 'firstname=Jane', contentType: 'text/plain' }), 415, 'unsupported_media_type');
    const bad = await server.request('POST', P, { headers: { apikey: t.key }, raw: 'garbage', contentType: 'multipart/form-data; boundary=xyz' });
    assertError(bad, 400, 'validation_failed', ['body']);
  });

  test('seed 003: a multipart field over the size limit, or too many fields, is a 413', async () => {
    const long = await encode({ firstname: 'a'.repeat(25_000) }, 'multipart');
    assertError(await server.request('POST', P, { headers: { apikey: t.key }, ...long }), 413, 'payload_too_large');
    const many = await encode(Object.fromEntries(Array.from({ length: 150 }, (_, i) => [`custom_f${i}`, 'x'])), 'multipart');
    assertError(await server.request('POST', P, { headers: { apikey: t.key }, ...many }), 413, 'payload_too_large');
  });

  test('seed 003: a field sent twice, an unknown field, or a JSON object value is a 400 naming it', async () => {
    const twice = await server.request('POST', P, { headers: { apikey: t.key }, raw: 'firstname=Jane&firstname=Joan', contentType: 'application/x-www-form-urlencoded' });
    assertError(twice, 400, 'validation_failed', ['firstname']);
    assertError(await t.send('POST', '', { first_name: 'Jane', noSync: true }), 400, 'validation_failed', ['first_name']);
    const object = await server.request('POST', P, { headers: { apikey: t.key }, body: { firstname: { first: 'Jane' } } });
    assertError(object, 400, 'validation_failed', ['firstname']);
  });
});

describe('seed 003: custom_<name> fields', () => {
  test('seed 003: custom_<name> sets custom field <name>, typed by the tenant’s definitions, read back through /v1', async () => {
    const tenant = await seed003Tenant(server);
    for (const def of [
      { name: 'shoeSize', type: 'number' },
      { name: 'vip', type: 'boolean' },
      { name: 'tier', type: 'enum', options: { values: ['gold', 'silver'] } },
      { name: 'testfield', type: 'string' },
    ]) {
      const res = await tenant.v1.post('/v1/custom-fields', def);
      assert.equal(res.status, 201, res.text);
    }
    const id = await tenant.create({ custom_shoeSize: '42', custom_vip: 'yes', custom_tier: 'gold', custom_testfield: 'text' }, 'urlencoded');
    const v1 = await tenant.v1Customer(id);
    assert.deepEqual(v1.customFields, { shoeSize: 42, vip: true, tier: 'gold', testfield: 'text' });
    const item = await tenant.get(`/${id}`);
    assert.deepEqual(item.body.custom_fields, v1.customFields);

    const unknown = await tenant.send('POST', '', { firstname: 'Jane', custom_hatSize: '7', noSync: true });
    assertError(unknown, 400, 'validation_failed', ['custom_hatSize']);
    assert.match(unknown.body.errors.custom_hatSize[0], /hatSize/);
    assertError(await tenant.send('POST', '', { firstname: 'Jane', custom_tier: 'bronze', noSync: true }), 400, 'validation_failed', ['custom_tier']);
    assertError(await tenant.send('POST', '', { firstname: 'Jane', custom_shoeSize: 'big', noSync: true }, 'json'), 400, 'validation_failed', ['custom_shoeSize']);

    // An empty custom_<name> on an update removes the field.
    const cleared = await tenant.send('PUT', `/${id}`, { custom_tier: '' }, 'urlencoded');
    assertResult(cleared, 200, 'Customer updated.');
    assert.deepEqual((await tenant.v1Customer(id)).customFields, { shoeSize: 42, vip: true, testfield: 'text' });
  });

  test('seed 003: a tenant without definitions keeps custom_<name> as text', async () => {
    const id = await t.create({ custom_testfield: 'text', custom_count: '3' }, 'json');
    assert.deepEqual((await t.v1Customer(id)).customFields, { testfield: 'text', count: '3' });
  });
});

describe('seed 003: channels on create', () => {
  test('seed 003: channel_id + customer_link_channel link a channel; either one alone is not processed', async () => {
    const id = await t.create({ channel_id: 'twitter', customer_link_channel: '@JaneTweets' });
    assert.deepEqual((await t.v1Customer(id)).handles, { twitter: 'janetweets' });
    const byNumber = await t.create({ channel_id: '2', customer_link_channel: '+442079460000' }, 'json');
    assert.equal((await t.v1Customer(byNumber)).phone, '+442079460000');
    const alone = await t.create({ channel_id: 'email' });
    const linkAlone = await t.create({ customer_link_channel: 'x@example.com' });
    for (const n of [alone, linkAlone]) {
      const v1 = await t.v1Customer(n);
      assert.equal(v1.email, null);
      assert.deepEqual((await t.get(`/${n}`)).body.channels, []);
    }
  });

  test('seed 003: createCustomerCRUD adds customerChannelType_N / customerChannelValue_N pairs (N = 0, 1, 2…) in the order of N', async () => {
    const brand = await t.brand();
    const primaryID = unique('CRUD-');
    const res = await t.send('POST', '/createCustomerCRUD', {
      primaryID,
      brandID: brand.id,
      firstname: 'Crud',
      lastname: 'Tester',
      customerChannelType_1: 'telephone',
      customerChannelValue_1: '+31611111111',
      customerChannelType_0: '1',
      customerChannelValue_0: 'crud@example.com',
      customerChannelType_10: 'facebook',
      customerChannelValue_10: 'crud.page',
      customerChannelType_2: 'email',
      customerChannelValue_2: 'second@example.com',
    });
    assertResult(res, 201, 'Customer created.');
    const v1 = await t.v1Customer(res.body.id);
    assert.equal(v1.externalId, primaryID);
    assert.equal(v1.email, 'crud@example.com');
    assert.deepEqual(v1.additionalEmails, ['second@example.com']);
    assert.equal(v1.phone, '+31611111111');
    assert.deepEqual(v1.handles, { facebook: 'crud.page' });
  });

  test('seed 003: a customerChannelType_N without its value (or the reverse) is a 400 naming the missing one; an unknown type names its field', async () => {
    const before = await countCustomers();
    assertError(await t.send('POST', '/createCustomerCRUD', { customerChannelType_0: 'email', customerChannelValue_0: 'a@example.com', customerChannelType_1: 'email' }), 400, 'validation_failed', ['customerChannelValue_1']);
    assertError(await t.send('POST', '/createCustomerCRUD', { customerChannelValue_3: 'a@example.com' }, 'json'), 400, 'validation_failed', ['customerChannelType_3']);
    const unknown = await t.send('POST', '/createCustomerCRUD', { customerChannelType_0: 'pigeon', customerChannelValue_0: 'coo' }, 'urlencoded');
    assertError(unknown, 400, 'validation_failed', ['customerChannelType_0']);
    const badValue = await t.send('POST', '/createCustomerCRUD', { customerChannelType_0: 'email', customerChannelValue_0: 'not-an-email' });
    assertError(badValue, 400, 'validation_failed', ['customerChannelValue_0']);
    assert.equal(await countCustomers(), before);
  });

  test('seed 003: ticket_id links the new customer to the ticket', async () => {
    const id = await t.create({ ticket_id: 'HD-77' }, 'urlencoded');
    const v1 = await t.v1Customer(id);
    const tickets = await t.v1.get(`/v1/customers/${v1.id}/tickets`);
    assert.deepEqual(tickets.body.data.map((l: { ticketId: string }) => l.ticketId), ['HD-77']);
  });
});

describe('seed 003: search_customer_channel_value on create', () => {
  test('seed 003: on a brand with customer search by channels, a value the brand’s customer has updates that customer (200) instead of creating one', async () => {
    const brand = await t.brand({ searchCustomersByChannel: true });
    const email = `${unique('chan')}@example.com`;
    const id = await t.create({ brand_id: brand.id, extra_email: email, firstname: 'Before' });
    const before = await countCustomers();
    const res = await t.send('POST', '', { brand_id: brand.id, search_customer_channel_value: email.toUpperCase(), firstname: 'After', extra_telephone: '+31622222222', ticket_id: 'T-1', noSync: true });
    assertResult(res, 200, 'Customer updated.');
    assert.equal(res.body.id, id);
    assert.equal(await countCustomers(), before);
    const v1 = await t.v1Customer(id);
    assert.equal(v1.firstName, 'After');
    assert.equal(v1.phone, '+31622222222');
    assert.deepEqual((await t.v1.get(`/v1/customers/${v1.id}/tickets`)).body.data.map((l: { ticketId: string }) => l.ticketId), ['T-1']);

    // No customer of the brand has it: a new one is created.
    const created = await t.send('POST', '', { brand_id: brand.id, search_customer_channel_value: 'nobody@example.com', firstname: 'New', noSync: true });
    assertResult(created, 201, 'Customer created.');
    // primary_id takes precedence: the value is not used to find anyone.
    const withPrimary = await t.send('POST', '', { brand_id: brand.id, search_customer_channel_value: email, primary_id: unique('PR-'), noSync: true });
    assertResult(withPrimary, 201, 'Customer created.');
  });

  test('seed 003: search_customer_channel_value on a brand without the switch, or without a brand, is a 400 naming it', async () => {
    const brand = await t.brand();
    assertError(await t.send('POST', '', { brand_id: brand.id, search_customer_channel_value: 'x@example.com', noSync: true }), 400, 'validation_failed', ['search_customer_channel_value']);
    assertError(await t.send('POST', '', { search_customer_channel_value: 'x@example.com', noSync: true }), 400, 'validation_failed', ['search_customer_channel_value']);
  });

  test('seed 003: a value two customers of the brand share is a 409 (send primary_id)', async () => {
    const brand = await t.brand({ searchCustomersByChannel: true });
    const phone = '+3163' + String(Date.now()).slice(-7);
    await t.create({ brand_id: brand.id, extra_telephone: phone });
    await t.create({ brand_id: brand.id, extra_telephone: phone });
    const res = await t.send('POST', '', { brand_id: brand.id, search_customer_channel_value: phone, noSync: true });
    assertError(res, 409, 'duplicate', ['search_customer_channel_value']);
  });
});

describe('seed 003: noSync and the CRM look-up after a create', () => {
  test('seed 003: a create in a brand with a CRM URL looks the customer up, unless noSync is true', async () => {
    const brand = await t.brand({ crmLookupUrl: crmUrl });
    crmRequests = 0;
    await t.create({ brand_id: brand.id, extra_email: `${unique('nosync')}@example.com`, noSync: true });
    await t.create({ brand_id: brand.id, extra_email: `${unique('nosync')}@example.com`, noSync: '1' }, 'urlencoded');
    assert.equal(crmRequests, 0, 'noSync: no look-up');
    const res = await t.send('POST', '', { brand_id: brand.id, firstname: 'Synced', extra_email: `${unique('sync')}@example.com` });
    assertResult(res, 201, 'Customer created.');
    assert.equal(crmRequests, 1, 'without noSync: one look-up');
    const again = await t.send('POST', '', { brand_id: brand.id, firstname: 'Synced', extra_email: `${unique('sync')}@example.com`, noSync: false }, 'json');
    assertResult(again, 201, 'Customer created.');
    assert.equal(crmRequests, 2, 'noSync=false: a look-up');
  });

  test('seed 003: createCustomerCRUD never looks up the CRM', async () => {
    const brand = await t.brand({ crmLookupUrl: crmUrl });
    crmRequests = 0;
    const res = await t.send('POST', '/createCustomerCRUD', { brandID: brand.id, firstname: uniqueName('Crud'), customerChannelType_0: 'email', customerChannelValue_0: `${unique('crud')}@example.com` });
    assertResult(res, 201, 'Customer created.');
    assert.equal(crmRequests, 0);
  });
});
