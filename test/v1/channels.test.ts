import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Ctx } from '../../src/core/context.js';
import { getTenant } from '../../src/core/tenants/tenant.service.js';
import { createServices } from '../../src/services.js';
import { runApiDocSections } from '../doc-examples.js';
import { useServer, type Res, type TenantClient } from '../helpers.js';

const { server, client } = await useServer();

const uniq = () => Math.random().toString(36).slice(2, 10);

interface ChannelBody {
  id: string;
  customerId: string;
  type: string;
  label: string;
  value: string;
  primary: boolean;
  position: number;
  createdAt: string;
}

function channelRows(customerId: string) {
  return server.db.selectFrom('customer_channels').selectAll().where('customer_id', '=', customerId).orderBy('position').execute();
}

function eventRows(customerId: string) {
  return server.db.selectFrom('customer_events').selectAll().where('customer_id', '=', customerId).orderBy('seq').execute();
}

async function version(customerId: string) {
  return (await server.db.selectFrom('customers').select('version').where('id', '=', customerId).executeTakeFirstOrThrow()).version;
}

const ids = async (customerId: string) => Object.fromEntries((await channelRows(customerId)).map((c) => [`${c.type}:${c.label}:${c.value}`, c.id]));

/** The customer's channel fields, as the channel records say they must be. */
function fieldsFromChannels(channels: ChannelBody[]) {
  const of = (type: string) => channels.filter((c) => c.type === type);
  return {
    email: of('email').find((c) => c.primary)?.value ?? null,
    additionalEmails: of('email').filter((c) => !c.primary).map((c) => c.value),
    phone: of('phone').find((c) => c.primary)?.value ?? null,
    additionalPhones: of('phone').filter((c) => !c.primary).map((c) => c.value),
    whatsapp: of('whatsapp')[0]?.value ?? null,
    handles: Object.fromEntries(of('handle').map((c) => [c.label, c.value])),
  };
}

/** The customer's email / phone / whatsapp / handles fields and its channel list say the same, in /v1 and in the rows. */
async function assertAgree(t: TenantClient, customerId: string) {
  const customer = (await t.get(`/v1/customers/${customerId}`)).body;
  const list = await t.get(`/v1/customers/${customerId}/channels`);
  assert.equal(list.status, 200, list.text);
  assert.equal(list.headers.get('etag'), `"${customer.version}"`);
  const { email, additionalEmails, phone, additionalPhones, whatsapp, handles } = customer;
  assert.deepEqual(fieldsFromChannels(list.body.data), { email, additionalEmails, phone, additionalPhones, whatsapp, handles });
  const rows = await channelRows(customerId);
  assert.deepEqual(
    rows.map((r) => [r.id, r.type, r.label, r.value, r.is_primary, r.position]),
    list.body.data.map((c: ChannelBody) => [c.id, c.type, c.label, c.value, c.primary, c.position]),
  );
  return { customer, channels: list.body.data as ChannelBody[] };
}

function assertProblem(res: Res, status: number, code: string, field?: string) {
  assert.equal(res.status, status, `expected ${status} ${code}, got ${res.status}: ${res.text}`);
  assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json/);
  assert.equal(res.body.code, code);
  if (field) assert.deepEqual(res.body.errors.map((e: { field: string }) => e.field), [field]);
}

async function richCustomer(t: TenantClient = client) {
  const tag = uniq();
  return t.customer({
    name: 'Channel Person',
    email: `main.${tag}@example.com`,
    additionalEmails: [`second.${tag}@example.com`],
    phone: '+1 212 555 0100',
    whatsapp: '+44 7700 900123',
    handles: { twitter: `@Tw_${tag}` },
  });
}

describe('/v1/customers/:id/channels — channels as records', () => {
  test('lists the channels derived from the customer’s fields, with ids, and the customer’s ETag', async () => {
    const customer = await richCustomer();
    const { channels } = await assertAgree(client, customer.id);
    assert.deepEqual(
      channels.map((c) => [c.type, c.label, c.primary, c.position]),
      [
        ['email', '', true, 0],
        ['email', '', false, 1],
        ['phone', '', true, 2],
        ['whatsapp', '', true, 3],
        ['handle', 'twitter', false, 4],
      ],
    );
    assert.ok(channels.every((c) => c.customerId === customer.id && /^[0-9a-f-]{36}$/.test(c.id) && !Number.isNaN(Date.parse(c.createdAt))));
    const one = await client.get(`/v1/customers/${customer.id}/channels/${channels[2]!.id}`);
    assert.equal(one.status, 200);
    assert.equal(one.body.value, '+12125550100');
    assertProblem(await client.get(`/v1/customers/${customer.id}/channels/${customer.id}`), 404, 'not_found');
  });

  test('channel ids stay stable across an unrelated PATCH, across adding another channel, and across a PATCH of other channels', async () => {
    const customer = await richCustomer();
    const before = await ids(customer.id);

    assert.equal((await client.patch(`/v1/customers/${customer.id}`, { name: 'Renamed Person', notes: 'x' })).status, 200);
    assert.deepEqual(await ids(customer.id), before, 'an unrelated PATCH rewrites no channel');

    const added = await client.post(`/v1/customers/${customer.id}/channels`, { type: 'email', value: `third.${uniq()}@example.com` });
    assert.equal(added.status, 201, added.text);
    const afterAdd = await ids(customer.id);
    for (const [key, id] of Object.entries(before)) assert.equal(afterAdd[key], id, `${key} keeps its id when another channel is added`);
    assert.equal(Object.keys(afterAdd).length, Object.keys(before).length + 1);

    // A PATCH that replaces the phone: the phone is a new channel, every other keeps its id.
    const patched = await client.patch(`/v1/customers/${customer.id}`, { phone: '+1 212 555 0199', handles: { facebook: 'fb.person' } });
    assert.equal(patched.status, 200, patched.text);
    const afterPatch = await ids(customer.id);
    for (const [key, id] of Object.entries(afterAdd)) {
      if (key.startsWith('phone:')) assert.equal(afterPatch[key], undefined);
      else assert.equal(afterPatch[key], id, `${key} keeps its id across a PATCH of other channels`);
    }
    assert.ok(afterPatch['phone::+12125550199']);
    assert.ok(afterPatch['handle:facebook:fb.person']);
    await assertAgree(client, customer.id);
  });

  test('adding a channel is a customer write: 201, Location, ETag of the new version, an event with the diff, fields and rows agree', async () => {
    const customer = await richCustomer();
    const value = `Added.${uniq()}@Example.com`;
    const res = await client.post(`/v1/customers/${customer.id}/channels`, { type: 'email', value });
    assert.equal(res.status, 201, res.text);
    assert.equal(res.headers.get('etag'), '"2"');
    assert.equal(res.headers.get('location'), `/v1/customers/${customer.id}/channels/${res.body.id}`);
    assert.deepEqual({ ...res.body, id: undefined, createdAt: undefined }, {
      id: undefined,
      customerId: customer.id,
      type: 'email',
      label: '',
      value: value.toLowerCase(),
      primary: false,
      position: 2,
      createdAt: undefined,
    });
    const { customer: after } = await assertAgree(client, customer.id);
    assert.equal(after.version, 2);
    assert.deepEqual(after.additionalEmails, [customer.additionalEmails[0], value.toLowerCase()]);
    const event = (await eventRows(customer.id)).at(-1)!;
    assert.equal(event.type, 'customer.channel_added');
    assert.deepEqual(event.changes, { additionalEmails: { from: customer.additionalEmails, to: after.additionalEmails } });
    assert.deepEqual(event.details, { channel: { id: res.body.id, type: 'email', label: '' } });
    const listed = await client.get(`/v1/customers/${customer.id}/events`);
    assert.deepEqual(listed.body.data.at(-1).details, { channel: { id: res.body.id, type: 'email', label: '' } });
  });

  test('primary: true makes a new email the primary one; the former primary becomes additional and keeps its id', async () => {
    const customer = await richCustomer();
    const before = await ids(customer.id);
    const res = await client.post(`/v1/customers/${customer.id}/channels`, { type: 'email', value: `new.primary.${uniq()}@example.com`, primary: true });
    assert.equal(res.status, 201, res.text);
    assert.equal(res.body.primary, true);
    const { customer: after } = await assertAgree(client, customer.id);
    assert.equal(after.email, res.body.value);
    assert.deepEqual(after.additionalEmails, [customer.email, ...customer.additionalEmails]);
    const afterIds = await ids(customer.id);
    assert.equal(afterIds[`email::${customer.email}`], before[`email::${customer.email}`]);
  });

  test('adding a value the customer already has (in any spelling) is 200 with the existing channel: no new version, no event; with primary it is made primary', async () => {
    const customer = await richCustomer();
    const existing = (await client.get(`/v1/customers/${customer.id}/channels`)).body.data[1] as ChannelBody;
    const again = await client.post(`/v1/customers/${customer.id}/channels`, { type: 'email', value: ` ${existing.value.toUpperCase()} ` });
    assert.equal(again.status, 200, again.text);
    assert.equal(again.body.id, existing.id);
    assert.equal(again.headers.get('etag'), '"1"');
    assert.equal(again.headers.get('location'), null);
    assert.equal(await version(customer.id), 1);
    assert.equal((await eventRows(customer.id)).length, 1);

    const promoted = await client.post(`/v1/customers/${customer.id}/channels`, { type: 'email', value: existing.value, primary: true });
    assert.equal(promoted.status, 200, promoted.text);
    assert.equal(promoted.body.id, existing.id);
    assert.equal(promoted.body.primary, true);
    assert.equal(promoted.headers.get('etag'), '"2"');
    const { customer: after } = await assertAgree(client, customer.id);
    assert.equal(after.email, existing.value);
    assert.deepEqual(after.additionalEmails, [customer.email]);
    assert.equal((await eventRows(customer.id)).at(-1)!.type, 'customer.channel_updated');
  });

  for (const [given, type, label, value, field] of [
    ['email', 'email', '', 'Seed.Mail@Example.com', 'email'],
    ['telephone', 'phone', '', '+31 20 555 0101', 'phone'],
    ['facebook', 'handle', 'facebook', 'jane.fb', 'handles'],
    ['twitter', 'handle', 'twitter', '@JaneTweets', 'handles'],
    ['whatsapp', 'whatsapp', '', '2348000000000', 'whatsapp'],
    ['1', 'email', '', 'one@example.com', 'email'],
    ['2', 'phone', '', '+31205550102', 'phone'],
    ['3', 'handle', 'facebook', 'three.fb', 'handles'],
    ['4', 'handle', 'twitter', 'four_tw', 'handles'],
    ['5', 'whatsapp', '', '+2348000000005', 'whatsapp'],
  ] as const) {
    test(`seed 003: channel type "${given}" adds a ${type}${label ? ` (${label})` : ''} channel, reflected in the customer’s ${field}`, async () => {
      const customer = await client.customer({ name: 'Seed Types', email: null });
      const res = await client.post(`/v1/customers/${customer.id}/channels`, { type: given, value });
      assert.equal(res.status, 201, res.text);
      assert.equal(res.body.type, type);
      assert.equal(res.body.label, label);
      const { customer: after } = await assertAgree(client, customer.id);
      if (field === 'handles') assert.deepEqual(after.handles, { [label]: value.replace(/^@/, '').toLowerCase() });
      else assert.equal(after[field], res.body.value);
    });
  }

  test('seed 003: an unknown channel type name or number is a 400 naming type, and nothing changes', async () => {
    const customer = await richCustomer();
    for (const type of ['fax', '6', '0', 9, 'telegram', 'Email Address']) {
      assertProblem(await client.post(`/v1/customers/${customer.id}/channels`, { type, value: 'x@example.com' }), 400, 'validation_failed', 'type');
    }
    assertProblem(await client.post(`/v1/customers/${customer.id}/channels`, { type: 'handle', value: 'someone' }), 400, 'validation_failed', 'label');
    assertProblem(await client.post(`/v1/customers/${customer.id}/channels`, { type: 'email', value: 'a@example.com', label: 'work' }), 400, 'validation_failed', 'label');
    assertProblem(await client.post(`/v1/customers/${customer.id}/channels`, { type: 'twitter', value: 'x', label: 'facebook' }), 400, 'validation_failed', 'label');
    assert.equal(await version(customer.id), 1);
  });

  test('a handle on any network: type handle with a label', async () => {
    const customer = await richCustomer();
    const res = await client.post(`/v1/customers/${customer.id}/channels`, { type: 'handle', label: 'instagram', value: '@Insta.Person' });
    assert.equal(res.status, 201, res.text);
    const { customer: after } = await assertAgree(client, customer.id);
    assert.equal(after.handles.instagram, 'insta.person');
  });

  test('invalid values are refused like the customer’s fields (400 naming value) and nothing changes', async () => {
    const customer = await richCustomer();
    const before = await channelRows(customer.id);
    for (const [type, value, code] of [
      ['email', 'not-an-email', 'invalid_email'],
      ['email', 'jane@localhost', 'invalid_email'],
      ['telephone', 'call me maybe', 'invalid_phone'],
      ['phone', '12', 'invalid_phone'],
      ['whatsapp', 'abc', 'invalid_phone'],
      ['twitter', '   ', 'blank'],
      ['twitter', 'x'.repeat(201), 'too_long'],
    ] as const) {
      const res = await client.post(`/v1/customers/${customer.id}/channels`, { type, value });
      assertProblem(res, 400, 'validation_failed', 'value');
      assert.equal(res.body.errors[0].code, code, `${type} ${value}`);
    }
    const channelId = before[0]!.id;
    assertProblem(await client.patch(`/v1/customers/${customer.id}/channels/${channelId}`, { value: 'nope' }), 400, 'validation_failed', 'value');
    assertProblem(await client.post(`/v1/customers/${customer.id}/channels`, { type: 'email', value: 'x@example.com', extra: 1 }), 400, 'validation_failed', 'extra');
    assert.deepEqual(await channelRows(customer.id), before);
    assert.equal(await version(customer.id), 1);
    assert.equal((await eventRows(customer.id)).length, 1);
  });

  test('a second WhatsApp number, or a second handle on a network, is a 409 naming the existing channel', async () => {
    const customer = await richCustomer();
    const current = await ids(customer.id);
    const whatsapp = await client.post(`/v1/customers/${customer.id}/channels`, { type: 'whatsapp', value: '+44 7700 900999' });
    assertProblem(whatsapp, 409, 'duplicate');
    assert.equal(whatsapp.body.existingId, current['whatsapp::+447700900123']);
    const twitter = await client.post(`/v1/customers/${customer.id}/channels`, { type: 'twitter', value: 'another' });
    assertProblem(twitter, 409, 'duplicate');
    assert.equal(twitter.body.existingId, Object.entries(current).find(([k]) => k.startsWith('handle:twitter:'))![1]);
    assert.equal(await version(customer.id), 1);
  });

  test('at most 11 emails (primary + 10): the 12th is a 400 naming value', async () => {
    const customer = await client.customer({ name: 'Many Mails', email: 'm0@example.com', additionalEmails: Array.from({ length: 10 }, (_, i) => `m${i + 1}@example.com`) });
    const res = await client.post(`/v1/customers/${customer.id}/channels`, { type: 'email', value: 'm11@example.com' });
    assertProblem(res, 400, 'validation_failed', 'value');
    assert.equal(res.body.errors[0].code, 'too_many');
  });

  test('PATCH changes a channel’s value (normalised), keeping its id; its field follows', async () => {
    const customer = await richCustomer();
    const before = await ids(customer.id);
    const phoneId = before['phone::+12125550100']!;
    const res = await client.patch(`/v1/customers/${customer.id}/channels/${phoneId}`, { value: '(212) 555-0177', primary: true }, { 'if-match': '"1"' });
    assertProblem(res, 400, 'validation_failed', 'value');
    const ok = await client.patch(`/v1/customers/${customer.id}/channels/${phoneId}`, { value: '+1 (212) 555-0177' }, { 'if-match': '"1"' });
    assert.equal(ok.status, 200, ok.text);
    assert.equal(ok.body.id, phoneId);
    assert.equal(ok.body.value, '+12125550177');
    assert.equal(ok.headers.get('etag'), '"2"');
    const { customer: after } = await assertAgree(client, customer.id);
    assert.equal(after.phone, '+12125550177');
    const event = (await eventRows(customer.id)).at(-1)!;
    assert.equal(event.type, 'customer.channel_updated');
    assert.deepEqual(event.changes, { phone: { from: '+12125550100', to: '+12125550177' } });
    assert.deepEqual(event.details, { channel: { id: phoneId, type: 'phone', label: '' } });
    const found = await client.get(`/v1/customers?channel=${encodeURIComponent('212-555-0177')}&channelType=telephone`);
    assert.deepEqual(found.body.data.map((c: { id: string }) => c.id), [], 'a national number without a default country is not the E.164 one');
    const foundIntl = await client.get(`/v1/customers?channel=${encodeURIComponent('+1 212-555-0177')}`);
    assert.deepEqual(foundIntl.body.data.map((c: { id: string }) => c.id), [customer.id]);
  });

  test('PATCH primary swaps the primary email (both keep their ids); PATCH to a value another channel has is a 409; a handle can move network', async () => {
    const customer = await richCustomer();
    const before = await ids(customer.id);
    const secondId = before[`email::${customer.additionalEmails[0]}`]!;
    const swapped = await client.patch(`/v1/customers/${customer.id}/channels/${secondId}`, { primary: true });
    assert.equal(swapped.status, 200, swapped.text);
    let { customer: after } = await assertAgree(client, customer.id);
    assert.equal(after.email, customer.additionalEmails[0]);
    assert.deepEqual(after.additionalEmails, [customer.email]);
    assert.deepEqual(await ids(customer.id), before);

    const clash = await client.patch(`/v1/customers/${customer.id}/channels/${secondId}`, { value: customer.email.toUpperCase() });
    assertProblem(clash, 409, 'duplicate');
    assert.equal(clash.body.existingId, before[`email::${customer.email}`]);

    const twitterId = Object.entries(before).find(([k]) => k.startsWith('handle:twitter:'))![1];
    const moved = await client.patch(`/v1/customers/${customer.id}/channels/${twitterId}`, { label: 'facebook' });
    assert.equal(moved.status, 200, moved.text);
    assert.equal(moved.body.id, twitterId);
    assert.equal(moved.body.label, 'facebook');
    ({ customer: after } = await assertAgree(client, customer.id));
    assert.deepEqual(Object.keys(after.handles), ['facebook']);
    assertProblem(await client.patch(`/v1/customers/${customer.id}/channels/${twitterId}`, { primary: true }), 400, 'validation_failed', 'primary');
    assertProblem(await client.patch(`/v1/customers/${customer.id}/channels/${secondId}`, { label: 'work' }), 400, 'validation_failed', 'label');
  });

  test('DELETE removes a channel (204, ETag); removing the primary email promotes the next one, which keeps its id', async () => {
    const customer = await richCustomer();
    const before = await ids(customer.id);
    const primaryId = before[`email::${customer.email}`]!;
    const res = await client.delete(`/v1/customers/${customer.id}/channels/${primaryId}`);
    assert.equal(res.status, 204, res.text);
    assert.equal(res.headers.get('etag'), '"2"');
    const { customer: after } = await assertAgree(client, customer.id);
    assert.equal(after.email, customer.additionalEmails[0]);
    assert.deepEqual(after.additionalEmails, []);
    const afterIds = await ids(customer.id);
    assert.equal(afterIds[`email::${customer.additionalEmails[0]}`], before[`email::${customer.additionalEmails[0]}`]);
    const event = (await eventRows(customer.id)).at(-1)!;
    assert.equal(event.type, 'customer.channel_removed');
    assert.deepEqual(event.details, { channel: { id: primaryId, type: 'email', label: '' } });

    const whatsappId = before['whatsapp::+447700900123']!;
    assert.equal((await client.delete(`/v1/customers/${customer.id}/channels/${whatsappId}`)).status, 204);
    assert.equal((await assertAgree(client, customer.id)).customer.whatsapp, null);
    assertProblem(await client.delete(`/v1/customers/${customer.id}/channels/${whatsappId}`), 404, 'not_found');
  });

  test('If-Match: a stale ETag is 412 and changes nothing; a tenant that requires If-Match gets 428 without it', async () => {
    const customer = await richCustomer();
    await client.patch(`/v1/customers/${customer.id}`, { notes: 'v2' });
    const channelId = (await channelRows(customer.id))[0]!.id;
    assertProblem(await client.post(`/v1/customers/${customer.id}/channels`, { type: 'email', value: 'stale@example.com' }, { 'if-match': '"1"' }), 412, 'precondition_failed');
    assertProblem(await client.patch(`/v1/customers/${customer.id}/channels/${channelId}`, { value: 'stale@example.com' }, { 'if-match': '"1"' }), 412, 'precondition_failed');
    assertProblem(await client.delete(`/v1/customers/${customer.id}/channels/${channelId}`, { 'if-match': '"1"' }), 412, 'precondition_failed');
    assert.equal(await version(customer.id), 2);
    assert.equal((await channelRows(customer.id)).length, 5);
    assert.equal((await client.post(`/v1/customers/${customer.id}/channels`, { type: 'email', value: 'fresh@example.com' }, { 'if-match': '"2"' })).status, 201);

    const strict = await server.tenant({ requireIfMatch: true });
    const other = await richCustomer(strict);
    const otherChannel = (await channelRows(other.id))[0]!.id;
    assertProblem(await strict.post(`/v1/customers/${other.id}/channels`, { type: 'email', value: 'no-etag@example.com' }), 428, 'precondition_required');
    assertProblem(await strict.patch(`/v1/customers/${other.id}/channels/${otherChannel}`, { value: 'no-etag@example.com' }), 428, 'precondition_required');
    assertProblem(await strict.delete(`/v1/customers/${other.id}/channels/${otherChannel}`), 428, 'precondition_required');
    assert.equal((await strict.delete(`/v1/customers/${other.id}/channels/${otherChannel}`, { 'if-match': '"1"' })).status, 204);
  });

  test('concurrent channel writes: with the same ETag exactly one wins (the other 412); without, both land and fields and rows agree', async () => {
    const customer = await richCustomer();
    const raced = await Promise.all(
      ['race.a@example.com', 'race.b@example.com'].map((value) => client.post(`/v1/customers/${customer.id}/channels`, { type: 'email', value }, { 'if-match': '"1"' })),
    );
    assert.deepEqual(raced.map((r) => r.status).sort(), [201, 412]);
    const both = await Promise.all(['both.a@example.com', 'both.b@example.com'].map((value) => client.post(`/v1/customers/${customer.id}/channels`, { type: 'email', value })));
    assert.deepEqual(both.map((r) => r.status), [201, 201]);
    const { customer: after } = await assertAgree(client, customer.id);
    assert.equal(after.version, 4);
    assert.ok(after.additionalEmails.includes('both.a@example.com') && after.additionalEmails.includes('both.b@example.com'));
  });

  test('another tenant’s customer or channel answers 404, and nothing changes', async () => {
    const customer = await richCustomer();
    const channelId = (await channelRows(customer.id))[0]!.id;
    const other = await server.tenant();
    assertProblem(await other.get(`/v1/customers/${customer.id}/channels`), 404, 'not_found');
    assertProblem(await other.get(`/v1/customers/${customer.id}/channels/${channelId}`), 404, 'not_found');
    assertProblem(await other.post(`/v1/customers/${customer.id}/channels`, { type: 'email', value: 'intruder@example.com' }), 404, 'not_found');
    assertProblem(await other.patch(`/v1/customers/${customer.id}/channels/${channelId}`, { value: 'intruder@example.com' }), 404, 'not_found');
    assertProblem(await other.delete(`/v1/customers/${customer.id}/channels/${channelId}`), 404, 'not_found');
    // A channel id of another customer of the same tenant is not this customer's channel.
    const mine = await richCustomer();
    assertProblem(await client.delete(`/v1/customers/${mine.id}/channels/${channelId}`), 404, 'not_found');
    assert.equal((await channelRows(customer.id)).length, 5);
    assert.equal(await version(customer.id), 1);
  });

  test('a deleted customer’s channels can be read but not changed (409 customer_deleted)', async () => {
    const customer = await richCustomer();
    await client.delete(`/v1/customers/${customer.id}`);
    assert.equal((await client.get(`/v1/customers/${customer.id}/channels`)).status, 200);
    assertProblem(await client.post(`/v1/customers/${customer.id}/channels`, { type: 'email', value: 'late@example.com' }), 409, 'customer_deleted');
  });
});

describe('find customers by a channel value', () => {
  test('seed 003: channel= finds every channel type, written in any form; channelType narrows it', async () => {
    const t = await server.tenant();
    const a = await t.customer({ name: 'Alpha', email: 'alpha@example.com', phone: '+1 415 555 0101', whatsapp: '2348000000001', handles: { twitter: '@shared_name', facebook: 'alpha.fb' } });
    const b = await t.customer({ name: 'Beta', email: null, handles: { facebook: 'shared_name' } });
    const find = async (channel: string, channelType?: string) => {
      const res = await t.get(`/v1/customers?channel=${encodeURIComponent(channel)}${channelType ? `&channelType=${channelType}` : ''}`);
      assert.equal(res.status, 200, res.text);
      return res.body.data.map((c: { id: string }) => c.id).sort();
    };
    assert.deepEqual(await find('ALPHA@Example.com'), [a.id]);
    assert.deepEqual(await find('(415) 555-0101'), [], 'a national number needs the tenant’s default country');
    assert.deepEqual(await find('+1 (415) 555-0101'), [a.id]);
    assert.deepEqual(await find('+14155550101', 'telephone'), [a.id]);
    assert.deepEqual(await find('2348000000001'), [a.id], 'WhatsApp as WhatsApp writes it');
    assert.deepEqual(await find('+234 800 000 0001', 'whatsapp'), [a.id]);
    assert.deepEqual(await find('+234 800 000 0001', 'telephone'), [], 'a WhatsApp number is not a telephone');
    assert.deepEqual(await find('@Alpha.FB'), [a.id]);
    assert.deepEqual(await find('@shared_name'), [a.id, b.id].sort());
    assert.deepEqual(await find('shared_name', 'twitter'), [a.id]);
    assert.deepEqual(await find('shared_name', '3'), [b.id]);
    assert.deepEqual(await find('shared_name', 'handle'), [a.id, b.id].sort());
    assert.deepEqual(await find('nobody@example.com'), []);
    assertProblem(await t.get('/v1/customers?channel=x&channelType=fax'), 400, 'validation_failed', 'channelType');
    assertProblem(await t.get('/v1/customers?channel=not-an-email&channelType=email'), 400, 'validation_failed', 'channel');
    assertProblem(await t.get('/v1/customers?channelType=email'), 400, 'validation_failed', 'channelType');
    assert.deepEqual(await find(''), [], 'an empty value matches nothing');
    // Another tenant's customers are never found.
    assert.deepEqual((await client.get('/v1/customers?channel=alpha%40example.com')).body.data, []);
  });

  test('the core look-up for the seed surface returns customers with their channel records, tenant-scoped', async () => {
    const t = await server.tenant();
    const a = await t.customer({ name: 'Core Find', email: 'core.find@example.com', handles: { twitter: 'corefind' } });
    const services = createServices(server.server.database, { adminTokenHash: 'unused', signingKey: new Uint8Array(32) });
    const ctx: Ctx = { tenant: await getTenant(server.db, t.tenant.id), actor: { type: 'system', id: null } };
    const found = await services.queries.findByChannel(ctx, '@CoreFind', { channelType: 'twitter' });
    assert.deepEqual(found.map((c) => c.id), [a.id]);
    assert.deepEqual(found[0]!.channels.map((c) => [c.type, c.label, c.value]), [
      ['email', '', 'core.find@example.com'],
      ['handle', 'twitter', 'corefind'],
    ]);
    assert.deepEqual(await services.queries.findByChannel(ctx, 'corefind', { channelType: 'facebook' }), []);
    const otherCtx: Ctx = { tenant: await getTenant(server.db, client.tenant.id), actor: { type: 'system', id: null } };
    assert.deepEqual(await services.queries.findByChannel(otherCtx, 'core.find@example.com'), []);
  });
});

describe('channel operations in the core (for seed 003’s multi-channel writes)', () => {
  test('update with channel operations: the patch and every operation in one write, one version, one event each', async () => {
    const t = await server.tenant();
    const customer = await richCustomer(t);
    const services = createServices(server.server.database, { adminTokenHash: 'unused', signingKey: new Uint8Array(32) });
    const ctx: Ctx = { tenant: await getTenant(server.db, t.tenant.id), actor: { type: 'system', id: null } };
    const before = await ids(customer.id);
    const updated = await services.customers.update(ctx, customer.id, { firstName: 'Multi' }, {
      channels: [
        { op: 'add', type: 2, value: '+31 20 555 0199' },
        { op: 'add', type: 'twitter', value: 'replaced_handle', replace: true },
        { op: 'add', type: 'email', value: customer.email },
      ],
    });
    assert.equal(updated.version, 2);
    assert.deepEqual(updated.additionalPhones, ['+31205550199']);
    assert.deepEqual(updated.handles, { twitter: 'replaced_handle' });
    const events = (await eventRows(customer.id)).slice(1).map((e) => e.type);
    assert.deepEqual(events, ['customer.updated', 'customer.channel_added', 'customer.channel_added'], 'the email already there adds no event');
    const after = await ids(customer.id);
    assert.equal(after[`email::${customer.email}`], before[`email::${customer.email}`]);
    await assert.rejects(services.customers.update(ctx, customer.id, {}, { channels: [{ op: 'add', type: 'email', value: 'bad' }] }), (err: { errors: { field: string }[] }) => {
      assert.equal(err.errors[0]!.field, 'channels.0.value');
      return true;
    });
    assert.equal(await version(customer.id), 2);

    const created = await services.customers.create(ctx, { name: 'Created With Channels' }, { channels: [{ op: 'add', type: 'telephone', value: '+31 20 555 0111' }, { op: 'add', type: 'facebook', value: 'created.fb' }] });
    assert.equal(created.phone, '+31205550111');
    assert.deepEqual(created.handles, { facebook: 'created.fb' });
    assert.equal((await channelRows(created.id)).length, 2);
  });
});

describe('docs/api.md', () => {
  test('the curl examples of the Channels, Ticket links and Timeline sections answer as documented', async () => {
    const t = await server.tenant();
    const customer = await t.customer({ name: 'Doc Example', email: `doc.${uniq()}@example.com`, handles: { twitter: 'doc_example' } });
    const twitter = (await channelRows(customer.id)).find((c) => c.label === 'twitter')!;
    // Only these sections' blocks: other sections' examples need other set-ups.
    const results = await runApiDocSections(['Channels', 'Ticket links', 'Timeline'], { P: `${server.url}/v1`, TOKEN: t.token, ID: customer.id, CHANNEL_ID: twitter.id });
    assert.ok(results.length >= 10);
    for (const r of results) assert.equal(r.status, r.expected, `${r.script}\n→ ${r.body}`);
    const after = (await t.get(`/v1/customers/${customer.id}`)).body;
    assert.equal(after.phone, '+31205550100');
    assert.deepEqual(after.handles, {}, 'the PATCHed handle was then deleted');
    assert.equal(after.version, 4);
  });
});
