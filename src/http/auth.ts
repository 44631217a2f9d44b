import type { FastifyRequest } from 'fastify';
import type { Principal } from '../core/auth/authenticate.js';
import type { Ctx } from '../core/context.js';
import { AppError } from '../core/errors.js';
import type { Services } from '../services.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by `authenticateRequest` on every tenant-scoped route. */
    principal: Principal | null;
  }
  interface FastifyContextConfig {
    /** The Patron scope(s) a route needs, all of them; checked by `authorize`. */
    scope?: string | string[];
    /** The route answers without authentication (seed 001's DELETE is a 405 whoever asks). */
    public?: boolean;
  }
}

export function bearerSecret(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  if (!header) return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match ? match[1]! : null;
}

/** Resolves the secret a surface found in its request into the caller's tenant and scopes. */
export async function authenticateRequest(services: Services, request: FastifyRequest, secret: string | null): Promise<void> {
  if (!secret) throw new AppError('unauthenticated', 'An access token is required.');
  request.principal = await services.authenticator.authenticate(secret);
}

/** Checks the route's `config.scope` against the authenticated caller's scopes. */
export async function authorize(request: FastifyRequest): Promise<void> {
  const config = request.routeOptions.config.scope;
  if (!config) return;
  if (!request.principal) throw new AppError('unauthenticated', 'An access token is required.');
  const granted = request.principal.scopes;
  const missing = (Array.isArray(config) ? config : [config]).filter((s) => !granted.has(s));
  if (missing.length > 0) {
    const needed = missing.join(' ');
    throw new AppError('insufficient_scope', `This request needs the ${missing.join(' and ')} scope.`, [], { requiredScope: needed });
  }
}

export function ctxOf(request: FastifyRequest): Ctx {
  const principal = request.principal;
  if (!principal) throw new AppError('unauthenticated', 'An access token is required.');
  return { tenant: principal.tenant, actor: { type: principal.credential.kind, id: principal.credential.id } };
}
