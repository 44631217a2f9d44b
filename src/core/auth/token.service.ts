import { uuidv7 } from '../ids.js';
import type { Db } from '../../db/connect.js';
import type { ApiTokenRow } from '../../db/database.js';
import { notFound } from '../errors.js';
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

export function toApiToken(row: ApiTokenRow): ApiToken {
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

