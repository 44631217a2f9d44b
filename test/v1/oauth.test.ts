import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { useServer } from '../helpers.js';

const { server } = await useServer();

async function oauthClient(tenantId: string, scopes: string[]) {
  const res = await server.admin('POST', `/tenants/${tenantId}/oauth-clients`, { name: 'partner', scopes });
  assert.equal(res.status, 201, res.text);
  return res.body as { id: string; clientId: string; clientSecret: string };
}

function tokenRequest(form: Record<string, string>, headers: Record<string, string> = {}) {
  return server.request('POST', '/oauth/token', { raw: new URLSearchParams(form).toString(), contentType: 'application/x-www-form-urlencoded', headers });
}

const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

describe('OAuth 2.0 client credentials (RFC 6749 §4.4)', () => {
  test('the admin API creates a client whose secret is shown once and stored only hashed', async () => {
    const tenant = await server.createTenant();
    const c = await oauthClient(tenant.id, ['customer:read']);
    assert.match(c.clientId, /^pcl_/);
    assert.match(c.clientSecret, /^pcs_[\w-]{43}$/);
    const row = await server.db.selectFrom('oauth_clients').selectAll().where('id', '=', c.id).executeTakeFirstOrThrow();
    assert.ok(!JSON.stringify(row).includes(c.clientSecret));
    const list = await server.admin('GET', `/tenants/${tenant.id}/oauth-clients`);
    assert.equal(list.body.data.length, 1);
    assert.ok(!JSON.stringify(list.body).includes(c.clientSecret));
  });

  test('client id and secret by HTTP Basic or in the body give a bearer JWT that works on /v1 with the mapped scopes', async () => {
    const tenant = await server.createTenant();
    const c = await oauthClient(tenant.id, ['customer:read', 'customer:create']);
    for (const res of [
      await tokenRequest({ grant_type: 'client_credentials' }, { authorization: basic(c.clientId, c.clientSecret) }),
      await tokenRequest({ grant_type: 'client_credentials', client_id: c.clientId, client_secret: c.clientSecret }),
    ]) {
      assert.equal(res.status, 200, res.text);
      assert.equal(res.headers.get('cache-control'), 'no-store');
      assert.equal(res.body.token_type, 'Bearer');
      assert.equal(res.body.expires_in, 3600);
      assert.equal(res.body.scope, 'customer:read customer:create');
      const token = res.body.access_token as string;
      assert.equal(token.split('.').length, 3);
      const created = await server.request('POST', '/v1/customers', { token, body: { name: 'Via OAuth' } });
      assert.equal(created.status, 201, created.text);
      const events = await server.db.selectFrom('customer_events').select('actor').where('customer_id', '=', created.body.id).execute();
      assert.deepEqual(events[0]!.actor, { type: 'oauth_client', id: c.id });
      const update = await server.request('PATCH', `/v1/customers/${created.body.id}`, { token, body: { name: 'No' } });
      assert.equal(update.status, 403, 'customer:update was not granted');
    }
  });

  test('a narrower scope can be asked for; a scope the client lacks is invalid_scope', async () => {
    const tenant = await server.createTenant();
    const c = await oauthClient(tenant.id, ['customer:read', 'customer:create']);
    const narrow = await tokenRequest({ grant_type: 'client_credentials', scope: 'customer:read' }, { authorization: basic(c.clientId, c.clientSecret) });
    assert.equal(narrow.body.scope, 'customer:read');
    const create = await server.request('POST', '/v1/customers', { token: narrow.body.access_token, body: { name: 'x' } });
    assert.equal(create.status, 403);
    const wide = await tokenRequest({ grant_type: 'client_credentials', scope: 'customer:read customer:delete' }, { authorization: basic(c.clientId, c.clientSecret) });
    assert.equal(wide.status, 400);
    assert.equal(wide.body.error, 'invalid_scope');
  });

  test('RFC 6749 errors: invalid_client (401, Basic challenge), unsupported_grant_type, invalid_request', async () => {
    const tenant = await server.createTenant();
    const c = await oauthClient(tenant.id, ['customer:read']);
    const wrong = await tokenRequest({ grant_type: 'client_credentials' }, { authorization: basic(c.clientId, 'pcs_wrong') });
    assert.equal(wrong.status, 401);
    assert.equal(wrong.body.error, 'invalid_client');
    assert.match(wrong.headers.get('www-authenticate') ?? '', /^Basic/);
    const unknown = await tokenRequest({ grant_type: 'client_credentials', client_id: 'pcl_nope', client_secret: 'x' });
    assert.equal(unknown.status, 401);
    assert.equal(unknown.body.error, 'invalid_client');
    const grant = await tokenRequest({ grant_type: 'password', client_id: c.clientId, client_secret: c.clientSecret });
    assert.equal(grant.status, 400);
    assert.equal(grant.body.error, 'unsupported_grant_type');
    const missing = await tokenRequest({ client_id: c.clientId, client_secret: c.clientSecret });
    assert.equal(missing.body.error, 'invalid_request');
  });

  test('revoking the client or suspending the tenant stops its access tokens at once; a forged token is refused', async () => {
    const tenant = await server.createTenant();
    const c = await oauthClient(tenant.id, ['customers:read']);
    const token = (await tokenRequest({ grant_type: 'client_credentials' }, { authorization: basic(c.clientId, c.clientSecret) })).body.access_token as string;
    assert.equal((await server.request('GET', '/v1/customers', { token })).status, 200);

    const [header, payload] = token.split('.');
    const forged = `${header}.${payload}.${Buffer.from('not the signature').toString('base64url')}`;
    assert.equal((await server.request('GET', '/v1/customers', { token: forged })).status, 401);

    await server.admin('PATCH', `/tenants/${tenant.id}`, { status: 'suspended' });
    assert.equal((await server.request('GET', '/v1/customers', { token })).status, 403);
    await server.admin('PATCH', `/tenants/${tenant.id}`, { status: 'active' });
    assert.equal((await server.admin('DELETE', `/oauth-clients/${c.id}`)).status, 200);
    const revoked = await server.request('GET', '/v1/customers', { token });
    assert.equal(revoked.status, 401);
    const again = await tokenRequest({ grant_type: 'client_credentials' }, { authorization: basic(c.clientId, c.clientSecret) });
    assert.equal(again.body.error, 'invalid_client');
  });
});
