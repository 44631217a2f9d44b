import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type, type TSchema } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Customer } from '../../core/customers/customer.model.js';
import type { IfMatch } from '../../core/customers/customer.service.js';
import { AppError, notFound, validationFailed } from '../../core/errors.js';
import { bearerSecret, ctxOf } from '../../http/auth.js';
import { etagOf, parseIfMatch } from '../../http/conditional.js';
import { wireSurface, type SurfaceOptions } from '../surface.js';
import { canonicalizeKeys, createInput, parseCustomerId, patchInput, toCustomerResponse, toCustomerWriteResponse } from './mapping.js';
import { renderProblem } from './problems.js';
import { searchCustomers } from './search.js';
import { CreateBody, CustomerResponse, CustomerWriteResponse, GetQuery, IdParams, IfMatchHeader, PatchBody, Problem, SearchBody, SearchResponse } from './schemas.js';

/**
 * Seed 004: the vendor's Public API v1.0 customers (docs/surfaces/004.md). OAuth2 client
 * credentials (or an API token) as a bearer token; PascalCase bodies; ETag / If-Match on
 * every write; soft delete that a PATCH to `Active` undoes; RFC 9457 problems.
 */

const tags = ['surface 004'];
const errors = { '4xx': Problem, '5xx': Problem };

/** Same as a unique-key write of the vendor: a second customer with this name and billing Zip is a 409. */
const UNIQUE_NAME_AND_ZIP = { uniqueNameAndPostalCode: true } as const;

/** Case-insensitive property names (see canonicalizeKeys); a missing body is an empty object. */
const canonicalBody = (schema: TSchema) => async (request: FastifyRequest) => {
  request.body = canonicalizeKeys(request.body ?? {}, schema);
};

function sendRead(reply: FastifyReply, customer: Customer) {
  return reply.header('etag', etagOf(customer.version)).send(toCustomerResponse(customer));
}

function sendWrite(reply: FastifyReply, customer: Customer, status = 200) {
  return reply.code(status).header('etag', etagOf(customer.version)).send(toCustomerWriteResponse(customer));
}

const isCode = (err: unknown, code: string) => err instanceof AppError && err.code === code;

export const surface004: FastifyPluginAsyncTypebox<SurfaceOptions> = async (app, { services, routes }) => {
  const { customers, queries } = services;
  wireSurface(app, services, routes, { credential: bearerSecret, renderError: renderProblem });

  app.get(
    '/customers/:id',
    {
      config: { scope: 'customers:read' },
      schema: { tags, summary: 'Get a customer', params: IdParams, response: { 200: CustomerResponse, ...errors } },
    },
    async (request, reply) => sendRead(reply, await customers.get(ctxOf(request), parseCustomerId(request.params.id))),
  );

  app.get(
    '/customers',
    {
      config: { scope: 'customers:read' },
      schema: {
        tags,
        summary: 'Get a customer by Id or CompanyNumber (query form)',
        querystring: GetQuery,
        response: { 200: CustomerResponse, ...errors },
      },
    },
    async (request, reply) => {
      const { id, companyNumber } = request.query;
      if (id === undefined && companyNumber === undefined) {
        throw validationFailed([{ field: 'id', message: 'give id or companyNumber', code: 'required' }]);
      }
      const ctx = ctxOf(request);
      let customer: Customer | undefined;
      if (id !== undefined) customer = await customers.get(ctx, parseCustomerId(id));
      else {
        const page = await queries.list(ctx, { companyNumber, limit: 1, sort: '-createdAt', deleted: 'include' });
        customer = page.items[0];
      }
      if (!customer || (companyNumber !== undefined && customer.companyNumber !== companyNumber.trim())) throw notFound();
      return sendRead(reply, customer);
    },
  );

  app.post(
    '/customers/search',
    {
      config: { scope: 'customers:read' },
      preValidation: canonicalBody(SearchBody),
      schema: { tags, summary: 'Search customers', body: SearchBody, response: { 200: SearchResponse, ...errors } },
    },
    async (request) => searchCustomers(queries, ctxOf(request), request.body),
  );

  app.post(
    '/customers',
    {
      config: { scope: 'customers:create' },
      preValidation: canonicalBody(CreateBody),
      schema: { tags, summary: 'Create a customer', body: CreateBody, response: { 201: CustomerWriteResponse, ...errors } },
    },
    async (request, reply) => sendWrite(reply, await customers.create(ctxOf(request), createInput(request.body), UNIQUE_NAME_AND_ZIP), 201),
  );

  app.patch(
    '/customers/:id',
    {
      config: { scope: 'customers:update' },
      preValidation: canonicalBody(PatchBody),
      schema: {
        tags,
        summary: 'Update a customer (RFC 7396 JSON Merge Patch); {"Status": "Active"} restores a deleted one',
        params: IdParams,
        headers: IfMatchHeader,
        body: PatchBody,
        response: { 200: CustomerWriteResponse, ...errors },
      },
    },
    async (request, reply) => {
      const ctx = ctxOf(request);
      const id = parseCustomerId(request.params.id);
      const patch = patchInput(request.body);
      const ifMatch = parseIfMatch(request.headers['if-match']);
      const update = (match: IfMatch | undefined) => customers.update(ctx, id, patch, { ifMatch: match, requireIfMatch: true, ...UNIQUE_NAME_AND_ZIP });
      try {
        return sendWrite(reply, await update(ifMatch));
      } catch (err) {
        // The core checks existence and If-Match before it refuses a deleted customer, so
        // reaching here means the precondition held.
        if (!isCode(err, 'customer_deleted') || request.body.Status !== 'Active') throw err;
      }
      try {
        // Restore and the rest of the patch in one core write: a refused patch leaves the customer deleted.
        return sendWrite(reply, await customers.restore(ctx, id, { ifMatch, requireIfMatch: true, ...UNIQUE_NAME_AND_ZIP, patch }));
      } catch (err) {
        // Restored by someone else meanwhile: a plain update under the client's If-Match.
        if (isCode(err, 'customer_not_deleted')) return sendWrite(reply, await update(ifMatch));
        throw err;
      }
    },
  );

  app.delete(
    '/customers/:id',
    {
      config: { scope: 'customers:delete' },
      schema: {
        tags,
        summary: 'Soft-delete a customer (it stays readable as Inactive; its CompanyNumber stays reserved)',
        params: IdParams,
        headers: IfMatchHeader,
        response: { 204: Type.Null({ description: 'Deleted; the ETag header carries the new version.' }), ...errors },
      },
    },
    async (request, reply) => {
      const ctx = ctxOf(request);
      const id = parseCustomerId(request.params.id);
      let customer: Customer;
      try {
        customer = await customers.delete(ctx, id, { ifMatch: parseIfMatch(request.headers['if-match']), requireIfMatch: true });
      } catch (err) {
        // Already deleted (and the If-Match held): nothing to do, as a repeated DELETE expects.
        if (!isCode(err, 'customer_deleted')) throw err;
        customer = await customers.get(ctx, id);
      }
      return reply.code(204).header('etag', etagOf(customer.version)).send(null);
    },
  );
};
