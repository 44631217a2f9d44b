import type { FastifyError } from 'fastify';
import { AppError, type FieldError } from '../core/errors.js';
import { READ_ONLY_FIELDS } from '../core/customers/customer.model.js';

interface AjvError {
  keyword: string;
  instancePath: string;
  message?: string;
  params: Record<string, unknown>;
}

const READ_ONLY = new Set<string>(READ_ONLY_FIELDS);

/**
 * Turns anything a request can throw into an AppError: the core's own errors pass through;
 * Fastify's validation, parsing, size and media-type errors get their code; anything else is
 * an internal error whose message never leaves the process. Every surface formats the
 * result in its own way, but all of them classify here.
 */
export function classifyError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  const e = err as Partial<FastifyError> & { validation?: AjvError[]; validationContext?: string };
  if (Array.isArray(e.validation)) return fromValidation(e.validation, e.validationContext ?? 'body');
  switch (e.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new AppError('malformed_json', 'The request body is not valid JSON.');
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new AppError('payload_too_large', 'The request body is too large.');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new AppError('unsupported_media_type', 'The request body must be JSON (application/json or application/merge-patch+json).');
  }
  if (err instanceof SyntaxError || (e as { type?: string }).type === 'entity.parse.failed') {
    return new AppError('malformed_json', 'The request body is not valid JSON.');
  }
  const status = typeof e.statusCode === 'number' ? e.statusCode : 500;
  if (status === 413) return new AppError('payload_too_large', 'The request body is too large.');
  if (status === 415) return new AppError('unsupported_media_type', 'Unsupported Content-Type.');
  if (status >= 400 && status < 500) return new AppError('validation_failed', 'The request is invalid.');
  return new AppError('internal_error', 'An internal error occurred.');
}

function fromValidation(errors: AjvError[], context: string): AppError {
  const fieldErrors = new Map<string, FieldError>();
  const typesAt = new Map<string, Set<string>>();
  const allowedAt = new Map<string, unknown[]>();
  const prefix = context === 'body' ? '' : `${context === 'querystring' ? 'query' : context}.`;

  for (const error of errors) {
    const path = error.instancePath.split('/').filter(Boolean);
    if (error.keyword === 'additionalProperties') {
      const name = String(error.params.additionalProperty);
      const field = prefix + [...path, name].join('.');
      const readOnly = path.length === 0 && READ_ONLY.has(name);
      fieldErrors.set(field, { field, message: readOnly ? 'is read-only' : 'is not a known field', code: readOnly ? 'read_only' : 'unknown_field' });
      continue;
    }
    if (error.keyword === 'required') path.push(String(error.params.missingProperty));
    const field = prefix + path.join('.') || (context === 'body' ? 'body' : context);
    if (error.keyword === 'type') {
      const types = typesAt.get(field) ?? new Set<string>();
      // A type array reports its types in one error, comma-separated.
      for (const t of String(error.params.type).split(',')) types.add(t);
      typesAt.set(field, types);
    }
    // A union of literals reports one `const` error per literal: gather them into one list.
    if (error.keyword === 'const') {
      allowedAt.set(field, [...(allowedAt.get(field) ?? []), error.params.allowedValue]);
      if (!fieldErrors.has(field)) fieldErrors.set(field, { field, message: '', code: 'enum' });
      continue;
    }
    // The `null` branch of a nullable union is never the real complaint on its own.
    const nullBranch = error.keyword === 'type' && String(error.params.type) === 'null';
    if (error.keyword === 'anyOf' || nullBranch || fieldErrors.has(field)) continue;
    fieldErrors.set(field, { field, message: error.message ?? 'is invalid', code: error.keyword });
  }
  // A nullable field reports one type error per branch of its union; say it once.
  for (const [field, types] of typesAt) {
    const existing = fieldErrors.get(field);
    if (existing?.code === 'type') existing.message = `must be ${[...types].join(' or ')}`;
  }

  for (const [field, allowed] of allowedAt) {
    const existing = fieldErrors.get(field);
    if (existing?.code === 'enum') existing.message = `must be one of: ${allowed.map((v) => String(v)).join(', ')}`;
  }

  const list = [...fieldErrors.values()];
  const badId = context === 'params' && list.some((f) => f.code === 'format');
  if (badId) return new AppError('invalid_id', 'The id in the path is not a valid UUID.', list);
  return new AppError('validation_failed', 'The request has invalid fields.', list);
}
