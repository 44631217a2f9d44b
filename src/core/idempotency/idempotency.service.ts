import type { Db } from '../../db/connect.js';
import { AppError } from '../errors.js';

/** Keys are kept this long after first use (the API promises at least 24 hours). */
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
/** A claim whose process died mid-request is given up after this long. */
const CLAIM_TIMEOUT_MS = 60 * 1000;

export interface StoredResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** The resource the body shows (purging it drops the stored copy). */
  resourceId?: string | null;
}

export type Claim = { kind: 'claimed' } | { kind: 'replay'; response: StoredResponse };

/**
 * Idempotency keys, per tenant, kept in the database so that every instance behind a load
 * balancer sees the same keys. A key is claimed before the request runs (so a concurrent
 * duplicate is refused with 409), completed with the response afterwards, and released if
 * the request failed in a way worth retrying (5xx).
 */
export class IdempotencyStore {
  constructor(private readonly db: Db) {}

  async claim(tenantId: string, key: string, requestHash: string): Promise<Claim> {
    const now = new Date();
    const claimed = await this.db
      .insertInto('idempotency_keys')
      .values({
        tenant_id: tenantId,
        key,
        request_hash: requestHash,
        state: 'running',
        response_status: null,
        response_headers: null,
        response_body: null,
        resource_id: null,
        created_at: now,
        locked_until: new Date(now.getTime() + CLAIM_TIMEOUT_MS),
        expires_at: new Date(now.getTime() + IDEMPOTENCY_TTL_MS),
      })
      // An expired key, or a running claim whose owner died, may be taken over.
      .onConflict((oc) =>
        oc
          .columns(['tenant_id', 'key'])
          .doUpdateSet((eb) => ({
            request_hash: eb.ref('excluded.request_hash'),
            state: 'running',
            response_status: null,
            response_headers: null,
            response_body: null,
            resource_id: null,
            created_at: eb.ref('excluded.created_at'),
            locked_until: eb.ref('excluded.locked_until'),
            expires_at: eb.ref('excluded.expires_at'),
          }))
          .where((eb) =>
            eb.or([
              eb('idempotency_keys.expires_at', '<=', now),
              eb.and([eb('idempotency_keys.state', '=', 'running'), eb('idempotency_keys.locked_until', '<=', now)]),
            ]),
          ),
      )
      .returning('key')
      .executeTakeFirst();
    if (claimed) return { kind: 'claimed' };

    const existing = await this.db
      .selectFrom('idempotency_keys')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('key', '=', key)
      .executeTakeFirst();
    // Released between our insert and this read: the caller may simply try again.
    if (!existing) return this.claim(tenantId, key, requestHash);
    if (existing.request_hash !== requestHash) {
      throw new AppError('idempotency_key_reused', 'This Idempotency-Key was already used with a different request.');
    }
    if (existing.state === 'running') {
      throw new AppError('idempotency_key_in_use', 'A request with this Idempotency-Key is still being processed; retry later.');
    }
    return {
      kind: 'replay',
      response: { status: existing.response_status!, headers: existing.response_headers ?? {}, body: existing.response_body ?? '' },
    };
  }

  async complete(tenantId: string, key: string, response: StoredResponse): Promise<void> {
    await this.db
      .updateTable('idempotency_keys')
      .set({
        state: 'done',
        response_status: response.status,
        response_headers: JSON.stringify(response.headers),
        response_body: response.body,
        resource_id: response.resourceId ?? null,
      })
      .where('tenant_id', '=', tenantId)
      .where('key', '=', key)
      .execute();
  }

  async release(tenantId: string, key: string): Promise<void> {
    await this.db.deleteFrom('idempotency_keys').where('tenant_id', '=', tenantId).where('key', '=', key).where('state', '=', 'running').execute();
  }

  /** Drops expired keys; the server calls it periodically. */
  async sweep(): Promise<number> {
    const result = await this.db.deleteFrom('idempotency_keys').where('expires_at', '<=', new Date()).executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
