import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, describe, test } from 'node:test';
import { useServer, type TenantClient } from '../helpers.js';

/**
 * Issue 5 / seed 003 `syncWithCRM`: a brand's CRM look-up, against a fake CRM on loopback
 * (allowed through PATRON_OUTBOUND_ALLOW, as an operator would allow an internal CRM).
 * Every failure must leave the customer exactly as it was.
 */

type Handler = (req: IncomingMessage, res: ServerResponse) => void;
let handler: Handler = (_req, res) => res.writeHead(404).end();
const requests: URL[] = [];
const crm = createServer((req, res) => {
  requests.push(new URL(req.url ?? '/', 'http://crm.local'));
  handler(req, res);
});
await new Promise<void>((resolve) => crm.listen(0, '127.0.0.1', resolve));
const crmUrl = `http://127.0.0.1:${(crm.address() as AddressInfo).port}/lookup`;
after(() => {
  crm.closeAllConnections();
  crm.close();
});

const { server } = await useServer({ outboundAllow: ['127.0.0.1'] });

const json = (status: number, body: unknown): Handler => (_req, res) => {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
};

async function setup(crmLookupUrl: string | null = crmUrl) {
  const t = await server.tenant();
  const brand = await server.admin('POST', `/tenants/${t.tenant.id}/brands`, { name: 'Shop', ...(crmLookupUrl ? { crmLookupUrl } : {}) });
  assert.equal(brand.status, 201, brand.text);
  return { t, brandId: brand.body.id as number };
}

const sync = (t: TenantClient, brandId: number, body: Record<string, unknown>) => t.post(`/v1/brands/${brandId}/crm-sync`, body);

/** The customer's row and channels as stored, to prove a failure changed nothing. */
async function snapshot(id: string) {
  const row = await server.db.selectFrom('customers').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const channels = await server.db.selectFrom('customer_channels').select(['id', 'type', 'value']).where('customer_id', '=', id).orderBy('position').execute();
  return { row, channels };
}

describe('seed 003 syncWithCRM: the brand’s CRM answers', () => {
  test('a customer the CRM knows is created from its answer (201), with the looked-up channel, and the CRM is asked as documented', async () => {
    const { t, brandId } = await setup();
    handler = json(200, { externalId: 'crm-1', firstName: 'Ada', lastName: 'Lovelace', phone: '+44 20 7946 0000', customFields: { tier: 'gold' }, unknownMember: 'ignored' });
    requests.length = 0;
    const res = await sync(t, brandId, { channel: 'email', address: 'Ada@Example.com' });
    assert.equal(res.status, 201, res.text);
    assert.equal(res.body.created, true);
    assert.equal(res.body.customer.externalId, 'crm-1');
    assert.equal(res.body.customer.firstName, 'Ada');
    assert.equal(res.body.customer.email, 'ada@example.com');
    assert.equal(res.body.customer.phone, '+442079460000');
    assert.equal(res.body.customer.brandId, brandId);
    assert.deepEqual(res.body.customer.customFields, { tier: 'gold' });
    assert.equal(res.headers.get('location'), `/v1/customers/${res.body.customer.id}`);
    assert.equal(requests.length, 1);
    assert.equal(requests[0]!.pathname, '/lookup');
    assert.equal(requests[0]!.searchParams.get('channel'), 'email');
    assert.equal(requests[0]!.searchParams.get('address'), 'Ada@Example.com');
    assert.equal(requests[0]!.searchParams.get('brandId'), String(brandId));
    const events = await t.get(`/v1/customers/${res.body.customer.id}/events`);
    assert.deepEqual(events.body.data.map((e: { type: string }) => e.type), ['customer.created', 'customer.crm_synced']);
  });

  test('a second sync updates the same customer (matched by the CRM’s externalId), and one matched by channel value', async () => {
    const { t, brandId } = await setup();
    handler = json(200, { externalId: 'crm-2', name: 'First Name' });
    const first = await sync(t, brandId, { channel: 'telephone', address: '+4930123456' });
    assert.equal(first.status, 201, first.text);
    handler = json(200, { externalId: 'crm-2', name: 'Renamed' });
    const second = await sync(t, brandId, { channel: 'telephone', address: '+4930123456' });
    assert.equal(second.status, 200, second.text);
    assert.equal(second.body.customer.id, first.body.customer.id);
    assert.equal(second.body.matchedBy, 'externalId');
    assert.equal(second.body.customer.name, 'Renamed');
    assert.equal(second.body.customer.version, first.body.customer.version + 1);

    // No externalId in the answer: the customer with that channel value in the brand is the one.
    const existing = await t.post('/v1/customers', { name: 'Known', email: 'known@example.com', brandId });
    handler = json(200, { lastName: 'Known-Lastname' });
    const byChannel = await sync(t, brandId, { channel: 'email', address: 'known@example.com' });
    assert.equal(byChannel.status, 200, byChannel.text);
    assert.equal(byChannel.body.matchedBy, 'channel');
    assert.equal(byChannel.body.customer.id, existing.body.id);
    assert.equal(byChannel.body.customer.lastName, 'Known-Lastname');
  });

  test('the seed’s own example channel name, phoneNumber, is the phone channel', async () => {
    const { t, brandId } = await setup();
    handler = json(200, { name: 'Phone Person' });
    const res = await sync(t, brandId, { channel: 'phoneNumber', address: '+31 20 123 4567' });
    assert.equal(res.status, 201, res.text);
    assert.equal(res.body.customer.phone, '+31201234567');
  });
});

describe('seed 003 syncWithCRM: a failing CRM changes nothing and the caller learns why', () => {
  async function withCustomer() {
    const ctx = await setup();
    const created = await ctx.t.post('/v1/customers', { name: 'Intact', email: 'intact@example.com', externalId: 'crm-intact', brandId: ctx.brandId });
    assert.equal(created.status, 201, created.text);
    return { ...ctx, id: created.body.id as string, before: await snapshot(created.body.id) };
  }

  const cases: [string, Handler | 'down', number, string][] = [
    ['CRM down (connection refused)', 'down', 502, 'crm_unavailable'],
    ['CRM answers 500', json(500, { error: 'boom' }), 502, 'crm_unavailable'],
    ['CRM answers garbage (not JSON)', (_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('<html>oops'), 502, 'crm_bad_response'],
    ['CRM answers JSON that is not a customer', json(200, { externalId: 42, name: ['x'] }), 502, 'crm_bad_response'],
    ['CRM answers fields Patron refuses (a bad e-mail)', json(200, { externalId: 'crm-intact', email: 'not-an-email' }), 502, 'crm_bad_response'],
    ['CRM answers 50 MB', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const chunk = Buffer.alloc(1024 * 1024, 'a');
      let sent = 0;
      const pump = () => {
        while (sent < 50 && res.write(chunk)) sent++;
        if (sent < 50 && !res.destroyed) res.once('drain', pump);
        else res.end();
      };
      res.on('error', () => {});
      pump();
    }, 502, 'crm_bad_response'],
    ['CRM redirects to a private address', (_req, res) => res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' }).end(), 502, 'crm_bad_response'],
  ];
  for (const [name, crmBehaviour, status, code] of cases) {
    test(`${name} → ${status} ${code}, customer untouched`, async () => {
      const { t, brandId, id, before } = await withCustomer();
      if (crmBehaviour === 'down') {
        // A port nothing listens on: take one, then free it.
        const probe = createServer();
        await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
        const port = (probe.address() as AddressInfo).port;
        await new Promise<void>((resolve) => probe.close(() => resolve()));
        await server.admin('PATCH', `/tenants/${t.tenant.id}/brands/${brandId}`, { crmLookupUrl: `http://127.0.0.1:${port}/lookup` });
      } else {
        handler = crmBehaviour;
      }
      const res = await sync(t, brandId, { channel: 'email', address: 'intact@example.com' });
      assert.equal(res.status, status, res.text);
      assert.equal(res.body.code, code);
      assert.match(res.body.detail, /CRM/);
      assert.deepEqual(await snapshot(id), before);
      const events = await t.get(`/v1/customers/${id}/events`);
      assert.deepEqual(events.body.data.map((e: { type: string }) => e.type), ['customer.created']);
    });
  }

  test('a CRM that is too slow → 504 crm_timeout, customer untouched', async () => {
    const { t, brandId, id, before } = await withCustomer();
    handler = () => {}; // never answers; the request times out on Patron's side
    const res = await t.post(`/v1/brands/${brandId}/crm-sync`, { channel: 'email', address: 'intact@example.com' });
    assert.equal(res.status, 504, res.text);
    assert.equal(res.body.code, 'crm_timeout');
    assert.deepEqual(await snapshot(id), before);
  });

  test('a CRM that knows no such customer (404) → 404, nothing created', async () => {
    const { t, brandId } = await setup();
    handler = json(404, { error: 'unknown' });
    const res = await sync(t, brandId, { channel: 'email', address: 'nobody@example.com' });
    assert.equal(res.status, 404, res.text);
    assert.equal(await server.countCustomers(t.tenant.id), 0);
  });

  test('a CRM URL on a private address that is not allowed is refused before any request (SSRF)', async () => {
    const t = await server.tenant();
    const brand = await server.admin('POST', `/tenants/${t.tenant.id}/brands`, { name: 'Internal', crmLookupUrl: 'http://169.254.169.254/latest/meta-data/' });
    const res = await sync(t, brand.body.id, { channel: 'email', address: 'a@example.com' });
    assert.equal(res.status, 502, res.text);
    assert.equal(res.body.code, 'crm_unavailable');
    assert.match(res.body.detail, /not a public address/);
    assert.equal(await server.countCustomers(t.tenant.id), 0);
  });
});

describe('seed 003 syncWithCRM: requests Patron refuses', () => {
  test('a brand without a CRM URL → 409 crm_not_configured', async () => {
    const { t, brandId } = await setup(null);
    const res = await sync(t, brandId, { channel: 'email', address: 'a@example.com' });
    assert.equal(res.status, 409, res.text);
    assert.equal(res.body.code, 'crm_not_configured');
  });

  test('another tenant’s brand is a 404, like an unknown one; an unknown channel type is a 400', async () => {
    const { brandId } = await setup();
    const stranger = await server.tenant();
    requests.length = 0;
    const res = await sync(stranger, brandId, { channel: 'email', address: 'a@example.com' });
    assert.equal(res.status, 404, res.text);
    assert.equal((await sync(stranger, 999_999_999, { channel: 'email', address: 'a@example.com' })).status, 404);
    const { t, brandId: own } = await setup();
    const bad = await sync(t, own, { channel: 'pigeon post!', address: 'a@example.com' });
    assert.equal(bad.status, 400, bad.text);
    assert.equal(bad.body.errors[0].field, 'channel');
    assert.equal(requests.length, 0);
  });

  test('needs both customers:create and customers:update', async () => {
    const { t, brandId } = await setup();
    const { token } = await server.createToken(t.tenant.id, ['customers:read', 'customers:update']);
    const res = await server.request('POST', `/v1/brands/${brandId}/crm-sync`, { token, body: { channel: 'email', address: 'a@example.com' } });
    assert.equal(res.status, 403, res.text);
  });
});
