import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Customer, CustomerStatus } from '../../core/customers/customer.model.js';
import type { AppError, ErrorCode } from '../../core/errors.js';
import { SEED_STATUSES, type Customer001, type SeedStatus } from './schemas.js';

/** Field mapping between seed 001 and the core (docs/surfaces/001.md). */

/** `deleted` is the core's soft delete; the core's `blocked` has no word here and reads as `suspended`. */
export function seedStatusOf(customer: Pick<Customer, 'status' | 'deletedAt'>): SeedStatus {
  if (customer.deletedAt !== null) return 'deleted';
  return customer.status === 'blocked' ? 'suspended' : customer.status;
}

/** The core status a live customer gets for a seed status other than `deleted`. */
export function coreStatusOf(status: Exclude<SeedStatus, 'deleted'>): CustomerStatus {
  return status;
}

export function toCustomer001(customer: Customer): Customer001 {
  return { id: customer.id, externalId: customer.externalId, status: seedStatusOf(customer), createdAt: customer.createdAt };
}

/** The seed's upper-case error codes, one per core error code. */
export const ERROR_CODES: Record<ErrorCode, string> = {
  validation_failed: 'VALIDATION_ERROR',
  malformed_json: 'INVALID_JSON',
  invalid_id: 'INVALID_ID',
  unauthenticated: 'UNAUTHORIZED',
  insufficient_scope: 'FORBIDDEN',
  tenant_suspended: 'TENANT_SUSPENDED',
  not_found: 'NOT_FOUND',
  method_not_allowed: 'METHOD_NOT_ALLOWED',
  not_acceptable: 'NOT_ACCEPTABLE',
  duplicate: 'CONFLICT',
  customer_deleted: 'CONFLICT',
  customer_purged: 'CONFLICT',
  customer_not_deleted: 'CONFLICT',
  idempotency_key_in_use: 'CONFLICT',
  precondition_failed: 'PRECONDITION_FAILED',
  payload_too_large: 'PAYLOAD_TOO_LARGE',
  unsupported_media_type: 'UNSUPPORTED_MEDIA_TYPE',
  idempotency_key_reused: 'UNPROCESSABLE_ENTITY',
  precondition_required: 'PRECONDITION_REQUIRED',
  internal_error: 'INTERNAL_ERROR',
  writes_disabled: 'SERVICE_UNAVAILABLE',
  crm_not_configured: 'CONFLICT',
  crm_unavailable: 'BAD_GATEWAY',
  crm_bad_response: 'BAD_GATEWAY',
  crm_timeout: 'GATEWAY_TIMEOUT',
};

/** Methods never allowed on this surface: the seed's DELETE always answers 405. */
const NEVER_ALLOWED = new Set(['DELETE']);

// Path and query errors are named by the parameter alone (`id`, `limit`), as a client writes them.
const fieldName = (field: string) => field.replace(/^(params|query|headers)\./, '');

function friendlyMessage(field: string, code: string | undefined, message: string): string {
  if (code === 'required') return 'is required';
  if (code === 'pattern' && field === 'id') return 'must be a UUID';
  if (code === 'enum' && field === 'status') return `must be one of: ${SEED_STATUSES.join(', ')}`;
  return message;
}

/** Writes `{"error": {code, message, details}}` for any classified error; details is always an array. */
export function renderError001(error: AppError, _request: FastifyRequest, reply: FastifyReply) {
  if (error.code === 'method_not_allowed' && Array.isArray(error.extra.allow)) {
    reply.header('allow', (error.extra.allow as string[]).filter((m) => !NEVER_ALLOWED.has(m)).join(', '));
  }
  // The only path parameter is the customer id, so a bad path parameter is always INVALID_ID.
  const badId = error.code === 'validation_failed' && error.errors.length > 0 && error.errors.every((e) => e.field.startsWith('params.'));
  const code = badId ? ERROR_CODES.invalid_id : ERROR_CODES[error.code];
  const message = badId ? 'The id in the path is not a valid UUID.' : error.message;
  const details = error.errors.map((e) => {
    const field = fieldName(e.field);
    return { field, message: friendlyMessage(field, e.code, e.message) };
  });
  return reply.type('application/json; charset=utf-8').send({ error: { code, message, details } });
}
