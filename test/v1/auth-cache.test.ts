import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { Authenticator } from '../../src/core/auth/authenticate.js';
import { AppError } from '../../src/core/errors.js';
import { useServer } from '../helpers.js';

/**
 * The authenticator's memory of verdicts (issue 4: "auth must stay cheap under abuse"). These
 * drive the core's Authenticator over the test server's database instead of HTTP: what they
 * check is which verdicts a process keeps, and the real limits (10,000 grants, 1,000 refusals,
 * 5 s) would take a flood longer than the 5 s a verdict is kept; here the limits are small.
 */
const { server, client } = await useServer();
const key = randomBytes(32);
const unknownToken = () => `ptn_${randomBytes(32).toString('base64url')}`;

async function refusal(authenticator: Authenticator, token: string): Promise<AppError | null> {
  try {
    await authenticator.authenticate(token);
    return null;
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
}

test('a flood of unknown tokens does not push a client’s remembered verdict out', async () => {
  const authenticator = new Authenticator(server.db, key, { granted: 5, refused: 3 });
  const principal = await authenticator.authenticate(client.token);
  assert.equal(principal.tenant.id, client.tenant.id);
  // Revoked behind the process's back (as another instance would): only a fresh look-up sees it.
  await server.db.updateTable('api_tokens').set({ revoked_at: new Date() }).where('tenant_id', '=', client.tenant.id).execute();
  for (let i = 0; i < 20; i++) assert.equal((await refusal(authenticator, unknownToken()))?.code, 'unauthenticated');
  // Twenty refusals, four times as many as grants are kept: the client's verdict is still there.
  assert.equal((await authenticator.authenticate(client.token)).tenant.id, client.tenant.id);
  // And it was the remembered verdict: once forgotten, the revocation shows.
  authenticator.invalidate();
  assert.equal((await refusal(authenticator, client.token))?.code, 'unauthenticated');
});

test('a refused token is remembered too, within the refusals’ own limit', async () => {
  const authenticator = new Authenticator(server.db, key, { granted: 5, refused: 3 });
  const { token, id } = await server.createToken(client.tenant.id);
  await server.db.updateTable('api_tokens').set({ revoked_at: new Date() }).where('id', '=', id).execute();
  assert.equal((await refusal(authenticator, token))?.code, 'unauthenticated');
  // Restored behind the process's back: the refusal is remembered while it is among the last 3.
  await server.db.updateTable('api_tokens').set({ revoked_at: null }).where('id', '=', id).execute();
  assert.equal((await refusal(authenticator, token))?.code, 'unauthenticated');
  for (let i = 0; i < 3; i++) await refusal(authenticator, unknownToken());
  // Three newer refusals pushed it out: looked up again, the token is good.
  assert.equal((await authenticator.authenticate(token)).tenant.id, client.tenant.id);
});
