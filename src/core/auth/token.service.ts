import { uuidv7 } from 'uuidv7';
import type { Db } from '../../db/connect.js';
import type { ApiTokenRow } from '../../db/database.js';
import type { Tenant } from '../context.js';
import { AppError, notFound } from '../errors.js';
import { toTenant } from '../tenants/tenant.service.js';
import { hashSecret, newSecret } from './secrets.js';

export const TOKEN_PREFIX = 'ptn_';

export interface ApiToken {
  id: string;
  tenantId: string;
  name: string;
  scopes: string[];
  /** The last characters of the secret, so a person can tell tokens apart. */
  hint: string;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
  createdAt: Date;
}

function toApiToken(row: ApiTokenRow): ApiToken {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    name: row.name,
    scopes: row.scopes,
    hint: row.token_hint,
    expiresAt: row.expires_at,
    lastUsedAt: row.last_used_at,
    revokedAt: row.revoked_at,
    createdAt: row.created_at,
  };
}

export async function createToken(
  db: Db,
  tenantId: string,
  input: { name: string; scopes: string[]; expiresAt?: Date | null },
): Promise<{ token: ApiToken; secret: string }> {
  const tenant = await db.selectFrom('tenants').select('id').where('id', '=', tenantId).executeTakeFirst();
  if (!tenant) throw notFound('Tenant');
  const secret = newSecret(TOKEN_PREFIX);
  const row = await db
    .insertInto('api_tokens')
    .values({
      tenant_id: tenantId,
      id: uuidv7(),
      name: input.name,
      token_hash: hashSecret(secret),
      token_hint: secret.slice(-4),
      scopes: [...new Set(input.scopes)],
      expires_at: input.expiresAt ?? null,
      last_used_at: null,
      revoked_at: null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return { token: toApiToken(row), secret };
}

export async function listTokens(db: Db, tenantId: string): Promise<ApiToken[]> {
  await db.selectFrom('tenants').select('id').where('id', '=', tenantId).executeTakeFirstOrThrow(() => notFound('Tenant'));
  const rows = await db.selectFrom('api_tokens').selectAll().where('tenant_id', '=', tenantId).orderBy('id').execute();
  return rows.map(toApiToken);
}

export async function revokeToken(db: Db, id: string): Promise<ApiToken> {
  const row = await db
    .updateTable('api_tokens')
    .set((eb) => ({ revoked_at: eb.fn.coalesce('revoked_at', eb.val(new Date())) }))
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
  if (!row) throw notFound('Token');
  return toApiToken(row);
}

export interface Principal {
  tenant: Tenant;
  token: ApiToken;
}

/** last_used_at is written at most this often per token, so reads don't each cost a write. */
const LAST_USED_RESOLUTION_MS = 60_000;

/**
 * Resolves a bearer secret to its token and tenant. Every failure is the same
 * `unauthenticated` error with a reason for the WWW-Authenticate header; a suspended
 * tenant is a 403, since the credentials themselves are good.
 */
export async function authenticate(db: Db, secret: string): Promise<Principal> {
  const row = await db
    .selectFrom('api_tokens as t')
    .innerJoin('tenants as tn', 'tn.id', 't.tenant_id')
    .selectAll('t')
    .select([
      'tn.number as tenant_number',
      'tn.name as tenant_name',
      'tn.status as tenant_status',
      'tn.settings as tenant_settings',
      'tn.created_at as tenant_created_at',
      'tn.updated_at as tenant_updated_at',
    ])
    .where('t.token_hash', '=', hashSecret(secret))
    .executeTakeFirst();
  if (!row) throw new AppError('unauthenticated', 'The access token is invalid.');
  if (row.revoked_at) throw new AppError('unauthenticated', 'The access token has been revoked.');
  const now = Date.now();
  if (row.expires_at && row.expires_at.getTime() <= now) throw new AppError('unauthenticated', 'The access token has expired.');
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
  if (!row.last_used_at || now - row.last_used_at.getTime() > LAST_USED_RESOLUTION_MS) {
    await db.updateTable('api_tokens').set({ last_used_at: new Date(now) }).where('tenant_id', '=', row.tenant_id).where('id', '=', row.id).execute();
  }
  return { tenant, token: toApiToken(row) };
}
