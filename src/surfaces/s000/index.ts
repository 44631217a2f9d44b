import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Customer } from '../../core/customers/customer.model.js';
import { notFound, validationFailed } from '../../core/errors.js';
import { bearerSecret, ctxOf } from '../../http/auth.js';
import { etagOf, parseIfMatch } from '../../http/conditional.js';
import { nextPageLink, wireSurface, type SurfaceOptions } from '../surface.js';
import { createInput, renderError, statusOf, toWire, updatePatch, visible } from './mapping.js';
import { CreateBody, DeletedBody, ErrorBodySchema, IdParams, ListQuery, StatusBody, UpdateBody, WireCustomerSchema } from './schemas.js';

/**
 * Seed 000's customer API at /api/external/v1 (docs/surfaces/000.md): bearer tokens, every
 * auth failure a 403, `_id` and `id`, three status words, partial PUT, DELETE → `{"success": true}`.
 */

const errors = { '4xx': ErrorBodySchema, '5xx': ErrorBodySchema };
const tags = ['seed 000 (/api/external/v1)'];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A path id that is not a UUID names no customer: answered like an unknown id, before any look-up. */
function customerId(raw: string): string {
  if (!UUID.test(raw)) throw notFound();
  return raw;
}

function sendCustomer(reply: FastifyReply, customer: Customer, status = 200) {
  return reply.code(status).header('etag', etagOf(customer.version)).send(toWire(customer));
}

/** The next page in the client's own paging style: `page=n+1` when it pages by number, else `offset`. */
function nextLink(request: FastifyRequest, page: { limit: number; offset: number; page?: number; hasMore: boolean }): string | null {
  if (page.page === undefined) return nextPageLink(request, page);
  if (!page.hasMore) return null;
  const url = new URL(request.url, 'http://placeholder');
  url.searchParams.set('limit', String(page.limit));
  url.searchParams.set('page', String(page.page + 1));
  return `<${url.pathname}${url.search}>; rel="next"`;
}

export const surface000: FastifyPluginAsyncTypebox<SurfaceOptions> = async (app, { services, routes }) => {
  wireSurface(app, services, routes, { credential: bearerSecret, renderError, statusOf });
  const { customers, queries } = services;

  app.get(
    '/customers',
    {
      config: { scope: 'customers:read' },
      schema: {
        tags,
        summary: 'List customers (a bare array; next page in the Link header)',
        querystring: ListQuery,
        response: { 200: { type: 'array', items: WireCustomerSchema }, ...errors },
      },
    },
    async (request, reply) => {
      const { limit, offset, page } = request.query;
      if (offset !== undefined && page !== undefined) {
        throw validationFailed([{ field: 'query.page', message: 'cannot be combined with offset', code: 'conflict' }]);
      }
      const skip = page !== undefined ? (page - 1) * limit : (offset ?? 0);
      // Oldest first: new customers join the end, so offsets already read stay put.
      const result = await queries.list(ctxOf(request), { limit, offset: skip, sort: 'createdAt', deleted: 'exclude' });
      const link = nextLink(request, { limit, offset: skip, page, hasMore: result.hasMore });
      if (link) reply.header('link', link);
      return result.items.map(toWire);
    },
  );

  app.get(
    '/customers/:id',
    {
      config: { scope: 'customers:read' },
      schema: { tags, summary: 'Get a customer', params: IdParams, response: { 200: WireCustomerSchema, ...errors } },
    },
    async (request, reply) => {
      const customer = visible(await customers.get(ctxOf(request), customerId(request.params.id)));
      return sendCustomer(reply, customer);
    },
  );

  app.post(
    '/customers',
    {
      config: { scope: 'customers:create' },
      schema: { tags, summary: 'Create a customer (name and email required)', body: CreateBody, response: { 201: WireCustomerSchema, ...errors } },
    },
    async (request, reply) => {
      const customer = await customers.create(ctxOf(request), createInput(request.body));
      reply.header('location', `${app.prefix}/customers/${customer.id}`);
      return sendCustomer(reply, customer, 201);
    },
  );

  app.put(
    '/customers/:id/status',
    {
      config: { scope: 'customers:update' },
      schema: { tags, summary: 'Set a customer’s status', params: IdParams, body: StatusBody, response: { 200: WireCustomerSchema, ...errors } },
    },
    async (request, reply) => {
      const ctx = ctxOf(request);
      const id = customerId(request.params.id);
      const current = visible(await customers.get(ctx, id));
      const patch = updatePatch({ status: request.body.status }, current);
      const customer = await customers.update(ctx, id, patch, { ifMatch: parseIfMatch(request.headers['if-match']) });
      return sendCustomer(reply, customer);
    },
  );

  app.put(
    '/customers/:id',
    {
      config: { scope: 'customers:update' },
      schema: {
        tags,
        summary: 'Update a customer (partial: fields left out are unchanged)',
        params: IdParams,
        body: UpdateBody,
        response: { 200: WireCustomerSchema, ...errors },
      },
    },
    async (request, reply) => {
      const ctx = ctxOf(request);
      const id = customerId(request.params.id);
      const current = visible(await customers.get(ctx, id));
      const customer = await customers.update(ctx, id, updatePatch(request.body, current), { ifMatch: parseIfMatch(request.headers['if-match']) });
      return sendCustomer(reply, customer);
    },
  );

  app.delete(
    '/customers/:id',
    {
      config: { scope: 'customers:delete' },
      schema: { tags, summary: 'Delete a customer (gone from this surface; restorable through /v1)', params: IdParams, response: { 200: DeletedBody, ...errors } },
    },
    async (request) => {
      await customers.delete(ctxOf(request), customerId(request.params.id), { ifMatch: parseIfMatch(request.headers['if-match']) });
      return { success: true as const };
    },
  );
};
