import { STATUS_CODES } from 'node:http';
import { Type } from '@sinclair/typebox';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { AppError } from '../core/errors.js';
import { classifyError } from './errors.js';

/** RFC 9457 problem details, with Patron's `code`, field `errors` and `requestId` extension members. */
export const ProblemSchema = Type.Object(
  {
    type: Type.String({ examples: ['urn:patron:problem:not_found'] }),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.String(),
    code: Type.String({ description: 'Stable, machine-readable error code.' }),
    errors: Type.Optional(
      Type.Array(Type.Object({ field: Type.String(), message: Type.String(), code: Type.Optional(Type.String()) })),
    ),
    requestId: Type.String(),
  },
  { $id: 'Problem', additionalProperties: true, description: 'RFC 9457 problem details' },
);

export function problemBody(error: AppError, requestId: string) {
  return {
    type: `urn:patron:problem:${error.code}`,
    title: STATUS_CODES[error.status] ?? 'Error',
    status: error.status,
    detail: error.message,
    code: error.code,
    ...(error.errors.length > 0 ? { errors: error.errors } : {}),
    ...error.extra,
    requestId,
  };
}

/** The WWW-Authenticate challenge (RFC 6750) that goes with a 401 or a scope 403. */
export function bearerChallenge(error: AppError, request: FastifyRequest): string | null {
  if (error.code === 'unauthenticated') {
    return request.headers.authorization
      ? `Bearer realm="patron", error="invalid_token", error_description="${error.message}"`
      : 'Bearer realm="patron"';
  }
  if (error.code === 'insufficient_scope') {
    return `Bearer realm="patron", error="insufficient_scope", scope="${String(error.extra.requiredScope ?? '')}"`;
  }
  return null;
}

export function logFailure(request: FastifyRequest, raw: unknown, error: AppError) {
  if (error.status >= 500) request.log.error({ err: raw }, 'request failed');
  else request.log.info({ code: error.code, status: error.status }, error.message);
}

/** The response headers an error calls for, whatever the surface's body format: WWW-Authenticate, Allow, Retry-After. */
export function setErrorHeaders(error: AppError, request: FastifyRequest, reply: FastifyReply) {
  const challenge = bearerChallenge(error, request);
  if (challenge) reply.header('www-authenticate', challenge);
  if (error.code === 'method_not_allowed' && Array.isArray(error.extra.allow)) {
    reply.header('allow', (error.extra.allow as string[]).join(', '));
  }
  if (typeof error.extra.retryAfter === 'number') reply.header('retry-after', String(error.extra.retryAfter));
}

/** The error handler of /v1 and the admin API: every error becomes an RFC 9457 problem. */
export function problemErrorHandler(raw: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  const error = classifyError(raw);
  logFailure(request, raw, error);
  setErrorHeaders(error, request, reply);
  return reply.code(error.status).type('application/problem+json').send(problemBody(error, request.id));
}
