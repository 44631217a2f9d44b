import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Ctx } from '../../src/core/context.js';
import { getTenant } from '../../src/core/tenants/tenant.service.js';
import { createServices } from '../../src/services.js';
import { useServer, type Res } from '../helpers.js';

const { server, client } = await useServer();

const uniq = () => Math.random().toString(36).slice(2, 10);

function eventRows(customerId: string) {
  return server.db.selectFrom('customer_events').selectAll().where('customer_id', '=', customerId).orderBy('seq').execute();
}

function ticketRows(customerId: string) {
  return server.db.selectFrom('customer_tickets').selectAll().where('customer_id', '=', customerId).orderBy('linked_at').execute();
}

async function version(customerId: string) {
  return (await server.db.selectFrom('customers').select('version').where('id', '=', customerId).executeTakeFirstOrThrow()).version;
}

function assertProblem(res: Res, status: number, code: string, fields?: string[]) {
  assert.equal(res.status, status, `expected ${status} ${code}, got ${res.status}: ${res.text}`);
  assert.equal(res.body.code, code);
  if (fields) assert.deepEqual(res.body.errors.map((e: { field: string }) => e.field).sort(), [...fields].sort());
}

const order = { type: 'order', initiatedBy: 'webshop', message: 'Order #1001 placed: 2 items', sourceUrl: 'https://shop.example.com/orders/1001' };

describe('POST /v1/customers/:id/events — external events', () => {
  test('seed 003: an external event is stored as external.<type> with its details, does not change the customer, and is listed with the system events', async () => {
    const customer = await client.customer();
    const res = await client.post(`/v1/customers/${customer.id}/events`, order);
    assert.equal(res.status, 201, res.text);
    assert.equal(res.body.type, 'external.order');
    assert.equal(res.body.customerId, customer.id);
    assert.deepEqual(res.body.details, { initiatedBy: 'webshop', message: 'Order #1001 placed: 2 items', sourceUrl: 'https://shop.example.com/orders/1001' });
    assert.deepEqual(res.body.changes, {});
    assert.equal(res.body.actor.type, 'token');
    assert.ok(Math.abs(Date.parse(res.body.occurredAt) - Date.now()) < 60_000, 'occurredAt defaults to now');
    assert.equal(await version(customer.id), 1, 'an event is not a change of the customer');

    await client.patch(`/v1/customers/${customer.id}`, { notes: 'after the order' });
    const at = '2024-03-01T10:00:00.000Z';
    const mail = await client.post(`/v1/customers/${customer.id}/events`, { type: 'marketing.mail-sent', initiatedBy: 'newsletter', message: 'Spring sale', occurredAt: at });
    assert.equal(mail.status, 201, mail.text);
    assert.equal(mail.body.occurredAt, at);
    assert.equal(mail.body.details.sourceUrl, null);

    const timeline = await client.get(`/v1/customers/${customer.id}/events`);
    assert.equal(timeline.status, 200);
    assert.deepEqual(timeline.body.data.map((e: { type: string }) => e.type), ['customer.created', 'external.order', 'customer.updated', 'external.marketing.mail-sent']);
    assert.equal(timeline.body.data[0].details, null);
    const external = await client.get(`/v1/customers/${customer.id}/events?type=external.`);
    assert.deepEqual(external.body.data.map((e: { id: string }) => e.id), [res.body.id, mail.body.id]);
    const marketing = await client.get(`/v1/customers/${customer.id}/events?type=external.marketing&limit=1`);
    assert.deepEqual(marketing.body.data.map((e: { id: string }) => e.id), [mail.body.id]);
    assert.equal(marketing.body.hasMore, false);
    assertProblem(await client.get(`/v1/customers/${customer.id}/events?type=%25`), 400, 'validation_failed', ['query.type']);
    const rows = await eventRows(customer.id);
    assert.deepEqual(rows[1]!.details, res.body.details);
  });

  test('an external type can never pose as a system event', async () => {
    const customer = await client.customer();
    const res = await client.post(`/v1/customers/${customer.id}/events`, { ...order, type: 'customer.deleted' });
    assert.equal(res.status, 201);
    assert.equal(res.body.type, 'external.customer.deleted');
  });

  for (const [what, body, fields] of [
    ['a type with capitals', { ...order, type: 'Order' }, ['type']],
    ['a type with a space', { ...order, type: 'an order' }, ['type']],
    ['a type of 65 characters', { ...order, type: 'a'.repeat(65) }, ['type']],
    ['a missing initiatedBy and message', { type: 'order' }, ['initiatedBy', 'message']],
    ['a blank message', { ...order, message: '   ' }, ['message']],
    ['an initiatedBy of 201 characters', { ...order, initiatedBy: 'x'.repeat(201) }, ['initiatedBy']],
    ['a message of 5001 characters', { ...order, message: 'x'.repeat(5001) }, ['message']],
    ['a relative sourceUrl', { ...order, sourceUrl: '/orders/1' }, ['sourceUrl']],
    ['an ftp sourceUrl', { ...order, sourceUrl: 'ftp://example.com/x' }, ['sourceUrl']],
    ['a javascript: sourceUrl', { ...order, sourceUrl: 'javascript:alert(1)' }, ['sourceUrl']],
    ['a sourceUrl of 2049 characters', { ...order, sourceUrl: `https://example.com/${'a'.repeat(2029)}` }, ['sourceUrl']],
    ['an occurredAt that is not a date-time', { ...order, occurredAt: 'yesterday' }, ['occurredAt']],
    ['an unknown field', { ...order, priority: 'high' }, ['priority']],
  ] as const) {
    test(`seed 003: an external event with ${what} is a 400 naming ${fields.join(', ')}, and nothing is stored`, async () => {
      const customer = await client.customer();
      assertProblem(await client.post(`/v1/customers/${customer.id}/events`, body), 400, 'validation_failed', [...fields]);
      assert.equal((await eventRows(customer.id)).length, 1);
    });
  }

  test('a message of exactly 5000 characters and a sourceUrl of 2048 are accepted', async () => {
    const customer = await client.customer();
    const res = await client.post(`/v1/customers/${customer.id}/events`, { ...order, message: 'm'.repeat(5000), sourceUrl: `https://example.com/${'a'.repeat(2028)}` });
    assert.equal(res.status, 201, res.text);
  });

  test('a deleted customer accepts events; a purged one refuses them (409 customer_purged); another tenant gets 404', async () => {
    const customer = await client.customer();
    await client.delete(`/v1/customers/${customer.id}`);
    assert.equal((await client.post(`/v1/customers/${customer.id}/events`, order)).status, 201);
    await client.post(`/v1/customers/${customer.id}/purge`);
    assertProblem(await client.post(`/v1/customers/${customer.id}/events`, order), 409, 'customer_purged');
    assertProblem(await client.post(`/v1/customers/${customer.id}/tickets`, { ticketId: 'T-1' }), 409, 'customer_purged');

    const live = await client.customer();
    const other = await server.tenant();
    assertProblem(await other.post(`/v1/customers/${live.id}/events`, order), 404, 'not_found');
    assertProblem(await other.get(`/v1/customers/${live.id}/events`), 404, 'not_found');
    assert.equal((await eventRows(live.id)).length, 1);
  });
});

describe('/v1/customers/:id/tickets — ticket links', () => {
  test('seed 003: link, link again (200, the same link), list, unlink; each recorded on the timeline without changing the customer', async () => {
    const customer = await client.customer();
    const linked = await client.post(`/v1/customers/${customer.id}/tickets`, { ticketId: ' JIRA-123 ' });
    assert.equal(linked.status, 201, linked.text);
    assert.equal(linked.body.ticketId, 'JIRA-123');
    assert.equal(linked.body.customerId, customer.id);
    const again = await client.post(`/v1/customers/${customer.id}/tickets`, { ticketId: 'JIRA-123' });
    assert.equal(again.status, 200, again.text);
    assert.deepEqual(again.body, linked.body);
    const odd = await client.post(`/v1/customers/${customer.id}/tickets`, { ticketId: 'desk/7 #a' });
    assert.equal(odd.status, 201);

    const list = await client.get(`/v1/customers/${customer.id}/tickets`);
    assert.equal(list.status, 200);
    assert.deepEqual(list.body.data.map((t: { ticketId: string }) => t.ticketId), ['JIRA-123', 'desk/7 #a']);
    assert.equal(await version(customer.id), 1);

    assert.equal((await client.delete(`/v1/customers/${customer.id}/tickets/${encodeURIComponent('desk/7 #a')}`)).status, 204);
    assertProblem(await client.delete(`/v1/customers/${customer.id}/tickets/${encodeURIComponent('desk/7 #a')}`), 404, 'not_found');
    assert.deepEqual((await ticketRows(customer.id)).map((t) => t.ticket_id), ['JIRA-123']);

    const events = (await eventRows(customer.id)).slice(1);
    assert.deepEqual(events.map((e) => [e.type, e.details]), [
      ['customer.ticket_linked', { ticketId: 'JIRA-123' }],
      ['customer.ticket_linked', { ticketId: 'desk/7 #a' }],
      ['customer.ticket_unlinked', { ticketId: 'desk/7 #a' }],
    ]);
  });

  test('ticket ids: blank, over 100 characters or with control characters are a 400; another tenant gets 404', async () => {
    const customer = await client.customer();
    assertProblem(await client.post(`/v1/customers/${customer.id}/tickets`, { ticketId: '  ' }), 400, 'validation_failed', ['ticketId']);
    assertProblem(await client.post(`/v1/customers/${customer.id}/tickets`, { ticketId: 'x'.repeat(101) }), 400, 'validation_failed', ['ticketId']);
    assertProblem(await client.post(`/v1/customers/${customer.id}/tickets`, { ticketId: 'a\nb' }), 400, 'validation_failed', ['ticketId']);
    assertProblem(await client.post(`/v1/customers/${customer.id}/tickets`, { ticketId: 7 }), 400, 'validation_failed', ['ticketId']);
    assert.equal((await client.post(`/v1/customers/${customer.id}/tickets`, { ticketId: 'x'.repeat(100) })).status, 201);

    const other = await server.tenant();
    assertProblem(await other.post(`/v1/customers/${customer.id}/tickets`, { ticketId: 'T-9' }), 404, 'not_found');
    assertProblem(await other.get(`/v1/customers/${customer.id}/tickets`), 404, 'not_found');
    assertProblem(await other.delete(`/v1/customers/${customer.id}/tickets/${'x'.repeat(100)}`), 404, 'not_found');
    assert.equal((await ticketRows(customer.id)).length, 1);
  });

  test('seed 003: a customer created with tickets is linked in the same write, and its ticket history lists them', async () => {
    const t = await server.tenant();
    const services = createServices(server.server.database, { adminTokenHash: 'unused', signingKey: new Uint8Array(32) });
    const ctx: Ctx = { tenant: await getTenant(server.db, t.tenant.id), actor: { type: 'system', id: null } };
    const created = await services.customers.create(ctx, { name: 'Ticket Person' }, { tickets: ['42', ' 42 ', 'HD-7'] });
    assert.deepEqual((await services.timeline.tickets(ctx, created.id)).map((l) => l.ticketId).sort(), ['42', 'HD-7']);
    assert.deepEqual((await eventRows(created.id)).map((e) => [e.type, e.details]), [
      ['customer.created', null],
      ['customer.ticket_linked', { ticketId: '42' }],
      ['customer.ticket_linked', { ticketId: 'HD-7' }],
    ]);
    await assert.rejects(services.customers.create(ctx, { name: 'Bad Ticket' }, { tickets: [''] }), (err: { errors: { field: string }[] }) => {
      assert.equal(err.errors[0]!.field, 'tickets.0');
      return true;
    });
    assert.equal(await server.countCustomers(t.tenant.id), 1);
  });
});

describe('purge erases channels, external events and ticket links', () => {
  test('seed 003: after a purge no personal data remains in any table (channels, events’ changes and details, tickets, stored responses)', async () => {
    const t = await server.tenant();
    const tag = uniq();
    const personal = [`purge.${tag}@example.com`, `second.${tag}@example.com`, '+12125550142', '+447700900142', `tw_${tag}`, `fb_${tag}`, `Jane ${tag}`, `buyer-${tag}`, `https://shop.example.com/${tag}`, `ticket-${tag}`];
    const customer = await t.customer({ name: `Jane ${tag}`, email: personal[0], phone: '+1 212 555 0142', handles: { twitter: personal[4] } });
    const key = { 'idempotency-key': `k-${tag}` };
    assert.equal((await t.post(`/v1/customers/${customer.id}/channels`, { type: 'email', value: personal[1] }, key)).status, 201);
    assert.equal((await t.post(`/v1/customers/${customer.id}/channels`, { type: 'whatsapp', value: personal[3] }, { 'idempotency-key': `w-${tag}` })).status, 201);
    assert.equal((await t.post(`/v1/customers/${customer.id}/channels`, { type: 'facebook', value: personal[5] })).status, 201);
    assert.equal((await t.post(`/v1/customers/${customer.id}/events`, { type: 'order', initiatedBy: personal[7], message: `Order for Jane ${tag}`, sourceUrl: personal[8] }, { 'idempotency-key': `e-${tag}` })).status, 201);
    assert.equal((await t.post(`/v1/customers/${customer.id}/tickets`, { ticketId: personal[9] }, { 'idempotency-key': `t-${tag}` })).status, 201);
    const stored = await server.db.selectFrom('idempotency_keys').select(['key', 'resource_id']).where('tenant_id', '=', t.tenant.id).execute();
    assert.ok(stored.length >= 4 && stored.every((s) => s.resource_id === customer.id), 'a channel’s, event’s or ticket link’s stored response belongs to its customer');

    const purged = await t.post(`/v1/customers/${customer.id}/purge`);
    assert.equal(purged.status, 200, purged.text);

    assert.deepEqual(await server.db.selectFrom('customer_channels').select('id').where('customer_id', '=', customer.id).execute(), []);
    assert.deepEqual(await ticketRows(customer.id), []);
    const events = await eventRows(customer.id);
    assert.ok(events.length >= 7);
    const everything = JSON.stringify([
      events.map((e) => [e.changes, e.details]),
      await server.db.selectFrom('idempotency_keys').selectAll().where('tenant_id', '=', t.tenant.id).execute(),
      await server.db.selectFrom('customers').selectAll().where('id', '=', customer.id).execute(),
    ]).toLowerCase();
    for (const value of personal) assert.ok(!everything.includes(value.toLowerCase()), `${value} is gone`);
    const external = events.find((e) => e.type === 'external.order')!;
    assert.deepEqual(external.details, { redacted: true });
    assert.ok(events.every((e) => e.details === null || JSON.stringify(e.details) === '{"redacted":true}'));
    const listed = await t.get(`/v1/customers/${customer.id}/events?type=external.`);
    assert.deepEqual(listed.body.data.map((e: { type: string; details: unknown }) => [e.type, e.details]), [['external.order', { redacted: true }]]);
    assert.deepEqual((await t.get(`/v1/customers/${customer.id}/tickets`)).body.data, []);
    assert.deepEqual((await t.get(`/v1/customers/${customer.id}/channels`)).body.data, []);
  });
});

describe('writesDisabled', () => {
  test('channel, event and ticket writes answer 503 while reads go on', async () => {
    const t = await server.tenant();
    const customer = await t.customer();
    await server.admin('PATCH', `/tenants/${t.tenant.id}`, { settings: { writesDisabled: true } });
    for (const res of [
      await t.post(`/v1/customers/${customer.id}/channels`, { type: 'email', value: 'x@example.com' }),
      await t.post(`/v1/customers/${customer.id}/events`, order),
      await t.post(`/v1/customers/${customer.id}/tickets`, { ticketId: 'T-1' }),
    ]) {
      assertProblem(res, 503, 'writes_disabled');
    }
    assert.equal((await t.get(`/v1/customers/${customer.id}/channels`)).status, 200);
    assert.equal((await t.get(`/v1/customers/${customer.id}/tickets`)).status, 200);
  });
});
