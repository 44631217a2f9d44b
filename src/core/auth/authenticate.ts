import type { Db } from '../../db/connect.js';
import type { Tenant } from '../context.js';
import { AppError } from '../errors.js';
import { toTenant } from '../tenants/tenant.service.js';
import { verifyAccessToken } from './oauth.service.js';
import { expandScopes } from './scopes.js';
import { hashSecret } from './secrets.js';

export interface Principal {
  tenant: Tenant;
  credential: { kind: 'token' | 'oauth_client'; id: string };
  /** The Patron scopes granted, aliases and shorthands expanded. */
  scopes: Set<string>;
}

/** last_used_at is written at most this often per token, so reads don't each cost a write. */
const LAST_USED_RESOLUTION_MS = 60_000;
const JWT = /^[\w-]+\.[\w-]+\.[\w-]+$/;

const tenantColumns = ['tn.number as tenant_number', 'tn.name as tenant_name', 'tn.status as tenant_status', 'tn.settings as tenant_settings', 'tn.created_at as tenant_created_at', 'tn.updated_at as tenant_updated_at'] as const;

/**
 * Resolves a bearer secret — an API token or an OAuth access token — to its tenant and
 * scopes. Every bad credential is the same `unauthenticated` error (with the reason in the
 * message); a suspended tenant is `tenant_suspended`, since the credential itself is good.
 */
export async function authenticate(db: Db, signingKey: Uint8Array, secret: string): Promise<Principal> {
  return JWT.test(secret) ? authenticateAccessToken(db, signingKey, secret) : authenticateApiToken(db, secret);
}

async function authenticateApiToken(db: Db, secret: string): Promise<Principal> {
  const row = await db
    .selectFrom('api_tokens as t')
    .innerJoin('tenants as tn', 'tn.id', 't.tenant_id')
    .select(['t.id', 't.tenant_id', 't.scopes', 't.expires_at', 't.revoked_at', 't.last_used_at', ...tenantColumns])
    .where('t.token_hash', '=', hashSecret(secret))
    .executeTakeFirst();
  if (!row) throw new AppError('unauthenticated', 'The access token is invalid.');
  if (row.revoked_at) throw new AppError('unauthenticated', 'The access token has been revoked.');
  const now = Date.now();
  if (row.expires_at && row.expires_at.getTime() <= now) throw new AppError('unauthenticated', 'The access token has expired.');
  const tenant = activeTenant(row);
  if (!row.last_used_at || now - row.last_used_at.getTime() > LAST_USED_RESOLUTION_MS) {
    await db.updateTable('api_tokens').set({ last_used_at: new Date(now) }).where('tenant_id', '=', row.tenant_id).where('id', '=', row.id).execute();
  }
  return { tenant, credential: { kind: 'token', id: row.id }, scopes: expandScopes(row.scopes) };
}

async function authenticateAccessToken(db: Db, signingKey: Uint8Array, token: string): Promise<Principal> {
  const claims = await verifyAccessToken(signingKey, token);
  if (!claims) throw new AppError('unauthenticated', 'The access token is invalid or has expired.');
  // The client is looked up on every request, so revoking it (or suspending the tenant) takes effect at once.
  const row = await db
    .selectFrom('oauth_clients as c')
    .innerJoin('tenants as tn', 'tn.id', 'c.tenant_id')
    .select(['c.id', 'c.tenant_id', 'c.scopes', 'c.revoked_at', ...tenantColumns])
    .where('c.id', '=', claims.clientId)
    .where('c.tenant_id', '=', claims.tenantId)
    .executeTakeFirst();
  if (!row || row.revoked_at) throw new AppError('unauthenticated', 'The OAuth client has been revoked.');
  const tenant = activeTenant(row);
  // The token carries the scopes granted at issue time, never more than the client still has.
  const allowed = expandScopes(row.scopes);
  const scopes = new Set([...expandScopes(claims.scopes)].filter((s) => allowed.has(s)));
  return { tenant, credential: { kind: 'oauth_client', id: row.id }, scopes };
}

function activeTenant(row: {
  tenant_id: string;
  tenant_number: number;
  tenant_name: string;
  tenant_status: Tenant['status'];
  tenant_settings: Tenant['settings'];
  tenant_created_at: Date;
  tenant_updated_at: Date;
}): Tenant {
  const tenant = toTenant({
    id: row.tenant_id,
    number: row.tenant_number,
    name: row.tenant_name,
    status: row.tenant_status,
    settings: row.tenant_settings,
    created_at: row.tenant_created_at,
    updated_at: row.tenant_updated_at,
  });
  if (tenant.status !== 'active') throw new AppError('tenant_suspended', 'The tenant is suspended.');
  return tenant;
}
