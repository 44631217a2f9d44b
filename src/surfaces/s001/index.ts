import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Customer } from '../../core/customers/customer.model.js';
import { AppError, type ErrorCode } from '../../core/errors.js';
import { bearerSecret, ctxOf } from '../../http/auth.js';
import { etagOf, parseIfMatch } from '../../http/conditional.js';
import { nextPageLink, wireSurface, type SurfaceOptions } from '../surface.js';
import { coreStatusOf, renderError001, seedStatusOf, toCustomer001 } from './mapping.js';
import { CreateBody, CustomerSchema001, ErrorSchema001, IdParams, ListQuery, UpdateBody } from './schemas.js';

/**
 * Seed 001's customer API ("Customer Service" with blockchain accounts), served at
 * /customers: `{id, externalId, status, createdAt}` customers, the seed's error body on every
 * error, DELETE always 405. See docs/surfaces/001.md.
 */

const errors = { '4xx': ErrorSchema001, '5xx': ErrorSchema001 };
const tags = ['seed 001 (/customers)'];
const IfMatchHeader = Type.Object({ 'if-match': Type.Optional(Type.String({ description: 'Optional: the ETag of a previous response; stale → 412.' })) });

/** Recovers from one core error (a concurrent request already made the change) by `then`; rethrows any other. */
function unless<T>(code: ErrorCode, then: () => Promise<T>) {
  return (err: unknown): Promise<T> => {
    if (err instanceof AppError && err.code === code) return then();
    throw err;
  };
}

function sendCustomer(reply: FastifyReply, customer: Customer, status = 200) {
  return reply.code(status).header('etag', etagOf(customer.version)).send(toCustomer001(customer));
}

/**
 * Moving a customer into or out of `deleted` is the core's delete or restore, which /v1
 * guards with `customers:delete`; a PUT must not be a way around that.
 */
function requireDeleteScope(request: FastifyRequest) {
  if (!request.principal?.scopes.has('customers:delete')) {
    throw new AppError('insufficient_scope', 'Changing a customer to or from "deleted" needs the customers:delete scope.', [], { requiredScope: 'customers:delete' });
  }
}

export const surface001: FastifyPluginAsyncTypebox<SurfaceOptions> = async (app, { services, routes }) => {
  wireSurface(app, services, routes, { credential: bearerSecret, renderError: renderError001 });
  const { customers, queries, accounts } = services;

  app.post(
    '/',
    { config: { scope: 'customers:create' }, schema: { tags, summary: 'Create a customer', body: CreateBody, response: { 201: CustomerSchema001, ...errors } } },
    async (request, reply) => {
      const { externalId, status } = request.body;
      const ctx = ctxOf(request);
      const customer =
        status === 'deleted'
          ? await customers.create(ctx, { externalId }, { deleted: true })
          : await customers.create(ctx, { externalId, status: coreStatusOf(status) });
      reply.header('location', `${app.prefix}/${customer.id}`);
      return sendCustomer(reply, customer, 201);
    },
  );

  app.get(
    '/',
    { config: { scope: 'customers:read' }, schema: { tags, summary: 'List customers (bare array; limit/offset, Link rel=next)', querystring: ListQuery, response: { 200: Type.Array(CustomerSchema001), ...errors } } },
    async (request, reply) => {
      const { limit, offset } = request.query;
      // Oldest first: rows created while a client walks the pages land on the last page
      // instead of shifting the offsets of the pages it has not read yet.
      const page = await queries.list(ctxOf(request), { limit, offset, sort: 'createdAt', deleted: 'include' });
      const link = nextPageLink(request, { limit, offset, hasMore: page.hasMore });
      if (link) reply.header('link', link);
      return page.items.map(toCustomer001);
    },
  );

  app.get(
    '/:id',
    { config: { scope: 'customers:read' }, schema: { tags, summary: 'Get a customer', params: IdParams, response: { 200: CustomerSchema001, ...errors } } },
    async (request, reply) => sendCustomer(reply, await customers.get(ctxOf(request), request.params.id)),
  );

  app.put(
    '/:id',
    { config: { scope: 'customers:update' }, schema: { tags, summary: 'Change a customer’s status', params: IdParams, headers: IfMatchHeader, body: UpdateBody, response: { 200: CustomerSchema001, ...errors } } },
    async (request, reply) => {
      const ctx = ctxOf(request);
      const { id } = request.params;
      const target = request.body.status;
      const ifMatch = parseIfMatch(request.headers['if-match']);
      if (target === 'deleted') requireDeleteScope(request);

      const current = await customers.get(ctx, id);
      if (seedStatusOf(current) === target) return sendCustomer(reply, current); // nothing to write
      if (target === 'deleted') {
        // A concurrent request that deleted it first leaves what this one asked for.
        const deleted = await customers.delete(ctx, id, { ifMatch }).catch(unless('customer_deleted', () => customers.get(ctx, id)));
        return sendCustomer(reply, deleted);
      }

      if (current.deletedAt !== null) {
        requireDeleteScope(request);
        // Restore and set the status in one core write; a concurrent request that restored it first leaves it live.
        const restored = await customers
          .restore(ctx, id, { ifMatch, patch: { status: coreStatusOf(target) } })
          .catch(unless('customer_not_deleted', () => customers.update(ctx, id, { status: coreStatusOf(target) }, { ifMatch })));
        return sendCustomer(reply, restored);
      }
      return sendCustomer(reply, await customers.update(ctx, id, { status: coreStatusOf(target) }, { ifMatch }));
    },
  );

  app.get(
    '/:id/accounts/addresses',
    { config: { scope: 'customers:read' }, schema: { tags, summary: 'Every address of every account of the customer', params: IdParams, response: { 200: Type.Array(Type.String()), ...errors } } },
    async (request) => {
      const addresses = await accounts.allAddresses(ctxOf(request), request.params.id);
      // The list carries no network, so the same string twice would say nothing more.
      return [...new Set(addresses.map((a) => a.address))];
    },
  );

  // Deletion is never permitted: 405 for any id, before authentication and before any body is read.
  const refuseDelete = async (request: FastifyRequest) => {
    throw new AppError('method_not_allowed', 'Customer deletion is not permitted.', [], { allow: routes.allowedMethods(request) });
  };
  for (const url of ['/', '/:id']) {
    app.delete(url, { config: { public: true }, schema: { tags, summary: 'Not permitted: always 405' }, onRequest: refuseDelete }, async () => undefined);
  }
};
