/**
 * The closed set of errors the core raises. Each carries a stable `code` (part of the API
 * contract: clients branch on it) and the HTTP status it stands for; the HTTP layer turns
 * them into RFC 9457 problems in one place (http/problem.ts), and each surface into its
 * own vendor's error body.
 */
export type ErrorCode =
  | 'validation_failed'
  | 'malformed_json'
  | 'invalid_id'
  | 'unauthenticated'
  | 'insufficient_scope'
  | 'tenant_suspended'
  | 'not_found'
  | 'method_not_allowed'
  | 'duplicate'
  | 'customer_deleted'
  | 'customer_purged'
  | 'customer_not_deleted'
  | 'idempotency_key_in_use'
  | 'idempotency_key_reused'
  | 'precondition_failed'
  | 'precondition_required'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'not_acceptable'
  | 'internal_error'
  | 'writes_disabled'
  | 'crm_not_configured'
  | 'crm_unavailable'
  | 'crm_bad_response'
  | 'crm_timeout';

export interface FieldError {
  /** JSON-pointer-like dotted path of the offending field, e.g. `billingAddress.country`. */
  field: string;
  message: string;
  code?: string;
}

export const STATUS_OF: Record<ErrorCode, number> = {
  validation_failed: 400,
  malformed_json: 400,
  invalid_id: 400,
  unauthenticated: 401,
  insufficient_scope: 403,
  tenant_suspended: 403,
  not_found: 404,
  method_not_allowed: 405,
  not_acceptable: 406,
  duplicate: 409,
  customer_deleted: 409,
  customer_purged: 409,
  customer_not_deleted: 409,
  idempotency_key_in_use: 409,
  precondition_failed: 412,
  payload_too_large: 413,
  unsupported_media_type: 415,
  idempotency_key_reused: 422,
  precondition_required: 428,
  internal_error: 500,
  writes_disabled: 503,
  crm_not_configured: 409,
  crm_unavailable: 502,
  crm_bad_response: 502,
  crm_timeout: 504,
};

export class AppError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly errors: FieldError[] = [],
    /** Extension members added to the problem body (e.g. the id of a conflicting record). */
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'AppError';
    this.status = STATUS_OF[code];
  }
}

export const notFound = (what = 'Customer') => new AppError('not_found', `${what} not found.`);

export const validationFailed = (errors: FieldError[], message = 'The request has invalid fields.') =>
  new AppError('validation_failed', message, errors);

export function duplicate(field: string, existingId: string | null, what: string = field) {
  return new AppError(
    'duplicate',
    `Another customer already has this ${what}${existingId ? ` (${existingId})` : ''}.`,
    [{ field, message: 'is already used by another customer', code: 'duplicate' }],
    { field, existingId },
  );
}

/** Seconds a client should wait before retrying a write while the tenant's writes are off. */
export const WRITES_DISABLED_RETRY_AFTER = 3600;

export function assertWritable(settings: { writesDisabled?: boolean }) {
  if (settings.writesDisabled) {
    throw new AppError('writes_disabled', 'Customer writes are temporarily disabled for maintenance; reads still work.', [], {
      retryAfter: WRITES_DISABLED_RETRY_AFTER,
    });
  }
}
