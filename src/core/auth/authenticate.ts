import type { Db } from '../../db/connect.js';
import { precompiled } from '../../db/precompiled.js';
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

/** How long a verified (or refused) credential is remembered by one process. */
export const AUTH_CACHE_TTL_MS = 5_000;
/** The most credentials remembered as good, and as refused: see Authenticator. */
const AUTH_CACHE_MAX_GRANTED = 10_000;
const AUTH_CACHE_MAX_REFUSED = 1_000;

type Verdict = { principal: Principal; error?: undefined } | { principal?: undefined; error: AppError };

/**
 * Resolves a bearer secret — an API token or an OAuth access token — to its tenant and
 * scopes. Every bad credential is the same `unauthenticated` error (with the reason in the
 * message); a suspended tenant is `tenant_suspended`, since the credential itself is good.
 *
 * Verdicts are remembered for a few seconds (never past the credential's own expiry), so a
 * busy client costs one look-up per AUTH_CACHE_TTL_MS instead of one per request. Changes made
 * through this process's admin API (revocations, suspensions) call `invalidate()` and take
 * effect at once; changes made elsewhere (another instance, the CLI) within AUTH_CACHE_TTL_MS.
 * Refusals are remembered apart from grants, and fewer of them: a flood of made-up tokens, each
 * new, must not push the real clients' verdicts out and send every one of their requests to
 * the database.
 */
export class Authenticator {
  private readonly granted = new Map<string, { verdict: Verdict; until: number }>();
  private readonly refused = new Map<string, { verdict: Verdict; until: number }>();

  constructor(
    private readonly db: Db,
    private readonly signingKey: Uint8Array,
    private readonly limits = { granted: AUTH_CACHE_MAX_GRANTED, refused: AUTH_CACHE_MAX_REFUSED },
  ) {}

  async authenticate(secret: string): Promise<Principal> {
    const key = hashSecret(secret);
    const now = Date.now();
    const cached = this.granted.get(key) ?? this.refused.get(key);
    let verdict: Verdict;
    if (cached && cached.until > now) {
      verdict = cached.verdict;
    } else {
      let until = now + AUTH_CACHE_TTL_MS;
      try {
        const { principal, expiresAt } = JWT.test(secret) ? await authenticateAccessToken(this.db, this.signingKey, secret) : await authenticateApiToken(this.db, key);
        if (expiresAt) until = Math.min(until, expiresAt.getTime());
        verdict = { principal };
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
        verdict = { error: err };
      }
      this.remember(key, verdict, until);
    }
    if (verdict.error) throw verdict.error;
    return verdict.principal;
  }

  /** Forgets every remembered verdict: call after revoking or suspending anything. */
  invalidate(): void {
    this.granted.clear();
    this.refused.clear();
  }

  private remember(key: string, verdict: Verdict, until: number) {
    this.granted.delete(key);
    this.refused.delete(key);
    const [verdicts, max] = verdict.error ? [this.refused, this.limits.refused] : [this.granted, this.limits.granted];
    // Maps iterate in insertion order: drop the oldest entry.
    if (verdicts.size >= max) verdicts.delete(verdicts.keys().next().value!);
    verdicts.set(key, { verdict, until });
  }
}

interface Verified {
  principal: Principal;
  expiresAt: Date | null;
}

// Every request with an unknown token (and every cache miss) runs it: compiled once.
const apiTokenByHash = precompiled(1, (db: Db, tokenHash: string) =>
  db
    .selectFrom('api_tokens as t')
    .innerJoin('tenants as tn', 'tn.id', 't.tenant_id')
    .select(['t.id', 't.tenant_id', 't.scopes', 't.expires_at', 't.revoked_at', 't.last_used_at', ...tenantColumns])
    .where('t.token_hash', '=', tokenHash),
);

async function authenticateApiToken(db: Db, tokenHash: string): Promise<Verified> {
  const [row] = await apiTokenByHash(db, tokenHash);
  if (!row) throw new AppError('unauthenticated', 'The access token is invalid.');
  if (row.revoked_at) throw new AppError('unauthenticated', 'The access token has been revoked.');
  const now = Date.now();
  if (row.expires_at && row.expires_at.getTime() <= now) throw new AppError('unauthenticated', 'The access token has expired.');
  const tenant = activeTenant(row);
  if (!row.last_used_at || now - row.last_used_at.getTime() > LAST_USED_RESOLUTION_MS) {
    await db.updateTable('api_tokens').set({ last_used_at: new Date(now) }).where('tenant_id', '=', row.tenant_id).where('id', '=', row.id).execute();
  }
  return { principal: { tenant, credential: { kind: 'token', id: row.id }, scopes: expandScopes(row.scopes) }, expiresAt: row.expires_at };
}

async function authenticateAccessToken(db: Db, signingKey: Uint8Array, token: string): Promise<Verified> {
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
  return { principal: { tenant, credential: { kind: 'oauth_client', id: row.id }, scopes }, expiresAt: claims.expiresAt };
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
