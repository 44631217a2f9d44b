import type { FastifyReply, FastifyRequest } from 'fastify';
import { SCOPE_ALIASES } from '../../core/auth/scopes.js';
import type { AppError, ErrorCode, FieldError } from '../../core/errors.js';
import { ADDRESS_KEYS } from './mapping.js';
import { CUSTOMER_TYPE_NAMES, STATUS_NAMES } from './schemas.js';

/**
 * Seed 004's errors: RFC 9457 problem details whose `type` is a short name (the seed names
 * `EndpointDisabled`), with Patron's `code` and `requestId`, field errors as an `errors`
 * object of field → messages, and for a conflict the field and the existing customer's id.
 */

const PROBLEMS: Record<ErrorCode, { type: string; title: string }> = {
  validation_failed: { type: 'ValidationError', title: 'One or more fields are invalid.' },
  invalid_id: { type: 'ValidationError', title: 'One or more fields are invalid.' },
  malformed_json: { type: 'MalformedJson', title: 'The request body is not valid JSON.' },
  unauthenticated: { type: 'Unauthorized', title: 'Authentication required.' },
  insufficient_scope: { type: 'Forbidden', title: 'Missing permission.' },
  tenant_suspended: { type: 'Forbidden', title: 'Account suspended.' },
  not_found: { type: 'NotFound', title: 'Not found.' },
  method_not_allowed: { type: 'MethodNotAllowed', title: 'Method not allowed.' },
  not_acceptable: { type: 'NotAcceptable', title: 'Not acceptable.' },
  duplicate: { type: 'Conflict', title: 'Duplicate customer.' },
  customer_deleted: { type: 'CustomerDeleted', title: 'The customer is deleted.' },
  customer_purged: { type: 'CustomerPurged', title: 'The customer has been erased.' },
  customer_not_deleted: { type: 'Conflict', title: 'The customer is not deleted.' },
  idempotency_key_in_use: { type: 'Conflict', title: 'Conflict.' },
  precondition_failed: { type: 'PreconditionFailed', title: 'The ETag in If-Match is outdated.' },
  payload_too_large: { type: 'PayloadTooLarge', title: 'The request body is too large.' },
  unsupported_media_type: { type: 'UnsupportedMediaType', title: 'The request body must be JSON.' },
  idempotency_key_reused: { type: 'UnprocessableEntity', title: 'Unprocessable request.' },
  precondition_required: { type: 'PreconditionRequired', title: 'If-Match is required.' },
  internal_error: { type: 'InternalServerError', title: 'Internal server error.' },
  writes_disabled: { type: 'EndpointDisabled', title: 'Customer writes are temporarily disabled.' },
  crm_not_configured: { type: 'Conflict', title: 'No CRM is configured.' },
  crm_unavailable: { type: 'BadGateway', title: 'The CRM could not be reached.' },
  crm_bad_response: { type: 'BadGateway', title: 'The CRM answered unusably.' },
  crm_timeout: { type: 'GatewayTimeout', title: 'The CRM did not answer in time.' },
};

/** The seed's scope name for a Patron scope (`customers:create` → `customer:create`). */
function seedScope(scope: string): string {
  const alias = Object.entries(SCOPE_ALIASES).find(([name, scopes]) => name.startsWith('customer:') && scopes.length === 1 && scopes[0] === scope);
  return alias?.[0] ?? scope;
}
const seedScopes = (scopes: string) => scopes.split(' ').filter(Boolean).map(seedScope).join(' ');

const CORE_FIELDS: Record<string, string> = {
  name: 'Name',
  firstName: 'Name',
  lastName: 'Name',
  type: 'Type',
  category: 'Type',
  status: 'Status',
  companyNumber: 'CompanyNumber',
  externalId: 'ExternalId',
  fax: 'Fax',
  billingAddress: 'BillingAddress',
  ...Object.fromEntries(ADDRESS_KEYS.map(([seed, core]) => [`billingAddress.${core}`, `BillingAddress.${seed}`])),
};

/**
 * A field of the core (`additionalEmails.0`) or of the request schema (`Email.1`) as the
 * seed's client wrote it (`Email[1]`). In a search, `email`/`phone` are the single filters.
 */
export function seedField(field: string, search: boolean): string {
  if (search && (field === 'email' || field === 'phone')) return field === 'email' ? 'Email' : 'Phone';
  if (field === 'email') return 'Email[0]';
  if (field === 'phone') return 'Phone[0]';
  const extra = /^additional(Emails|Phones)\.(\d+)$/.exec(field);
  if (extra) return `${extra[1] === 'Emails' ? 'Email' : 'Phone'}[${Number(extra[2]) + 1}]`;
  const mapped = CORE_FIELDS[field];
  if (mapped) return mapped;
  return field.split('.').reduce((path, part) => (/^\d+$/.test(part) ? `${path}[${part}]` : path ? `${path}.${part}` : part), '');
}

/** The allowed values of the seed's enumerations, for a clearer message than "must be equal to constant". */
const ALLOWED: Record<string, readonly string[]> = { Type: CUSTOMER_TYPE_NAMES, Status: STATUS_NAMES, 'Statuses[]': STATUS_NAMES };

function message(error: FieldError, field: string): string {
  if (error.code === 'required') return 'is required';
  const allowed = ALLOWED[field.replace(/\[\d+\]$/, '[]')];
  if (allowed && (error.code === 'const' || error.code === 'enum' || error.code === 'type')) return `must be ${allowed.map((v) => `"${v}"`).join(' or ')}`;
  // The core invites a client to clear a blank field with null; the seed's Name cannot be cleared.
  if (error.code === 'blank' && field === 'Name') return 'must not be blank';
  return error.message;
}

function detailOf(error: AppError, field: string | undefined): string {
  switch (error.code) {
    case 'validation_failed':
    case 'invalid_id':
      return 'The request has invalid fields: see errors.';
    case 'duplicate': {
      const what = field === 'Name' ? 'Name and billing Zip' : (field ?? 'value');
      return `Another customer${error.extra.existingId ? ` (${String(error.extra.existingId)})` : ''} already has this ${what}.`;
    }
    case 'customer_deleted':
      return 'The customer is deleted (Inactive). Restore it with PATCH {"Status": "Active"}, which may carry the rest of the change.';
    case 'precondition_required':
      return 'PATCH and DELETE require an If-Match header with the customer’s current ETag (from GET, POST or PATCH).';
    case 'precondition_failed':
      return 'The customer has changed since the ETag in If-Match was read. GET it again for the current ETag, then retry.';
    case 'insufficient_scope':
      return `This request needs the ${seedScopes(String(error.extra.requiredScope ?? ''))} scope.`;
    default:
      return error.message;
  }
}

export function problemOf(error: AppError, request: FastifyRequest) {
  const search = request.routeOptions.url?.endsWith('/customers/search') ?? false;
  const conflictField = error.code === 'duplicate' && typeof error.extra.field === 'string' ? seedField(error.extra.field, false) : undefined;
  const errors: Record<string, string[]> = {};
  if (error.code === 'validation_failed' || error.code === 'invalid_id') {
    for (const e of error.errors) {
      const field = seedField(e.field, search);
      (errors[field] ??= []).push(message(e, field));
    }
  }
  const { type, title } = PROBLEMS[error.code];
  return {
    type,
    title,
    status: error.status,
    detail: detailOf(error, conflictField),
    instance: request.url.split('?')[0]!,
    code: error.code,
    ...(Object.keys(errors).length > 0 ? { errors } : {}),
    ...(conflictField
      ? { field: conflictField, fields: conflictField === 'Name' ? ['Name', 'BillingAddress.Zip'] : [conflictField], customerId: error.extra.existingId ?? null }
      : {}),
    ...(error.code === 'customer_deleted' ? { customerId: error.extra.customerId ?? null } : {}),
    ...(error.code === 'insufficient_scope' ? { requiredScope: seedScopes(String(error.extra.requiredScope ?? '')) } : {}),
    ...(error.code === 'method_not_allowed' ? { allow: error.extra.allow } : {}),
    ...(typeof error.extra.retryAfter === 'number' ? { retryAfter: error.extra.retryAfter } : {}),
    requestId: request.id,
  };
}

export function renderProblem(error: AppError, request: FastifyRequest, reply: FastifyReply) {
  return reply.type('application/problem+json').send(problemOf(error, request));
}
