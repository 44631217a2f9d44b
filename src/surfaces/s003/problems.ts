import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError, notFound } from '../../core/errors.js';
import { ctxOf } from '../../http/auth.js';
import type { Services } from '../../services.js';
import { renamesOf, wireField } from './mapping.js';

/**
 * Seed 003's errors, in the style of its success bodies (`{"message", "type": "result"}`):
 * `{"message", "type": "error", "code", "errors": {field: [messages]}, "requestId"}`, fields
 * named as the request named them. A deleted or purged customer is not found here: this
 * surface has no way to see or restore one.
 */

const MESSAGES: Partial<Record<string, string>> = {
  validation_failed: 'The request has invalid fields: see errors.',
  unsupported_media_type: 'The request body must be multipart/form-data, application/x-www-form-urlencoded or application/json.',
};

const NO_KEY = 'An API key is required in the apiKey header (a Patron API token or an OAuth access token).';

function messageOf(error: AppError, request: FastifyRequest): string {
  if (error.code === 'unauthenticated' && request.headers.apikey === undefined) return NO_KEY;
  if (error.code === 'insufficient_scope') return `This request needs the ${String(error.extra.requiredScope ?? '')} scope (seed 003: CUSTOMER_READ for reads, CUSTOMER_CUD for writes).`;
  return MESSAGES[error.code] ?? error.message;
}

/** The error as this surface presents it (a deleted customer is an unknown one). */
export function present(error: AppError): AppError {
  if (error.code === 'customer_deleted' || error.code === 'customer_purged') return notFound();
  return error;
}

export const statusOf = (error: AppError) => present(error).status;

export function errorRenderer(services: Services) {
  return async (raw: AppError, request: FastifyRequest, reply: FastifyReply) => {
    const error = present(raw);
    const renames = renamesOf(request);
    const errors: Record<string, string[]> = {};
    for (const e of error.errors) (errors[wireField(e.field, renames)] ??= []).push(e.message);
    if (error.code === 'unauthenticated') reply.header('www-authenticate', 'apiKey realm="patron"');
    if (error.code === 'insufficient_scope') reply.header('www-authenticate', `apiKey realm="patron", error="insufficient_scope", scope="${String(error.extra.requiredScope ?? '')}"`);
    const conflict = await conflictOf(services, request, error);
    return reply.type('application/json; charset=utf-8').send({
      message: conflict?.message ?? messageOf(error, request),
      type: 'error',
      code: error.code,
      ...(Object.keys(errors).length > 0 ? { errors } : {}),
      ...(conflict ? { field: conflict.field, existing_id: conflict.existing_id } : {}),
      ...(typeof error.extra.retryAfter === 'number' ? { retryAfter: error.extra.retryAfter } : {}),
      ...(error.code === 'method_not_allowed' ? { allow: error.extra.allow } : {}),
      requestId: request.id,
    });
  };
}

/** A duplicate names the field as the request did, and the customer holding the value by its id here (its number). */
async function conflictOf(services: Services, request: FastifyRequest, error: AppError) {
  if (error.code !== 'duplicate' || typeof error.extra.field !== 'string') return null;
  const field = wireField(error.extra.field, renamesOf(request));
  let existing: number | null = null;
  if (typeof error.extra.existingId === 'string' && request.principal) {
    existing = await services.customers.get(ctxOf(request), error.extra.existingId).then(
      (c) => c.number,
      () => null,
    );
  }
  // The core's message names its own field and the holder's UUID.
  return { message: `Another customer${existing === null ? '' : ` (${existing})`} already has this ${field}.`, field, existing_id: existing };
}
