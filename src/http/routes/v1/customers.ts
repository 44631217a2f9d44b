import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply } from 'fastify';
import { CUSTOMER_CATEGORIES, CUSTOMER_STATUSES, CUSTOMER_TYPES, CustomerEventSchema, CustomerSchema, CustomerWriteSchema, LIMITS, type Customer } from '../../../core/customers/customer.model.js';
import { SORTS } from '../../../core/customers/customer.queries.js';
import { BrandIdSchema } from '../../../core/brands/brand.model.js';
import { ctxOf } from '../../auth.js';
import { etagOf, matchesIfNoneMatch, parseIfMatch } from '../../conditional.js';
import { Cursor, IdParams, IfMatchHeader, Limit, PageOf } from '../../schemas/common.js';
import type { Services } from '../../../services.js';

const Customer = Type.Ref(CustomerSchema);
const CustomerEvent = Type.Ref(CustomerEventSchema);
const Problem = Type.Ref('Problem');
const errors = { '4xx': Problem, '5xx': Problem };
const tags = ['customers'];

const ListQuery = Type.Object(
  {
    limit: Limit(),
    cursor: Type.Optional(Cursor),
    sort: Type.Union(SORTS.map((s) => Type.Literal(s)), { default: '-createdAt', description: 'Order; `-` is descending. Sync clients poll with `sort=updatedAt&updatedAfter=…`.' }),
    status: Type.Optional(Type.Union(CUSTOMER_STATUSES.map((s) => Type.Literal(s)))),
    type: Type.Optional(Type.Union(CUSTOMER_TYPES.map((s) => Type.Literal(s)))),
    category: Type.Optional(Type.Union(CUSTOMER_CATEGORIES.map((s) => Type.Literal(s)))),
    name: Type.Optional(Type.String({ minLength: 1, maxLength: LIMITS.name, description: 'Part of the name, case-insensitive.' })),
    email: Type.Optional(Type.String({ maxLength: LIMITS.email, description: 'Any of the customer’s emails (case-insensitive).' })),
    phone: Type.Optional(Type.String({ maxLength: LIMITS.phone, description: 'Any of the customer’s phone or WhatsApp numbers (any format).' })),
    channel: Type.Optional(Type.String({ maxLength: LIMITS.email, description: 'Any channel value, written in any form its type accepts: email, phone, WhatsApp or handle (twitter, facebook, …).' })),
    channelType: Type.Optional(Type.String({ maxLength: 32, description: 'With `channel`: only this type — `email`, `phone`, `whatsapp`, `handle`, or seed 003’s `telephone`, `facebook`, `twitter`, `1`–`5`.' })),
    externalId: Type.Optional(Type.String({ maxLength: LIMITS.externalId })),
    companyNumber: Type.Optional(Type.String({ maxLength: LIMITS.companyNumber })),
    brandId: Type.Optional(BrandIdSchema),
    number: Type.Optional(Type.Integer({ minimum: 1, maximum: 2_147_483_647, description: 'The per-tenant customer number.' })),
    search: Type.Optional(Type.String({ minLength: 1, maxLength: LIMITS.name, description: 'Free text: part of the name (case-insensitive), an exact externalId, or any channel value.' })),
    createdAfter: Type.Optional(Type.String({ format: 'date-time' })),
    createdBefore: Type.Optional(Type.String({ format: 'date-time' })),
    updatedAfter: Type.Optional(Type.String({ format: 'date-time', description: 'Strictly after this instant.' })),
    updatedBefore: Type.Optional(Type.String({ format: 'date-time' })),
    deleted: Type.Union([Type.Literal('exclude'), Type.Literal('include'), Type.Literal('only')], {
      default: 'exclude',
      description: 'Deleted customers are left out unless asked for.',
    }),
  },
  {
    additionalProperties: false,
    // `customFields.<name>=<value>`: see CustomFieldService.filters.
    patternProperties: { '^customFields\\.': Type.String({ maxLength: LIMITS.customFieldValueBytes }) },
  },
);

const CUSTOM_FIELD_FILTER_PREFIX = 'customFields.';

/** The `customFields.<name>` parameters of a list query, by name. */
function customFieldFilters(query: object): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(query)) {
    if (key.startsWith(CUSTOM_FIELD_FILTER_PREFIX)) out[key.slice(CUSTOM_FIELD_FILTER_PREFIX.length)] = String(value);
  }
  return out;
}

const ExternalIdParams = Type.Object({ externalId: Type.String({ minLength: 1, maxLength: LIMITS.externalId }) }, { additionalProperties: false });

const date = (value: string | undefined) => (value === undefined ? undefined : new Date(value));

function sendCustomer(reply: FastifyReply, customer: Customer, status = 200) {
  return reply.code(status).header('etag', etagOf(customer.version)).send(customer);
}

export const v1CustomerRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  const { customers, queries } = services;

  app.post(
    '/customers',
    {
      config: { scope: 'customers:create' },
      schema: {
        tags,
        summary: 'Create a customer',
        headers: Type.Object({ 'idempotency-key': Type.Optional(Type.String({ description: 'Makes a retry safe: same key and body → the stored response.' })) }),
        body: CustomerWriteSchema,
        response: { 201: Customer, ...errors },
      },
    },
    async (request, reply) => {
      const customer = await customers.create(ctxOf(request), request.body);
      reply.header('location', `/v1/customers/${customer.id}`);
      return sendCustomer(reply, customer, 201);
    },
  );

  app.get(
    '/customers',
    {
      config: { scope: 'customers:read' },
      schema: {
        tags,
        summary: 'List and filter customers',
        description: 'Besides the parameters below, `customFields.<name>=<value>` filters by a custom field: compared as a number or boolean when the tenant defines the field so, else as text.',
        querystring: ListQuery,
        response: { 200: PageOf(Customer, 'A page of customers'), ...errors },
      },
    },
    async (request) => {
      const q = request.query;
      const page = await queries.list(ctxOf(request), {
        ...q,
        createdAfter: date(q.createdAfter),
        createdBefore: date(q.createdBefore),
        updatedAfter: date(q.updatedAfter),
        updatedBefore: date(q.updatedBefore),
        customFields: customFieldFilters(q),
      });
      return { data: page.items, hasMore: page.hasMore, nextCursor: page.nextCursor };
    },
  );

  app.get(
    '/customers/:id',
    {
      config: { scope: 'customers:read' },
      schema: {
        tags,
        summary: 'Get a customer',
        params: IdParams,
        headers: Type.Object({ 'if-none-match': Type.Optional(Type.String()) }),
        response: { 200: Customer, 304: Type.Null({ description: 'Not modified' }), ...errors },
      },
    },
    async (request, reply) => {
      const customer = await customers.get(ctxOf(request), request.params.id);
      if (matchesIfNoneMatch(request.headers['if-none-match'], customer.version)) {
        return reply.code(304).header('etag', etagOf(customer.version)).send();
      }
      return sendCustomer(reply, customer);
    },
  );

  app.patch(
    '/customers/:id',
    {
      config: { scope: 'customers:update' },
      schema: {
        tags,
        summary: 'Update a customer (RFC 7396 JSON Merge Patch)',
        description: 'Fields left out are unchanged; `null` clears a field; objects (`billingAddress`, `location`, `handles`, `customFields`) merge key by key. Send `application/merge-patch+json` or `application/json`.',
        params: IdParams,
        headers: IfMatchHeader,
        body: CustomerWriteSchema,
        response: { 200: Customer, ...errors },
      },
    },
    async (request, reply) => {
      const customer = await customers.update(ctxOf(request), request.params.id, request.body, { ifMatch: parseIfMatch(request.headers['if-match']) });
      return sendCustomer(reply, customer);
    },
  );

  app.delete(
    '/customers/:id',
    {
      config: { scope: 'customers:delete' },
      schema: { tags, summary: 'Delete a customer (soft: restorable)', params: IdParams, headers: IfMatchHeader, response: { 200: Customer, ...errors } },
    },
    async (request, reply) => {
      const customer = await customers.delete(ctxOf(request), request.params.id, { ifMatch: parseIfMatch(request.headers['if-match']) });
      return sendCustomer(reply, customer);
    },
  );

  app.post(
    '/customers/:id/restore',
    {
      config: { scope: 'customers:delete' },
      schema: { tags, summary: 'Restore a deleted customer', params: IdParams, headers: IfMatchHeader, response: { 200: Customer, ...errors } },
    },
    async (request, reply) => {
      const customer = await customers.restore(ctxOf(request), request.params.id, { ifMatch: parseIfMatch(request.headers['if-match']) });
      return sendCustomer(reply, customer);
    },
  );

  app.post(
    '/customers/:id/purge',
    {
      config: { scope: 'customers:purge' },
      schema: {
        tags,
        summary: 'Erase a customer’s personal data (GDPR)',
        description: 'Clears every personal field and channel, and strips the values from the customer’s timeline. A tombstone (id, number, externalId, companyNumber, timestamps) remains. Irreversible.',
        params: IdParams,
        headers: IfMatchHeader,
        response: { 200: Customer, ...errors },
      },
    },
    async (request, reply) => {
      const customer = await customers.purge(ctxOf(request), request.params.id, { ifMatch: parseIfMatch(request.headers['if-match']) });
      return sendCustomer(reply, customer);
    },
  );

  app.get(
    '/customers/by-external-id/:externalId',
    {
      config: { scope: 'customers:read' },
      schema: { tags, summary: 'Get a customer by externalId', params: ExternalIdParams, response: { 200: Customer, ...errors } },
    },
    async (request, reply) => sendCustomer(reply, await customers.getByExternalId(ctxOf(request), request.params.externalId)),
  );

  app.put(
    '/customers/by-external-id/:externalId',
    {
      config: { scope: ['customers:create', 'customers:update'] },
      schema: {
        tags,
        summary: 'Upsert a customer by externalId',
        description: 'Creates the customer (201) or applies the body to the existing one as a merge patch (200). Needs both `customers:create` and `customers:update` (or `customers:write`).',
        params: ExternalIdParams,
        headers: IfMatchHeader,
        body: CustomerWriteSchema,
        response: { 200: Customer, 201: Customer, ...errors },
      },
    },
    async (request, reply) => {
      const { customer, created } = await customers.upsertByExternalId(ctxOf(request), request.params.externalId, request.body, {
        ifMatch: parseIfMatch(request.headers['if-match']),
      });
      if (created) reply.header('location', `/v1/customers/${customer.id}`);
      return sendCustomer(reply, customer, created ? 201 : 200);
    },
  );

  app.get(
    '/customers/:id/events',
    {
      config: { scope: 'customers:read' },
      schema: {
        tags,
        summary: 'The customer’s timeline',
        params: IdParams,
        querystring: Type.Object(
          {
            limit: Limit(),
            cursor: Type.Optional(Cursor),
            type: Type.Optional(Type.String({ pattern: '^[a-z][a-z0-9_.-]{0,79}$', description: 'Only events whose type starts with this, e.g. `external.` or `customer.channel_`.' })),
          },
          { additionalProperties: false },
        ),
        response: { 200: PageOf(CustomerEvent, 'A page of events, in the order written'), ...errors },
      },
    },
    async (request) => {
      const page = await queries.events(ctxOf(request), request.params.id, request.query);
      return { data: page.items, hasMore: page.hasMore, nextCursor: page.nextCursor };
    },
  );
};
