import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { validationFailed } from '../core/errors.js';
import type { IdempotencyStore } from '../core/idempotency/idempotency.service.js';

declare module 'fastify' {
  interface FastifyRequest {
    idempotency?: { tenantId: string; key: string; replayed: boolean };
  }
}

const KEY = /^[\x21-\x7e]{1,255}$/;
/** The response headers that belong to a stored response and are replayed with it. */
const KEPT_HEADERS = ['content-type', 'location', 'etag'];
export const REPLAYED_HEADER = 'idempotent-replayed';

/**
 * `Idempotency-Key` on POST and PUT: the first request with a key runs and its response is
 * stored; a retry with the same key and body gets that response again (marked with
 * `Idempotent-Replayed: true`); the same key with another body is a 422; a retry while the
 * first is still running is a 409. Error responses are not stored. Must be registered after
 * authentication (keys are per tenant).
 */
export function registerIdempotency(app: FastifyInstance, store: IdempotencyStore) {
  app.addHook('preHandler', async (request: FastifyRequest, reply: FastifyReply) => {
    if (request.method !== 'POST' && request.method !== 'PUT') return;
    const header = request.headers['idempotency-key'];
    if (header === undefined || !request.principal) return;
    const key = Array.isArray(header) ? header[0]! : header;
    if (!KEY.test(key)) {
      throw validationFailed([{ field: 'Idempotency-Key', message: 'must be 1 to 255 visible ASCII characters', code: 'invalid' }]);
    }
    const tenantId = request.principal.tenant.id;
    const hash = createHash('sha256')
      .update(`${request.method} ${request.url}\n${JSON.stringify(request.body ?? null)}`)
      .digest('hex');
    const claim = await store.claim(tenantId, key, hash);
    if (claim.kind === 'claimed') {
      request.idempotency = { tenantId, key, replayed: false };
      return;
    }
    request.idempotency = { tenantId, key, replayed: true };
    const { status, headers, body } = claim.response;
    return reply.code(status).headers(headers).header(REPLAYED_HEADER, 'true').send(body);
  });

  app.addHook('onSend', async (request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    const idem = request.idempotency;
    if (!idem || idem.replayed) return payload;
    // Only a success is stored. A 4xx changed nothing and a 5xx may be transient: either way
    // the key is freed, and a retry (corrected, or simply later) runs again.
    if (reply.statusCode >= 400) {
      await store.release(idem.tenantId, idem.key);
      return payload;
    }
    const headers: Record<string, string> = {};
    for (const name of KEPT_HEADERS) {
      const value = reply.getHeader(name);
      if (value !== undefined) headers[name] = String(value);
    }
    const body = typeof payload === 'string' ? payload : '';
    await store.complete(idem.tenantId, idem.key, { status: reply.statusCode, headers, body, resourceId: resourceIdOf(body) });
    return payload;
  });
}


const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The customer a stored response shows, so that its purge can drop the copy: the body's
 * top-level `customerId` (a channel, an event, a ticket link, an account), else its `id` (a
 * customer), when it is a UUID.
 */
function resourceIdOf(body: string): string | null {
  try {
    const parsed = JSON.parse(body) as { id?: unknown; customerId?: unknown } | null;
    const id = parsed?.customerId ?? parsed?.id;
    return typeof id === 'string' && UUID.test(id) ? id : null;
  } catch {
    return null;
  }
}
