import { SignJWT, jwtVerify } from 'jose';
import { uuidv7 } from '../ids.js';
import { randomBytes } from 'node:crypto';
import type { Db } from '../../db/connect.js';
import type { OAuthClientRow } from '../../db/database.js';
import { notFound } from '../errors.js';
import { expandScopes, isGrantable } from './scopes.js';
import { hashSecret, newSecret, sameHash } from './secrets.js';

/**
 * OAuth 2.0 client credentials (RFC 6749 §4.4): a tenant's machine clients trade their id and
 * secret for a short-lived signed JWT, which then authenticates like an API token.
 */

export const ACCESS_TOKEN_TTL_SECONDS = 3600;
const ISSUER = 'patron';
const AUDIENCE = 'patron-api';
const SIGNING_KEY = 'jwt_signing_key';

export interface OAuthClient {
  id: string;
  tenantId: string;
  clientId: string;
  name: string;
  scopes: string[];
  revokedAt: Date | null;
  createdAt: Date;
}

function toClient(row: OAuthClientRow): OAuthClient {
  return { id: row.id, tenantId: row.tenant_id, clientId: row.client_id, name: row.name, scopes: row.scopes, revokedAt: row.revoked_at, createdAt: row.created_at };
}

/** The installation's HS256 key, made at first start and shared by every instance through the database. */
export async function ensureSigningKey(db: Db): Promise<Uint8Array> {
  await db
    .insertInto('installation')
    .values({ key: SIGNING_KEY, value: randomBytes(32).toString('base64url') })
    .onConflict((oc) => oc.column('key').doNothing())
    .execute();
  const row = await db.selectFrom('installation').select('value').where('key', '=', SIGNING_KEY).executeTakeFirstOrThrow();
  return Buffer.from(row.value, 'base64url');
}

export async function createClient(db: Db, tenantId: string, input: { name: string; scopes: string[] }): Promise<{ client: OAuthClient; secret: string }> {
  const tenant = await db.selectFrom('tenants').select('id').where('id', '=', tenantId).executeTakeFirst();
  if (!tenant) throw notFound('Tenant');
  const secret = newSecret('pcs_');
  const row = await db
    .insertInto('oauth_clients')
    .values({
      tenant_id: tenantId,
      id: uuidv7(),
      client_id: `pcl_${randomBytes(16).toString('base64url')}`,
      secret_hash: hashSecret(secret),
      name: input.name,
      scopes: [...new Set(input.scopes)],
      revoked_at: null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return { client: toClient(row), secret };
}

export async function listClients(db: Db, tenantId: string): Promise<OAuthClient[]> {
  await db.selectFrom('tenants').select('id').where('id', '=', tenantId).executeTakeFirstOrThrow(() => notFound('Tenant'));
  return (await db.selectFrom('oauth_clients').selectAll().where('tenant_id', '=', tenantId).orderBy('id').execute()).map(toClient);
}

export async function revokeClient(db: Db, id: string): Promise<OAuthClient> {
  const row = await db
    .updateTable('oauth_clients')
    .set((eb) => ({ revoked_at: eb.fn.coalesce('revoked_at', eb.val(new Date())) }))
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
  if (!row) throw notFound('OAuth client');
  return toClient(row);
}

export type OAuthErrorCode = 'invalid_request' | 'invalid_client' | 'invalid_grant' | 'unsupported_grant_type' | 'invalid_scope';

/** An RFC 6749 §5.2 error; the token endpoint answers it in OAuth's own format. */
export class OAuthError extends Error {
  constructor(
    readonly error: OAuthErrorCode,
    readonly description: string,
  ) {
    super(description);
  }
  get status() {
    return this.error === 'invalid_client' ? 401 : 400;
  }
}

export interface TokenRequest {
  grantType: string | undefined;
  clientId: string | undefined;
  clientSecret: string | undefined;
  scope: string | undefined;
}

export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  scope: string;
}

export async function issueAccessToken(db: Db, key: Uint8Array, request: TokenRequest): Promise<TokenResponse> {
  if (!request.grantType) throw new OAuthError('invalid_request', 'grant_type is required.');
  if (request.grantType !== 'client_credentials') throw new OAuthError('unsupported_grant_type', 'Only the client_credentials grant is supported.');
  if (!request.clientId || !request.clientSecret) throw new OAuthError('invalid_client', 'Client authentication failed.');
  const row = await db
    .selectFrom('oauth_clients as c')
    .innerJoin('tenants as t', 't.id', 'c.tenant_id')
    .selectAll('c')
    .select('t.status as tenant_status')
    .where('c.client_id', '=', request.clientId)
    .executeTakeFirst();
  // One answer for unknown, wrong secret, revoked and suspended: none of them may tell an attacker more.
  if (!row || row.revoked_at || row.tenant_status !== 'active' || !sameHash(hashSecret(request.clientSecret), row.secret_hash)) {
    throw new OAuthError('invalid_client', 'Client authentication failed.');
  }
  const requested = request.scope?.split(' ').filter(Boolean) ?? row.scopes;
  const allowed = expandScopes(row.scopes);
  const refused = requested.filter((name) => !isGrantable(name) || [...expandScopes([name])].some((s) => !allowed.has(s)));
  if (refused.length > 0) throw new OAuthError('invalid_scope', `Not allowed for this client: ${refused.join(' ')}.`);
  const scope = requested.join(' ');
  const accessToken = await new SignJWT({ tid: row.tenant_id, scope })
    .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt' })
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setSubject(row.id)
    .setJti(uuidv7())
    .setIssuedAt()
    .setExpirationTime(`${ACCESS_TOKEN_TTL_SECONDS}s`)
    .sign(key);
  return { access_token: accessToken, token_type: 'Bearer', expires_in: ACCESS_TOKEN_TTL_SECONDS, scope };
}

/** Verifies an access token's signature, issuer, audience and expiry; null when any fails. */
export async function verifyAccessToken(key: Uint8Array, token: string): Promise<{ clientId: string; tenantId: string; scopes: string[]; expiresAt: Date } | null> {
  try {
    const { payload } = await jwtVerify(token, key, { issuer: ISSUER, audience: AUDIENCE, algorithms: ['HS256'] });
    if (typeof payload.sub !== 'string' || typeof payload.tid !== 'string' || typeof payload.scope !== 'string' || typeof payload.exp !== 'number') return null;
    return { clientId: payload.sub, tenantId: payload.tid, scopes: payload.scope.split(' ').filter(Boolean), expiresAt: new Date(payload.exp * 1000) };
  } catch {
    return null;
  }
}
