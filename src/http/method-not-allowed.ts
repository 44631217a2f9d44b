import FindMyWay, { type HTTPMethod } from 'find-my-way';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../core/errors.js';

const METHODS: HTTPMethod[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];

/**
 * Fastify answers 404 for a known path with an unknown method. This keeps a second router
 * with the same routes, so the not-found handler can tell "no such resource" (404) from
 * "no such method here" (405 with Allow).
 */
export function trackRoutes(app: FastifyInstance) {
  const router = FindMyWay({ ignoreTrailingSlash: true });
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      if (METHODS.includes(method as HTTPMethod) && !router.hasRoute(method as HTTPMethod, route.url)) {
        router.on(method as HTTPMethod, route.url, () => {});
      }
    }
  });
  return {
    allowedMethods(request: FastifyRequest): string[] {
      const path = request.url.split('?')[0]!;
      return METHODS.filter((m) => router.find(m, path) !== null);
    },
  };
}

export type RouteTracker = ReturnType<typeof trackRoutes>;

export function routeNotFound(tracker: RouteTracker, request: FastifyRequest): AppError {
  const allow = tracker.allowedMethods(request);
  if (allow.length > 0) {
    return new AppError('method_not_allowed', `${request.method} is not allowed here.`, [], { allow });
  }
  return new AppError('not_found', 'No such resource.');
}
