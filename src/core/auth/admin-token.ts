import type { Db } from '../../db/connect.js';
import { hashSecret, newSecret, sameHash } from './secrets.js';

const KEY = 'admin_token_hash';
export const ADMIN_TOKEN_PREFIX = 'ptn_admin_';

/**
 * Settles the admin secret at start-up. PATRON_ADMIN_TOKEN wins when set; otherwise the
 * hash stored by an earlier start is used; on the very first start a secret is generated,
 * its hash stored, and the secret returned once so the caller can print it.
 */
export async function ensureAdminToken(db: Db, configured: string | null): Promise<{ hash: string; generated: string | null }> {
  if (configured) return { hash: hashSecret(configured), generated: null };
  const stored = await db.selectFrom('installation').select('value').where('key', '=', KEY).executeTakeFirst();
  if (stored) return { hash: stored.value, generated: null };
  const secret = newSecret(ADMIN_TOKEN_PREFIX);
  const inserted = await db
    .insertInto('installation')
    .values({ key: KEY, value: hashSecret(secret) })
    .onConflict((oc) => oc.column('key').doNothing())
    .returning('value')
    .executeTakeFirst();
  if (inserted) return { hash: inserted.value, generated: secret };
  // Another process won the race to the first start; use its secret.
  const winner = await db.selectFrom('installation').select('value').where('key', '=', KEY).executeTakeFirstOrThrow();
  return { hash: winner.value, generated: null };
}

export function isAdminSecret(secret: string, hash: string): boolean {
  return sameHash(hashSecret(secret), hash);
}
