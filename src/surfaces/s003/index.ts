import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { TSchema } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import type { Brand } from '../../core/brands/brand.model.js';
import type { Ctx } from '../../core/context.js';
import type { ChannelOp } from '../../core/customers/channels.js';
import type { CustomerWithChannels } from '../../core/customers/customer.mapper.js';
import type { CustomerWrite } from '../../core/customers/customer.model.js';
import type { ListFilters } from '../../core/customers/customer.queries.js';
import { AppError, notFound, validationFailed } from '../../core/errors.js';
import { ctxOf } from '../../http/auth.js';
import { wireSurface, type SurfaceOptions } from '../surface.js';
import { acceptForms, FORM_MEDIA_TYPES } from './form.js';
import {
  brandNames,
  channelOpsOf,
  customFieldsOf,
  idOf,
  isTrue,
  namesOf,
  renamesOf,
  result,
  toItem,
  toListItem,
  toWireEvent,
  toWireTicket,
  type Form,
} from './mapping.js';
import { errorRenderer, statusOf } from './problems.js';
import {
  AddChannelBody,
  ChannelParams,
  CreateBody,
  CreateCrudBody,
  ErrorBody,
  ExternalEventBody,
  IdParams,
  IndexQuery,
  IndexResponse,
  MAX_ITEM_LIMIT,
  Result,
  SearchByChannelBody,
  SearchByExternalIdBody,
  SyncBody,
  TimelineQuery,
  TimelineResponse,
  UpdateCustomerBody,
  UpdateIndexBody,
  UpdateItemBody,
  WireItem,
} from './schemas.js';

/**
 * Seed 003's customer controller at /api/v2/customer (docs/surfaces/003.md): the `apiKey`
 * header, form or JSON bodies, integer ids (the customer's number), brands, channels, custom
 * fields, the timeline and the CRM look-up, over the same core as /v1.
 */

const tags = ['seed 003 (/api/v2/customer)'];
const security = [{ apiKey: [] }];
const errors = { '4xx': ErrorBody, '5xx': ErrorBody };
const READ = 'customers:read';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_NUMBER = 2_147_483_647;
/** The seed has no ETags: its writes never take If-Match, whatever the tenant requires elsewhere. */
const NO_IF_MATCH = { requireIfMatch: false } as const;

function apiKey(request: FastifyRequest): string | null {
  const value = request.headers.apikey;
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : null;
}

/** A customer number as text; anything else names no customer (404, without a look-up). */
function numberOf(raw: string): number {
  const n = /^[0-9]{1,10}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!(n >= 1 && n <= MAX_NUMBER)) throw notFound();
  return n;
}

const body = <B extends TSchema, R extends Record<number, TSchema>>(schema: B, summary: string, response: R, description?: string) => ({
  tags,
  security,
  summary,
  ...(description ? { description } : {}),
  consumes: FORM_MEDIA_TYPES,
  body: schema,
  response: { ...response, ...errors },
});

interface CustomerRef {
  number?: number;
  externalId?: string;
  brand?: Brand | null;
}

export const surface003: FastifyPluginAsyncTypebox<SurfaceOptions> = async (app, { services, routes }) => {
  wireSurface(app, services, routes, { credential: apiKey, renderError: errorRenderer(services), statusOf });
  await acceptForms(app);
  const { customers, queries } = services;

  /** The brand an id field names; another tenant's or an unknown one is a 400 naming the field. */
  async function brandOf(ctx: Ctx, ref: { field: string; value: string } | undefined): Promise<Brand | null> {
    if (!ref) return null;
    const invalid = () => validationFailed([{ field: ref.field, message: 'is not a brand of this tenant', code: 'invalid_brand' }]);
    const id = Number(ref.value);
    if (!Number.isSafeInteger(id) || id < 1) throw invalid();
    try {
      return await services.brands.get(ctx, id);
    } catch (err) {
      if (err instanceof AppError && err.code === 'not_found') throw invalid();
      throw err;
    }
  }

  /** The live customer a request names (by number, external id, or both), within the brand when given: one query. */
  async function findCustomer(ctx: Ctx, ref: CustomerRef, deleted: 'exclude' | 'include' = 'exclude'): Promise<CustomerWithChannels> {
    const page = await queries.listWithChannels(ctx, { limit: 1, sort: 'createdAt', deleted, number: ref.number, externalId: ref.externalId, brandId: ref.brand?.id });
    const customer = page.items[0];
    if (!customer) throw notFound();
    return customer;
  }

  /**
   * The customer a form names by `customer_id` and/or an external id (`primary_id`, …), with
   * its brand. `required` names the field to ask for when it names none.
   */
  async function customerOfForm(ctx: Ctx, request: FastifyRequest, form: Readonly<Record<string, unknown>>, groups: ('customer' | 'externalId')[], required: string) {
    const renames = renamesOf(request);
    const number = groups.includes('customer') ? idOf(form, 'customer', renames) : undefined;
    const externalId = idOf(form, 'externalId', renames);
    const brandRef = idOf(form, 'brand', renames);
    if (!number && !externalId) {
      const alone = brandRef ? `; ${brandRef.field} alone does not identify a customer` : '';
      throw validationFailed([{ field: required, message: `is required${alone}`, code: 'required' }]);
    }
    const brand = await brandOf(ctx, brandRef);
    return findCustomer(ctx, { number: number ? numberOf(number.value) : undefined, externalId: externalId?.value, brand });
  }

  /** `custom_<name>` fields, typed by the tenant's definitions; on a create an empty one is simply not set. */
  async function customFieldsPatch(ctx: Ctx, form: Form, create: boolean): Promise<CustomerWrite> {
    const { values, removed } = customFieldsOf(form);
    if (Object.keys(values).length === 0 && (create || removed.length === 0)) return {};
    const typed = await services.customFields.fromStrings(ctx, values);
    if (!create) for (const name of removed) typed[name] = null;
    return { customFields: typed };
  }

  /** Names, custom fields and channels of a form, applied to an existing customer in one write. */
  async function updateFromForm(ctx: Ctx, request: FastifyRequest, customer: CustomerWithChannels, form: Form) {
    const patch = { ...namesOf(form), ...(await customFieldsPatch(ctx, form, false)) };
    const channels = channelOpsOf(form, renamesOf(request));
    return customers.update(ctx, customer.id, patch, { ...NO_IF_MATCH, channels });
  }

  function requireScope(request: FastifyRequest, scope: string) {
    if (!request.principal?.scopes.has(scope)) throw new AppError('insufficient_scope', `This request needs the ${scope} scope.`, [], { requiredScope: scope });
  }

  /** An index-style page: the customers matching `filters`, oldest first, with the total. */
  async function customerPage(ctx: Ctx, filters: ListFilters, itemStart: number, itemLimit: number) {
    const [itemTotal, page, brands] = await Promise.all([
      queries.count(ctx, filters),
      itemLimit > 0 ? queries.listWithChannels(ctx, { ...filters, sort: 'createdAt', limit: itemLimit, offset: itemStart - 1 }) : null,
      services.brands.list(ctx),
    ]);
    const names = brandNames(brands);
    return { type: 'customers' as const, itemStart, itemTotal, itemLimit, items: (page?.items ?? []).map((c) => toListItem(c, names)) };
  }

  // ---- reads ----

  app.get(
    '/',
    {
      config: { scope: READ },
      schema: { tags, security, summary: 'index GET: list customers (paginated)', querystring: IndexQuery, response: { 200: IndexResponse, ...errors } },
    },
    async (request) => {
      const ctx = ctxOf(request);
      const { search, itemStart, itemLimit } = request.query;
      const brand = await brandOf(ctx, idOf(request.query, 'brand', renamesOf(request)));
      return customerPage(ctx, { deleted: 'exclude', search, brandId: brand?.id }, itemStart, itemLimit);
    },
  );

  app.get(
    '/:id',
    {
      config: { scope: READ },
      schema: { tags, security, summary: 'item GET: a customer', params: IdParams, response: { 200: WireItem, ...errors } },
    },
    async (request) => {
      const ctx = ctxOf(request);
      const [customer, brands] = await Promise.all([findCustomer(ctx, { number: numberOf(request.params.id) }), services.brands.list(ctx)]);
      return toItem(customer, brandNames(brands));
    },
  );

  app.post(
    '/SearchByPrimaryExternalID',
    {
      config: { scope: READ },
      schema: body(SearchByExternalIdBody, 'searchByPrimaryExternalId POST: find a customer by its external primary id', { 200: IndexResponse }),
    },
    async (request) => {
      const ctx = ctxOf(request);
      const renames = renamesOf(request);
      const externalId = idOf(request.body, 'externalId', renames);
      if (!externalId) throw validationFailed([{ field: 'primary_id', message: 'is required', code: 'required' }]);
      const brand = await brandOf(ctx, idOf(request.body, 'brand', renames));
      return customerPage(ctx, { deleted: 'exclude', externalId: externalId.value, brandId: brand?.id }, 1, MAX_ITEM_LIMIT);
    },
  );

  app.post(
    '/SearchByCustomerChannelValue',
    {
      config: { scope: READ },
      schema: body(SearchByChannelBody, 'SearchByCustomerChannelValue POST: find customers by a channel value', { 200: IndexResponse }, 'Within the brand when brand_id is given, else across the tenant.'),
    },
    async (request) => {
      const ctx = ctxOf(request);
      const form = request.body as Form;
      const value = form.customerChannelValue;
      if (value === undefined) throw validationFailed([{ field: 'customerChannelValue', message: 'is required', code: 'required' }]);
      const brand = await brandOf(ctx, idOf(form, 'brand', renamesOf(request)));
      return customerPage(ctx, { deleted: 'exclude', channel: value, brandId: brand?.id }, 1, MAX_ITEM_LIMIT);
    },
  );

  app.get(
    '/timelineByCustomerExternalID',
    {
      config: { scope: READ },
      schema: { tags, security, summary: 'timelineByCustomerExternalID GET: the customer’s timeline (and, with `ticket`, its tickets)', querystring: TimelineQuery, response: { 200: TimelineResponse, ...errors } },
    },
    async (request) => {
      const ctx = ctxOf(request);
      const query = request.query;
      const customer = await customerOfForm(ctx, request, query, ['externalId'], 'external_id');
      const offset = query.itemStart - 1;
      const [itemTotal, page, tickets] = await Promise.all([
        queries.countEvents(ctx, customer.id),
        query.itemLimit > 0 ? queries.events(ctx, customer.id, { limit: query.itemLimit, offset }) : null,
        query.ticket !== undefined ? services.timeline.tickets(ctx, customer.id) : null,
      ]);
      return {
        type: 'timeline' as const,
        itemStart: query.itemStart,
        itemTotal,
        itemLimit: query.itemLimit,
        customer_id: customer.number,
        ...(tickets ? { tickets: tickets.map(toWireTicket) } : {}),
        items: (page?.items ?? []).map(toWireEvent),
      };
    },
  );

  // ---- creates ----

  app.post(
    '/',
    {
      config: { scope: 'customers:create' },
      schema: body(
        CreateBody,
        'index POST: create a customer',
        { 201: Result, 200: Result },
        'With search_customer_channel_value (and no primary_id) on a brand with customer search by channels, the customer having that channel value is updated instead (200).',
      ),
    },
    async (request, reply) => {
      const ctx = ctxOf(request);
      const form = request.body as Form;
      const renames = renamesOf(request);
      const externalId = idOf(form, 'externalId', renames);
      const brand = await brandOf(ctx, idOf(form, 'brand', renames));
      const write: CustomerWrite = { ...namesOf(form), ...(externalId ? { externalId: externalId.value } : {}), ...(brand ? { brandId: brand.id } : {}), ...(await customFieldsPatch(ctx, form, true)) };
      const channels = channelOpsOf(form, renames);
      const tickets = form.ticket_id !== undefined ? [form.ticket_id] : [];

      const searchValue = form.search_customer_channel_value;
      if (searchValue !== undefined && !externalId) {
        const existing = await customerByChannel(ctx, brand, searchValue);
        if (existing) {
          requireScope(request, 'customers:update');
          const updated = await updateFromForm(ctx, request, existing, form);
          for (const ticket of tickets) await services.timeline.linkTicket(ctx, updated.id, ticket);
          return reply.code(200).send(result('Customer updated.', updated.number));
        }
      }
      const customer = await customers.create(ctx, write, { channels, tickets });
      if (!isTrue(form.noSync)) await services.crm.syncAfterCreate(ctx, customer);
      return reply.code(201).send(result('Customer created.', customer.number));
    },
  );

  /** The customer of the brand having this channel value, when the brand allows finding customers so. */
  async function customerByChannel(ctx: Ctx, brand: Brand | null, value: string): Promise<CustomerWithChannels | null> {
    const field = 'search_customer_channel_value';
    if (!brand) throw validationFailed([{ field, message: 'needs brand_id (a brand with customer search by channels), or send primary_id instead', code: 'required' }]);
    if (!brand.searchCustomersByChannel) {
      throw validationFailed([{ field, message: `cannot be used: brand ${brand.id} does not have customer search by channels enabled; send primary_id`, code: 'not_enabled' }]);
    }
    const matches = await queries.findByChannel(ctx, value, { brandId: brand.id, limit: 2 });
    if (matches.length > 1) {
      throw new AppError('duplicate', `Several customers of brand ${brand.id} have this channel value; send primary_id to say which.`, [{ field, message: 'matches several customers', code: 'ambiguous' }]);
    }
    return matches[0] ?? null;
  }

  app.post(
    '/createCustomerCRUD',
    {
      config: { scope: 'customers:create' },
      schema: body(CreateCrudBody, 'createCustomerCRUD POST: create a customer (no CRM look-up)', { 201: Result }),
    },
    async (request, reply) => {
      const ctx = ctxOf(request);
      const form = request.body as Form;
      const renames = renamesOf(request);
      const externalId = idOf(form, 'externalId', renames);
      const brand = await brandOf(ctx, idOf(form, 'brand', renames));
      const write: CustomerWrite = { ...namesOf(form), ...(externalId ? { externalId: externalId.value } : {}), ...(brand ? { brandId: brand.id } : {}), ...(await customFieldsPatch(ctx, form, true)) };
      const customer = await customers.create(ctx, write, { channels: channelOpsOf(form, renames) });
      return reply.code(201).send(result('Customer created.', customer.number));
    },
  );

  app.post(
    '/syncWithCRM',
    {
      config: { scope: ['customers:create', 'customers:update'] },
      schema: body(SyncBody, 'syncWithCRM POST: look the address up in the brand’s CRM; create or update the customer from its answer', { 201: Result, 200: Result }),
    },
    async (request, reply) => {
      const ctx = ctxOf(request);
      const form = request.body as Form;
      const brandRef = idOf(form, 'brand', renamesOf(request));
      const missing = [brandRef ? null : 'brandID', form.channel === undefined ? 'channel' : null, form.address === undefined ? 'address' : null].filter((f) => f !== null);
      if (missing.length > 0) throw validationFailed(missing.map((field) => ({ field, message: 'is required', code: 'required' })));
      const brand = (await brandOf(ctx, brandRef))!;
      const synced = await services.crm.sync(ctx, { brandId: brand.id, channel: form.channel!, address: form.address! });
      return reply.code(synced.created ? 201 : 200).send(result(synced.created ? 'Customer created from the CRM.' : 'Customer updated from the CRM.', synced.customer.number));
    },
  );

  // ---- updates ----

  app.put(
    '/',
    {
      config: { scope: 'customers:update' },
      schema: body(UpdateIndexBody, 'index PUT: update a customer’s name and custom fields', { 200: Result }, 'The customer is named by customerID and/or primaryID (brandID narrows, it cannot name one alone).'),
    },
    async (request) => {
      const ctx = ctxOf(request);
      const form = request.body as Form;
      const customer = await customerOfForm(ctx, request, form, ['customer', 'externalId'], 'customerID');
      const updated = await updateFromForm(ctx, request, customer, form);
      return result('Customer updated.', updated.number);
    },
  );

  app.put(
    '/updateCustomer',
    {
      config: { scope: 'customers:update' },
      schema: body(UpdateCustomerBody, 'updateCustomer PUT: update a customer named by its external primary id', { 200: Result }),
    },
    async (request) => {
      const ctx = ctxOf(request);
      const form = request.body as Form;
      const customer = await customerOfForm(ctx, request, form, ['externalId'], 'externalPrimaryID');
      const updated = await updateFromForm(ctx, request, customer, form);
      return result('Customer updated.', updated.number);
    },
  );

  app.put(
    '/:id',
    {
      config: { scope: 'customers:update' },
      schema: { ...body(UpdateItemBody, 'item PUT: update a customer’s names, custom fields and channels', { 200: Result }), params: IdParams },
    },
    async (request) => {
      const ctx = ctxOf(request);
      const form = request.body as Form;
      const brand = await brandOf(ctx, idOf(form, 'brand', renamesOf(request)));
      const customer = await findCustomer(ctx, { number: numberOf(request.params.id), brand });
      const updated = await updateFromForm(ctx, request, customer, form);
      return result('Customer updated.', updated.number);
    },
  );

  app.post(
    '/addChannelOnly',
    {
      config: { scope: 'customers:update' },
      schema: body(AddChannelBody, 'addChannelOnly POST: add channels to a customer', { 200: Result }),
    },
    async (request) => {
      const ctx = ctxOf(request);
      const form = request.body as Form;
      const channels: ChannelOp[] = channelOpsOf(form, renamesOf(request));
      if (channels.length === 0) throw validationFailed([{ field: 'extra_email', message: 'or extra_telephone, extra_twitter or extra_facebook is required', code: 'required' }]);
      const customer = await customerOfForm(ctx, request, form, ['customer', 'externalId'], 'customer_id');
      const updated = await customers.update(ctx, customer.id, {}, { ...NO_IF_MATCH, channels });
      return result('Channels added.', updated.number);
    },
  );

  app.post(
    '/externalEvent',
    {
      config: { scope: 'customers:update' },
      schema: body(ExternalEventBody, 'externalEvent POST: add an event (an order, a marketing mail…) to the customer’s timeline', { 201: Result }),
    },
    async (request, reply) => {
      const ctx = ctxOf(request);
      const form = request.body as Form;
      const customer = await customerOfForm(ctx, request, form, ['customer', 'externalId'], 'customer_id');
      const event = await services.timeline.appendEvent(ctx, customer.id, { type: 'event', initiatedBy: form.initiated_by ?? '', message: form.message ?? '', sourceUrl: form.source_url });
      return reply.code(201).send(result('Event created.', customer.number, { event_id: event.id }));
    },
  );

  // ---- deletes ----

  app.delete(
    '/:id',
    {
      config: { scope: 'customers:delete' },
      schema: { tags, security, summary: 'item DELETE: delete a customer (soft: /v1 can restore it)', params: IdParams, response: { 200: Result, ...errors } },
    },
    async (request) => {
      const ctx = ctxOf(request);
      const customer = await findCustomer(ctx, { number: numberOf(request.params.id) });
      await customers.delete(ctx, customer.id, NO_IF_MATCH);
      return result('Customer deleted.', customer.number);
    },
  );

  app.delete(
    '/:id/channel/:channelId',
    {
      config: { scope: 'customers:update' },
      schema: { tags, security, summary: 'itemChannel DELETE: remove one of the customer’s channels', params: ChannelParams, response: { 200: Result, ...errors } },
    },
    async (request) => {
      const ctx = ctxOf(request);
      const customer = await findCustomer(ctx, { number: numberOf(request.params.id) });
      if (!UUID.test(request.params.channelId)) throw notFound('Channel');
      await customers.removeChannel(ctx, customer.id, request.params.channelId, NO_IF_MATCH);
      return result('Channel deleted.', customer.number);
    },
  );

  app.delete(
    '/:id/purgeData',
    {
      config: { scope: 'customers:purge' },
      schema: { tags, security, summary: 'itemPurgeData DELETE: erase the customer’s personal data (GDPR); a tombstone remains', params: IdParams, response: { 200: Result, ...errors } },
    },
    async (request) => {
      const ctx = ctxOf(request);
      // A deleted customer's data is erased too: erasure often follows a delete.
      const customer = await findCustomer(ctx, { number: numberOf(request.params.id) }, 'include');
      await customers.purge(ctx, customer.id);
      return result('Customer data purged.', customer.number);
    },
  );
};
