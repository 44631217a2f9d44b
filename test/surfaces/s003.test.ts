import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { runDocExamples } from '../doc-examples.js';
import { useServer } from '../helpers.js';
import { assertError, assertResult, ENCODINGS, P, seed003Tenant, unique, uniqueName, type Seed003 } from './s003-helpers.js';

/**
 * Seed 003's customer controller at /api/v2/customer, from the seed text: the apiKey header
 * and its two permissions, the index envelope and its bounds, reads, updates, channels,
 * deletes, purge, searches, the timeline, external events and syncWithCRM's refusal without
 * a CRM. Creates and body encodings are in s003-create.test.ts.
 */

const { server } = await useServer();
const t = await seed003Tenant(server);
const other = await seed003Tenant(server);

const LIST_ITEM_KEYS = ['brand_name', 'channels', 'external_primary_id', 'firstname', 'id', 'lastname'];

async function tokenWith(tenant: Seed003, scopes: string[]) {
  return (await server.createToken(tenant.tenantId, scopes)).token;
}

describe('seed 003: the apiKey header and the CUSTOMER_READ / CUSTOMER_CUD permissions', () => {
  test('seed 003: no apiKey, an unknown key, or the key as a bearer token is a 401 with WWW-Authenticate: apiKey', async () => {
    const none = await t.send('GET', '', undefined, 'json', null);
    assertError(none, 401, 'unauthenticated');
    assert.equal(none.headers.get('www-authenticate'), 'apiKey realm="patron"');
    assertError(await t.send('GET', '', undefined, 'json', 'ptn_not-a-key'), 401, 'unauthenticated');
    assertError(await server.request('GET', P, { token: t.key }), 401, 'unauthenticated');
    assertError(await t.send('POST', '', { firstname: 'Jane' }, 'multipart', null), 401, 'unauthenticated');
  });

  test('seed 003: a CUSTOMER_READ key reads and searches but every write is a 403 naming the scope', async () => {
    const id = await t.create({ primary_id: unique('R-') });
    const key = await tokenWith(t, ['CUSTOMER_READ']);
    assert.equal((await t.send('GET', '', undefined, 'json', key)).status, 200);
    assert.equal((await t.send('GET', `/${id}`, undefined, 'json', key)).status, 200);
    assert.equal((await t.send('POST', '/SearchByCustomerChannelValue', { customerChannelValue: 'x@example.com' }, 'multipart', key)).status, 200);
    const writes: [string, string, Record<string, string | number>?][] = [
      ['POST', '', { firstname: 'Jane' }],
      ['PUT', `/${id}`, { firstname: 'Jane' }],
      ['PUT', '', { customerID: id, firstname: 'Jane' }],
      ['DELETE', `/${id}`],
      ['DELETE', `/${id}/purgeData`],
      ['POST', '/addChannelOnly', { customer_id: id, extra_email: 'a@example.com' }],
      ['POST', '/externalEvent', { customer_id: id, initiated_by: 'x', message: 'y' }],
      ['POST', '/syncWithCRM', { brandID: 1, channel: 'email', address: 'a@example.com' }],
      ['POST', '/createCustomerCRUD', { firstname: 'Jane' }],
    ];
    for (const [method, path, fields] of writes) {
      const res = await t.send(method, path, fields, 'multipart', key);
      assertError(res, 403, 'insufficient_scope');
      assert.match(res.body.message, /customers:(create|update|delete|purge)/);
    }
    assert.equal((await t.v1Customer(id)).deletedAt, null, 'nothing happened');
  });

  test('seed 003: a CUSTOMER_CUD key writes — purge included, as the seed lists itemPurgeData under CUSTOMER_CUD — but does not read', async () => {
    const key = await tokenWith(t, ['CUSTOMER_CUD']);
    const created = await t.send('POST', '', { firstname: 'Cud', noSync: true }, 'multipart', key);
    assertResult(created, 201, 'Customer created.');
    assertError(await t.send('GET', `/${created.body.id}`, undefined, 'json', key), 403, 'insufficient_scope');
    assertResult(await t.send('DELETE', `/${created.body.id}/purgeData`, undefined, 'json', key), 200, 'Customer data purged.');
  });

  test('seed 003: an OAuth access token works as the apiKey', async () => {
    const client = await server.admin('POST', `/tenants/${t.tenantId}/oauth-clients`, { name: 'seed003', scopes: ['CUSTOMER_READ'] });
    assert.equal(client.status, 201, client.text);
    const token = await server.request('POST', '/oauth/token', {
      raw: new URLSearchParams({ grant_type: 'client_credentials', client_id: client.body.clientId, client_secret: client.body.clientSecret }).toString(),
      contentType: 'application/x-www-form-urlencoded',
    });
    assert.equal(token.status, 200, token.text);
    assert.equal((await t.send('GET', '', undefined, 'json', token.body.access_token)).status, 200);
  });
});

describe('seed 003: GET /api/v2/customer (index) and GET /api/v2/customer/{id} (item)', () => {
  test('seed 003: the index envelope {type, itemStart, itemTotal, itemLimit, items} pages oldest first with itemStart / itemLimit', async () => {
    const tenant = await seed003Tenant(server);
    const brand = await tenant.brand();
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push(await tenant.create({ brand_id: brand.id, primary_id: `IDX-${i}`, extra_email: `idx${i}@example.com` }));
    const first = await tenant.get('?itemLimit=2');
    assert.equal(first.status, 200, first.text);
    assert.deepEqual(Object.keys(first.body), ['type', 'itemStart', 'itemTotal', 'itemLimit', 'items']);
    assert.equal(first.body.type, 'customers');
    assert.equal(first.body.itemStart, 1);
    assert.equal(first.body.itemTotal, 3);
    assert.equal(first.body.itemLimit, 2);
    assert.deepEqual(first.body.items.map((i: { id: number }) => i.id), ids.slice(0, 2));
    assert.deepEqual(Object.keys(first.body.items[0]).sort(), LIST_ITEM_KEYS);
    assert.equal(first.body.items[0].brand_name, brand.name);
    assert.equal(first.body.items[0].external_primary_id, 'IDX-0');
    assert.deepEqual(first.body.items[0].channels.map((c: { channel: string; value: string }) => [c.channel, c.value]), [['email', 'idx0@example.com']]);
    const second = await tenant.get('?itemStart=3&itemLimit=2');
    assert.deepEqual(second.body.items.map((i: { id: number }) => i.id), [ids[2]]);
    const none = await tenant.get('?itemLimit=0');
    assert.equal(none.body.itemTotal, 3);
    assert.deepEqual(none.body.items, []);
    const byDefault = await tenant.get('');
    assert.equal(byDefault.body.itemLimit, 15, 'the seed’s bound is the default');
  });

  test('seed 003: a page size of 16 (or -1) and a search with punctuation are 400s naming the parameter', async () => {
    assertError(await t.get('?itemLimit=16'), 400, 'validation_failed', ['itemLimit']);
    assertError(await t.get('?itemLimit=-1'), 400, 'validation_failed', ['itemLimit']);
    assertError(await t.get('?itemStart=0'), 400, 'validation_failed', ['itemStart']);
    assertError(await t.get('?search=jane%40example.com'), 400, 'validation_failed', ['search']);
    assertError(await t.get('?search=O%27Brien'), 400, 'validation_failed', ['search']);
    assertError(await t.get('?page=2'), 400, 'validation_failed', ['page']);
  });

  test('seed 003: search matches part of the name, the external primary id, or a channel value; brand_id narrows', async () => {
    const tenant = await seed003Tenant(server);
    const brand = await tenant.brand();
    const a = await tenant.create({ firstname: 'Marguerite', lastname: 'Yourcenar', primary_id: 'EXT42', brand_id: brand.id });
    const b = await tenant.create({ firstname: 'Albert', lastname: 'Camus', extra_telephone: '+33612345678', extra_twitter: 'Stranger' });
    const ids = async (query: string) => (await tenant.get(query)).body.items.map((i: { id: number }) => i.id);
    assert.deepEqual(await ids('?search=yourcen'), [a]);
    assert.deepEqual(await ids('?search=EXT42'), [a]);
    assert.deepEqual(await ids('?search=33612345678'), [b]);
    assert.deepEqual(await ids('?search=stranger'), [b]);
    assert.deepEqual(await ids(`?brand_id=${brand.id}`), [a]);
    assert.deepEqual(await ids(`?brand_id=${brand.id}&search=camus`), []);
    assert.equal((await tenant.get('?search=camus')).body.itemTotal, 1);
  });

  test('seed 003: the item has the list’s fields and brand_id, name, custom_fields and the timestamps; an id that is no number, unknown, deleted or another tenant’s is a 404', async () => {
    const brand = await t.brand();
    const id = await t.create({ brand_id: brand.id, primary_id: unique('I-'), custom_note: 'hello', extra_twitter: 'jane_d' }, 'json');
    const res = await t.get(`/${id}`);
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(Object.keys(res.body).sort(), [...LIST_ITEM_KEYS, 'brand_id', 'created_at', 'custom_fields', 'name', 'updated_at'].sort());
    assert.equal(res.body.id, id);
    assert.equal(res.body.brand_id, brand.id);
    assert.deepEqual(res.body.custom_fields, { note: 'hello' });
    const [channel] = res.body.channels;
    assert.deepEqual({ ...channel, id: undefined }, { id: undefined, channel_id: 4, channel: 'twitter', value: 'jane_d', primary: false });
    assert.match(channel.id, /^[0-9a-f-]{36}$/);

    for (const path of ['/abc', '/0', '/-1', '/1.5', '/99999999999', '/999999']) assertError(await t.get(path), 404, 'not_found');
    // Numbers are per tenant: a tenant without customers knows no number, whatever others have.
    const empty = await seed003Tenant(server);
    assertError(await empty.get(`/${id}`), 404, 'not_found');
    assertResult(await t.send('DELETE', `/${id}`), 200, 'Customer deleted.');
    assertError(await t.get(`/${id}`), 404, 'not_found');
  });
});

describe('seed 003: updates (PUT index, PUT item, PUT updateCustomer)', () => {
  for (const encoding of ENCODINGS) {
    test(`seed 003: PUT /api/v2/customer/{id} (${encoding}) updates names, custom fields and customerChannelType_N pairs, answering {"message": "Customer updated.", "type": "result"}`, async () => {
      const brand = await t.brand();
      const id = await t.create({ brand_id: brand.id, extra_email: `${unique('put')}@example.com`, extra_twitter: 'old_handle' });
      const res = await t.send(
        'PUT',
        `/${id}`,
        { brandID: brand.id, firstname: 'Renée', lastname: 'Dupont', custom_testfield: 'text', customerChannelType_0: 'twitter', customerChannelValue_0: 'new_handle', customerChannelType_1: '2', customerChannelValue_1: '+32470000000' },
        encoding,
      );
      assertResult(res, 200, 'Customer updated.');
      assert.deepEqual(res.body, { message: 'Customer updated.', type: 'result', id });
      const v1 = await t.v1Customer(id);
      assert.equal(v1.name, 'Renée Dupont');
      assert.deepEqual(v1.customFields, { testfield: 'text' });
      assert.deepEqual(v1.handles, { twitter: 'new_handle' }, 'a handle pair updates the customer’s handle on that network');
      assert.equal(v1.phone, '+32470000000');
      assert.equal(v1.version, 2, 'one write');
    });
  }

  test('seed 003: PUT item with the brandID of another brand is a 404; a bad name a 400; nothing changes', async () => {
    const brand = await t.brand();
    const elsewhere = await t.brand();
    const id = await t.create({ brand_id: brand.id, firstname: 'Same' });
    assertError(await t.send('PUT', `/${id}`, { brandID: elsewhere.id, firstname: 'Other' }), 404, 'not_found');
    assertError(await t.send('PUT', `/${id}`, { firstname: 'N4me' }, 'urlencoded'), 400, 'validation_failed', ['firstname']);
    assertError(await t.send('PUT', `/${id}`, { customerChannelType_0: 'telephone', customerChannelValue_0: 'abc' }), 400, 'validation_failed', ['customerChannelValue_0']);
    const v1 = await t.v1Customer(id);
    assert.equal(v1.firstName, 'Same');
    assert.equal(v1.version, 1);
  });

  test('seed 003: PUT /api/v2/customer (index) finds the customer by customerID and/or primaryID (brandID narrows; alone it names no one)', async () => {
    const brand = await t.brand();
    const primaryID = unique('PI-');
    const id = await t.create({ brand_id: brand.id, primary_id: primaryID });
    assertResult(await t.send('PUT', '', { customerID: id, firstname: 'Byid' }, 'urlencoded'), 200, 'Customer updated.');
    assert.equal((await t.v1Customer(id)).firstName, 'Byid');
    assertResult(await t.send('PUT', '', { primaryID, brandID: brand.id, lastname: 'Byprimary', custom_testfield: 'x' }, 'urlencoded'), 200, 'Customer updated.');
    const v1 = await t.v1Customer(id);
    assert.equal(v1.name, 'Byid Byprimary');
    assert.deepEqual(v1.customFields, { testfield: 'x' });
    assertResult(await t.send('PUT', '', { customerID: id, primaryID, brandID: brand.id, firstname: 'All' }, 'json'), 200, 'Customer updated.');

    assertError(await t.send('PUT', '', { customerID: id, primaryID: 'someone-else', firstname: 'No' }), 404, 'not_found');
    assertError(await t.send('PUT', '', { brandID: brand.id, firstname: 'No' }), 400, 'validation_failed', ['customerID']);
    assertError(await t.send('PUT', '', { firstname: 'No' }), 400, 'validation_failed', ['customerID']);
    assertError(await t.send('PUT', '', { customerID: id, customerChannelType_0: 'email', customerChannelValue_0: 'a@example.com' }), 400, 'validation_failed', ['customerChannelType_0', 'customerChannelValue_0']);
    assert.equal((await t.v1Customer(id)).firstName, 'All');
  });

  test('seed 003: PUT updateCustomer finds the customer by externalPrimaryID (+ brandID) and takes the same fields as PUT item', async () => {
    const brand = await t.brand();
    const externalPrimaryID = unique('UC-');
    const id = await t.create({ brand_id: brand.id, primary_id: externalPrimaryID });
    const res = await t.send('PUT', '/updateCustomer', { externalPrimaryID, brandID: brand.id, firstname: 'Updated', customerChannelType_0: 'email', customerChannelValue_0: 'uc@example.com' }, 'urlencoded');
    assertResult(res, 200, 'Customer updated.');
    assert.equal(res.body.id, id);
    const v1 = await t.v1Customer(id);
    assert.equal(v1.firstName, 'Updated');
    assert.equal(v1.email, 'uc@example.com');
    assertError(await t.send('PUT', '/updateCustomer', { brandID: brand.id, firstname: 'X' }), 400, 'validation_failed', ['externalPrimaryID']);
    assertError(await t.send('PUT', '/updateCustomer', { externalPrimaryID: 'nobody', firstname: 'X' }, 'json'), 404, 'not_found');
  });
});

describe('seed 003: channels (addChannelOnly, itemChannel DELETE)', () => {
  test('seed 003: addChannelOnly adds extra_* channels to the customer named by customer_id, or by primary_id + brand_id', async () => {
    const brand = await t.brand();
    const primary = unique('AC-');
    const id = await t.create({ brand_id: brand.id, primary_id: primary });
    assertResult(await t.send('POST', '/addChannelOnly', { customer_id: id, extra_email: 'ac@example.com', extra_telephone: '+31633333333' }), 200, 'Channels added.');
    assertResult(await t.send('POST', '/addChannelOnly', { primary_id: primary, brand_id: brand.id, extra_twitter: 'ac_tw', extra_facebook: 1 }, 'json'), 200, 'Channels added.');
    const v1 = await t.v1Customer(id);
    assert.equal(v1.email, 'ac@example.com');
    assert.equal(v1.phone, '+31633333333');
    assert.deepEqual(v1.handles, { twitter: 'ac_tw', facebook: '1' });
    // The same e-mail again adds nothing.
    assertResult(await t.send('POST', '/addChannelOnly', { customer_id: id, extra_email: 'AC@example.com' }, 'urlencoded'), 200, 'Channels added.');
    assert.equal((await t.v1Customer(id)).version, v1.version);

    assertError(await t.send('POST', '/addChannelOnly', { customer_id: id }), 400, 'validation_failed', ['extra_email']);
    assertError(await t.send('POST', '/addChannelOnly', { extra_email: 'x@example.com' }), 400, 'validation_failed', ['customer_id']);
    assertError(await t.send('POST', '/addChannelOnly', { customer_id: id, extra_twitter: 'no-dashes' }), 400, 'validation_failed', ['extra_twitter']);
    assertError(await t.send('POST', '/addChannelOnly', { customer_id: id, extra_telephone: '0612345678' }), 400, 'validation_failed', ['extra_telephone']);
    assertError(await t.send('POST', '/addChannelOnly', { primary_id: primary, brand_id: (await t.brand()).id, extra_email: 'y@example.com' }), 404, 'not_found');
  });

  test('seed 003: DELETE /api/v2/customer/{id}/channel/{channelId} removes that channel (ids from the item’s channels)', async () => {
    const id = await t.create({ extra_email: 'one@example.com', extra_telephone: '+31644444444' });
    const channels = (await t.get(`/${id}`)).body.channels as { id: string; channel: string }[];
    const email = channels.find((c) => c.channel === 'email')!;
    assertResult(await t.send('DELETE', `/${id}/channel/${email.id}`), 200, 'Channel deleted.');
    const after = (await t.get(`/${id}`)).body.channels as { id: string; channel: string }[];
    assert.deepEqual(after.map((c) => c.channel), ['telephone']);
    assert.equal((await t.v1Customer(id)).email, null);
    assertError(await t.send('DELETE', `/${id}/channel/${email.id}`), 404, 'not_found');
    assertError(await t.send('DELETE', `/${id}/channel/not-a-uuid`), 404, 'not_found');
    const foreign = await other.create({ extra_email: 'foreign@example.com' });
    const foreignChannel = (await other.get(`/${foreign}`)).body.channels[0].id;
    assertError(await t.send('DELETE', `/${id}/channel/${foreignChannel}`), 404, 'not_found');
    assertError(await t.send('DELETE', `/${foreign}/channel/${foreignChannel}`), 404, 'not_found');
    assert.equal((await other.v1Customer(foreign)).email, 'foreign@example.com');
  });
});

describe('seed 003: searches', () => {
  test('seed 003: SearchByPrimaryExternalID finds the customer (within the brand when brand_id is given)', async () => {
    const brand = await t.brand();
    const primary = unique('S-');
    const id = await t.create({ brand_id: brand.id, primary_id: primary });
    for (const encoding of ENCODINGS) {
      const res = await t.send('POST', '/SearchByPrimaryExternalID', { primary_id: primary, brand_id: brand.id }, encoding);
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.type, 'customers');
      assert.equal(res.body.itemTotal, 1);
      assert.deepEqual(res.body.items.map((i: { id: number }) => i.id), [id]);
    }
    assert.equal((await t.send('POST', '/SearchByPrimaryExternalID', { primary_id: primary })).body.itemTotal, 1);
    const elsewhere = await t.send('POST', '/SearchByPrimaryExternalID', { primary_id: primary, brand_id: (await t.brand()).id });
    assert.deepEqual(elsewhere.body.items, []);
    assert.equal((await other.send('POST', '/SearchByPrimaryExternalID', { primary_id: primary })).body.itemTotal, 0, 'another tenant sees nothing');
    assertError(await t.send('POST', '/SearchByPrimaryExternalID', { brand_id: brand.id }), 400, 'validation_failed', ['primary_id']);
  });

  test('seed 003: SearchByCustomerChannelValue finds customers by any channel value, within a brand or across the tenant’s brands', async () => {
    const [brandA, brandB] = [await t.brand(), await t.brand()];
    const phone = '+3165' + String(Date.now()).slice(-7);
    const a = await t.create({ brand_id: brandA.id, extra_telephone: phone });
    const b = await t.create({ brand_id: brandB.id, customer_link_channel: phone, channel_id: 'telephone' });
    const search = async (fields: Record<string, string | number>) => {
      const res = await t.send('POST', '/SearchByCustomerChannelValue', fields, 'urlencoded');
      assert.equal(res.status, 200, res.text);
      return res.body.items.map((i: { id: number }) => i.id);
    };
    assert.deepEqual(await search({ customerChannelValue: phone }), [a, b], 'across brands');
    assert.deepEqual(await search({ customerChannelValue: phone, brand_id: brandA.id }), [a]);
    assert.deepEqual(await search({ customerChannelValue: `${phone.slice(0, 3)} ${phone.slice(3, 6)} ${phone.slice(6)}`, brand_id: brandB.id }), [b], 'written another way');
    assert.deepEqual(await search({ customerChannelValue: 'nobody@example.com' }), []);
    assert.deepEqual((await other.send('POST', '/SearchByCustomerChannelValue', { customerChannelValue: phone })).body.items, []);
    assertError(await t.send('POST', '/SearchByCustomerChannelValue', { brand_id: brandA.id }), 400, 'validation_failed', ['customerChannelValue']);
  });
});

describe('seed 003: the timeline and external events', () => {
  test('seed 003: externalEvent appends an event (initiated_by, message, source_url) for the customer named by customer_id or external_id', async () => {
    const brand = await t.brand();
    const external = unique('EV-');
    const id = await t.create({ brand_id: brand.id, primary_id: external });
    const res = await t.send('POST', '/externalEvent', { customer_id: id, initiated_by: 'webshop', message: 'Order #1001 placed', source_url: 'https://shop.example.com/orders/1001' });
    assertResult(res, 201, 'Event created.');
    assert.match(res.body.event_id, /^[0-9a-f-]{36}$/);
    assertResult(await t.send('POST', '/externalEvent', { external_id: external, brand_id: brand.id, initiated_by: 'mailer', message: 'Spring sale mail' }, 'json'), 201, 'Event created.');
    const v1 = await t.v1Customer(id);
    const events = await t.v1.get(`/v1/customers/${v1.id}/events?type=external.`);
    assert.deepEqual(
      events.body.data.map((e: { type: string; details: unknown }) => [e.type, e.details]),
      [
        ['external.event', { initiatedBy: 'webshop', message: 'Order #1001 placed', sourceUrl: 'https://shop.example.com/orders/1001' }],
        ['external.event', { initiatedBy: 'mailer', message: 'Spring sale mail', sourceUrl: null }],
      ],
    );
    assert.equal(v1.version, 1, 'an event is not a change of the customer');
    assertError(await t.send('POST', '/externalEvent', { customer_id: id, initiated_by: 'x' }), 400, 'validation_failed', ['message']);
    assertError(await t.send('POST', '/externalEvent', { customer_id: id, initiated_by: 'x', message: 'y', source_url: 'ftp://x' }), 400, 'validation_failed', ['source_url']);
    assertError(await t.send('POST', '/externalEvent', { external_id: external, brand_id: (await t.brand()).id, initiated_by: 'x', message: 'y' }), 404, 'not_found');
  });

  test('seed 003: timelineByCustomerExternalID pages the timeline; with a ticket parameter (any value) it also returns the ticket history', async () => {
    const brand = await t.brand();
    const external = unique('TL-');
    const id = await t.create({ brand_id: brand.id, primary_id: external, ticket_id: 'HD-1' });
    await t.send('PUT', `/${id}`, { firstname: 'Changed' });
    await t.send('POST', '/externalEvent', { customer_id: id, initiated_by: 'webshop', message: 'Order' });
    const v1 = await t.v1Customer(id);
    assert.equal((await t.v1.post(`/v1/customers/${v1.id}/tickets`, { ticketId: 'HD-2' })).status, 201);

    const path = `/timelineByCustomerExternalID?brand_id=${brand.id}&external_id=${external}`;
    const res = await t.get(path);
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(Object.keys(res.body), ['type', 'itemStart', 'itemTotal', 'itemLimit', 'customer_id', 'items']);
    assert.equal(res.body.type, 'timeline');
    assert.equal(res.body.customer_id, id);
    assert.deepEqual(res.body.items.map((e: { type: string }) => e.type), ['customer.created', 'customer.ticket_linked', 'customer.updated', 'external.event', 'customer.ticket_linked']);
    assert.equal(res.body.itemTotal, 5);
    assert.deepEqual(res.body.items[2].fields.sort(), ['firstname', 'name']);
    assert.equal(res.body.items[3].initiated_by, 'webshop');
    assert.equal(res.body.items[3].message, 'Order');
    assert.equal(res.body.items[1].ticket_id, 'HD-1');

    const page = await t.get(`${path}&itemStart=2&itemLimit=2`);
    assert.deepEqual(page.body.items.map((e: { id: string }) => e.id), res.body.items.slice(1, 3).map((e: { id: string }) => e.id));
    assert.equal(page.body.itemTotal, 5);

    for (const flag of ['&ticket', '&ticket=1', '&ticket=yes']) {
      const withTickets = await t.get(path + flag);
      assert.deepEqual(withTickets.body.tickets.map((l: { ticket_id: string }) => l.ticket_id), ['HD-1', 'HD-2'], flag);
    }
    assertError(await t.get(`/timelineByCustomerExternalID?brand_id=${brand.id}`), 400, 'validation_failed', ['external_id']);
    assertError(await t.get(`/timelineByCustomerExternalID?external_id=nobody`), 404, 'not_found');
    assertError(await other.get(`/timelineByCustomerExternalID?external_id=${external}`), 404, 'not_found');
    assertError(await t.get(`${path}&itemLimit=101`), 400, 'validation_failed', ['itemLimit']);
  });
});

describe('seed 003: delete and purge', () => {
  test('seed 003: DELETE item is a soft delete: gone from this surface, restorable through /v1', async () => {
    const name = uniqueName('Deleted');
    const id = await t.create({ firstname: name });
    assert.equal((await t.get(`?search=${name}`)).body.itemTotal, 1);
    assertResult(await t.send('DELETE', `/${id}`), 200, 'Customer deleted.');
    const v1 = await t.v1Customer(id);
    assert.notEqual(v1.deletedAt, null);
    assertError(await t.send('DELETE', `/${id}`), 404, 'not_found');
    assertError(await t.send('PUT', `/${id}`, { firstname: 'Ghost' }), 404, 'not_found');
    assert.equal((await t.get(`?search=${name}`)).body.itemTotal, 0);
    assert.equal((await t.v1.post(`/v1/customers/${v1.id}/restore`)).status, 200);
    assert.equal((await t.get(`/${id}`)).status, 200);
  });

  test('seed 003: DELETE /api/v2/customer/{id}/purgeData leaves no personal data anywhere Patron stores it; a tombstone remains', async () => {
    const brand = await t.brand();
    const primary = unique('GDPR-');
    const name = uniqueName('Gdpr');
    const email = `${name.toLowerCase()}@example.com`;
    const id = await t.create({ brand_id: brand.id, primary_id: primary, firstname: name, lastname: 'Secret', extra_email: email, extra_telephone: '+31655555555', extra_twitter: 'secret_handle', custom_diary: 'very private', ticket_id: 'PRIV-TICKET' });
    await t.send('PUT', `/${id}`, { lastname: 'Secreter', customerChannelType_0: 'facebook', customerChannelValue_0: 'secret_page' });
    await t.send('POST', '/externalEvent', { customer_id: id, initiated_by: 'private shop', message: 'bought very private things', source_url: 'https://shop.example.com/private' });
    const v1 = await t.v1Customer(id);

    assertResult(await t.send('DELETE', `/${id}/purgeData`), 200, 'Customer data purged.');
    const personal = [name, name.toLowerCase(), 'Secret', email, '31655555555', 'secret_handle', 'secret_page', 'very private', 'PRIV-TICKET', 'private shop', 'shop.example.com'];
    const rows = {
      customers: await server.db.selectFrom('customers').selectAll().where('tenant_id', '=', t.tenantId).where('id', '=', v1.id).execute(),
      channels: await server.db.selectFrom('customer_channels').selectAll().where('tenant_id', '=', t.tenantId).where('customer_id', '=', v1.id).execute(),
      events: await server.db.selectFrom('customer_events').selectAll().where('tenant_id', '=', t.tenantId).where('customer_id', '=', v1.id).execute(),
      tickets: await server.db.selectFrom('customer_tickets').selectAll().where('tenant_id', '=', t.tenantId).where('customer_id', '=', v1.id).execute(),
    };
    assert.equal(rows.customers.length, 1, 'the tombstone');
    assert.deepEqual(rows.channels, []);
    assert.deepEqual(rows.tickets, []);
    assert.ok(rows.events.length >= 4);
    const stored = JSON.stringify(rows);
    for (const value of personal) assert.ok(!stored.includes(value), `"${value}" is still stored`);
    const tombstone = rows.customers[0]!;
    assert.equal(tombstone.external_id, primary, 'the external id stays (another system’s key)');
    assert.notEqual(tombstone.purged_at, null);

    assertError(await t.get(`/${id}`), 404, 'not_found');
    assertResult(await t.send('DELETE', `/${id}/purgeData`), 200, 'Customer data purged.');
    const timeline = await t.get(`/timelineByCustomerExternalID?external_id=${primary}`);
    assertError(timeline, 404, 'not_found');
  });

  test('seed 003: a deleted customer can still be purged', async () => {
    const id = await t.create({ firstname: 'Deletedthenpurged', extra_email: `${unique('dp')}@example.com` });
    assertResult(await t.send('DELETE', `/${id}`), 200, 'Customer deleted.');
    assertResult(await t.send('DELETE', `/${id}/purgeData`), 200, 'Customer data purged.');
    const v1 = await t.v1Customer(id);
    assert.equal(v1.firstName, null);
    assert.notEqual(v1.purgedAt, null);
  });
});

describe('seed 003: another tenant’s ids are unknown ids', () => {
  test('seed 003: reading, updating, adding to, deleting or purging another tenant’s customer is a 404 and changes nothing', async () => {
    // Customer numbers are per tenant: the caller has none, so no number (nor external id) of the other tenant is its.
    const t = await seed003Tenant(server);
    const primary = unique('X-');
    const foreign = await other.create({ primary_id: primary, firstname: 'Foreign', extra_email: `${unique('f')}@example.com` });
    const attempts: [string, string, Record<string, string | number>?][] = [
      ['GET', `/${foreign}`],
      ['PUT', `/${foreign}`, { firstname: 'Hacked' }],
      ['PUT', '', { customerID: foreign, firstname: 'Hacked' }],
      ['PUT', '', { primaryID: primary, firstname: 'Hacked' }],
      ['PUT', '/updateCustomer', { externalPrimaryID: primary, firstname: 'Hacked' }],
      ['POST', '/addChannelOnly', { customer_id: foreign, extra_email: 'hacker@example.com' }],
      ['POST', '/externalEvent', { customer_id: foreign, initiated_by: 'x', message: 'y' }],
      ['DELETE', `/${foreign}`],
      ['DELETE', `/${foreign}/purgeData`],
      ['GET', `/timelineByCustomerExternalID?external_id=${primary}`],
    ];
    for (const [method, path, fields] of attempts) assertError(await t.send(method, path, fields), 404, 'not_found');
    const v1 = await other.v1Customer(foreign);
    assert.equal(v1.firstName, 'Foreign');
    assert.equal(v1.version, 1);
    assert.equal(v1.deletedAt, null);
    assert.equal((await other.v1.get(`/v1/customers/${v1.id}/events`)).body.data.length, 1);
  });
});

describe('seed 003: syncWithCRM (the CRM itself is tested in test/v1/crm-sync.test.ts)', () => {
  test('seed 003: syncWithCRM on a brand without a CRM look-up URL is a clear 409 crm_not_configured; missing fields a 400', async () => {
    const brand = await t.brand();
    const res = await t.send('POST', '/syncWithCRM', { brandID: brand.id, channel: 'phoneNumber', address: '+31612345678' });
    assertError(res, 409, 'crm_not_configured');
    assert.match(res.body.message, /no CRM look-up URL/);
    assertError(await t.send('POST', '/syncWithCRM', { channel: 'email' }, 'json'), 400, 'validation_failed', ['brandID', 'address']);
    assertError(await t.send('POST', '/syncWithCRM', { brandID: (await other.brand()).id, channel: 'email', address: 'a@example.com' }), 400, 'validation_failed', ['brandID']);
  });
});

describe('seed 003: the OpenAPI document', () => {
  test('seed 003: /openapi.json lists the 16 endpoints with the apiKey header and the three body encodings', async () => {
    const doc = (await server.request('GET', '/openapi.json')).body;
    assert.deepEqual(doc.components.securitySchemes.apiKey, { type: 'apiKey', in: 'header', name: 'apiKey', description: doc.components.securitySchemes.apiKey.description });
    const operations = Object.entries(doc.paths as Record<string, Record<string, any>>)
      .filter(([path]) => path.startsWith(P))
      .flatMap(([path, methods]) => Object.entries(methods).map(([method, op]) => ({ name: `${method.toUpperCase()} ${path}`, op })));
    assert.equal(operations.length, 16, operations.map((o) => o.name).join(', '));
    for (const { name, op } of operations) {
      assert.deepEqual(op.security, [{ apiKey: [] }], name);
      if (op.requestBody) assert.deepEqual(Object.keys(op.requestBody.content).sort(), ['application/json', 'application/x-www-form-urlencoded', 'multipart/form-data'], name);
    }
  });
});

describe('seed 003: docs/surfaces/003.md', () => {
  test('seed 003: every curl example of docs/surfaces/003.md answers the status it documents', async () => {
    const tenant = await seed003Tenant(server);
    const brand = await tenant.brand({ searchCustomersByChannel: true });
    const definition = await tenant.v1.post('/v1/custom-fields', { name: 'testfield', type: 'string' });
    assert.equal(definition.status, 201, definition.text);
    const readOnly = await tokenWith(tenant, ['CUSTOMER_READ']);
    const id = await tenant.create({ brand_id: brand.id, primary_id: 'CRM-1001', firstname: 'Jane', lastname: 'Doe', extra_email: 'jane.doe@example.com', extra_telephone: '+31612345678', ticket_id: 'HD-1' });
    const otherId = await tenant.create({ firstname: 'John', lastname: 'Roe' });
    const channel = (await tenant.get(`/${id}`)).body.channels.find((c: { channel: string }) => c.channel === 'telephone');
    const env = { P: server.url, KEY: tenant.key, READ_KEY: readOnly, BRAND_ID: String(brand.id), ID: String(id), EXTERNAL_ID: 'CRM-1001', CHANNEL_ID: channel.id, OTHER_ID: String(otherId) };
    const results = await runDocExamples(new URL('../../docs/surfaces/003.md', import.meta.url), env);
    assert.ok(results.length >= 30, `only ${results.length} examples found`);
    for (const r of results) assert.equal(r.status, r.expected, `${r.script}\n→ ${r.body}`);
    const jane = await tenant.v1Customer(id);
    assert.equal(jane.name, 'Jane Doe', 'the examples’ updates landed on the customer');
    assert.deepEqual(jane.customFields, { testfield: 'text' });
    assert.deepEqual([jane.email, ...jane.additionalEmails], ['jane.doe@example.com', 'jane@work.example.com', 'jane.d@example.com']);
    assert.deepEqual(jane.handles, { twitter: 'jane_doe', facebook: '1' });
    assert.equal(jane.phone, null, 'its phone channel was deleted');
    const john = await tenant.v1Customer(otherId);
    assert.notEqual(john.purgedAt, null);
  });
});

/** The seed's example requests, as its text writes them: method, path, headers and body. */
function seedRequests() {
  const lines = readFileSync(new URL('../../../shared/seeds/003_561b6289a195e776.txt', import.meta.url), 'utf8').split('\n');
  const requests: { method: string; path: string; contentType: string | null; body: string | null }[] = [];
  for (let i = 0; i < lines.length; i++) {
    const start = /^(GET|POST|PUT|DELETE) (\/api\/v2\/customer\S*) HTTP\/1\.1$/.exec(lines[i]!);
    if (!start) continue;
    let contentType: string | null = null;
    let j = i + 1;
    for (; j < lines.length && /^[A-Za-z-]+: /.test(lines[j]!); j++) {
      const [name, value] = lines[j]!.split(': ');
      if (name!.toLowerCase() === 'content-type') contentType = value!;
    }
    let body: string | null = null;
    if (lines[j]?.startsWith('"')) body = lines[j]!;
    else if (lines[j] === '{') body = lines.slice(j, lines.indexOf('}', j) + 1).join('\n');
    requests.push({ method: start[1]!, path: start[2]!, contentType, body });
  }
  return requests;
}

describe('seed 003: the seed’s example requests as written', () => {
  test('seed 003: each of the seed’s 12 example requests, sent as written (key changed), gets the answer docs/surfaces/003.md gives it', async () => {
    const tenant = await seed003Tenant(server);
    const requests = seedRequests();
    assert.equal(requests.length, 12);
    const before = await server.countCustomers(tenant.tenantId);
    for (const r of requests) {
      const res = await server.request(r.method, r.path, { headers: { apikey: tenant.key }, ...(r.body === null ? {} : { raw: r.body, contentType: r.contentType }) });
      const what = `${r.method} ${r.path}`;
      if (r.method === 'GET' && r.path === P) {
        assert.equal(res.status, 200, what);
        continue;
      }
      assertError(res, 400, 'validation_failed');
      const [field] = Object.keys(res.body.errors);
      if (r.body === null) assert.equal(field, 'brand_id', `${what}: brand 1 is not the tenant's`);
      else if (r.contentType === 'multipart/form-data') assert.match(res.body.errors.body[0], /without a boundary/, what);
      else assert.match(field!, /^"/, `${what}: the quoted body's first field`);
    }
    assert.equal(await server.countCustomers(tenant.tenantId), before, 'nothing written');
  });
});
