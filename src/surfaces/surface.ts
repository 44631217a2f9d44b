import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppError } from '../core/errors.js';
import { authenticateRequest, authorize } from '../http/auth.js';
import { classifyError } from '../http/errors.js';
import { routeNotFound, type RouteTracker } from '../http/method-not-allowed.js';
import { logFailure, setErrorHeaders } from '../http/problem.js';
import type { Services } from '../services.js';

/**
 * What every vendor surface shares. A surface is a Fastify plugin under its own prefix that
 * speaks its seed's paths, fields, auth header and error format, and calls the same core
 * services as /v1. It holds no storage and no business rule.
 */

export interface SurfaceOptions {
  services: Services;
  routes: RouteTracker;
}

export interface SurfaceWiring {
  /** Where the surface finds the caller's secret in a request (a bearer token, an `apiKey` header…). */
  credential: (request: FastifyRequest) => string | null;
  /** Writes the surface's own error body for a classified error (status and headers are already set). */
  renderError: (error: AppError, request: FastifyRequest, reply: FastifyReply) => unknown;
  /** Maps the status of an error before it is sent (seed 000 answers every auth failure 403). */
  statusOf?: (error: AppError) => number;
}

/**
 * Authentication on every request of the surface, the scope in each route's `config.scope`,
 * and one error handler and one not-found handler that render the surface's error format.
 */
export function wireSurface(app: FastifyInstance, services: Services, routes: RouteTracker, wiring: SurfaceWiring) {
  const send = (raw: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const error = classifyError(raw);
    logFailure(request, raw, error);
    setErrorHeaders(error, request, reply);
    reply.code(wiring.statusOf?.(error) ?? error.status);
    return wiring.renderError(error, request, reply);
  };
  // Authentication and the scope check both come before the body is read: a caller who may
  // not write learns that (401/403), not what was wrong with the body.
  app.addHook('onRequest', async (request) => {
    if (request.routeOptions.config.public) return;
    await authenticateRequest(services, request, wiring.credential(request));
    await authorize(request);
  });
  app.setErrorHandler((err, request, reply) => send(err, request, reply));
  app.setNotFoundHandler((request, reply) => send(routeNotFound(routes, request), request, reply));
}

/**
 * An RFC 8288 `Link` header to the next page of an offset-paged bare array (seeds 000 and
 * 001 return arrays, so the paging information has to travel in a header).
 */
export function nextPageLink(request: FastifyRequest, page: { limit: number; offset: number; hasMore: boolean }): string | null {
  if (!page.hasMore) return null;
  const url = new URL(request.url, 'http://placeholder');
  url.searchParams.set('limit', String(page.limit));
  url.searchParams.set('offset', String(page.offset + page.limit));
  return `<${url.pathname}${url.search}>; rel="next"`;
}
