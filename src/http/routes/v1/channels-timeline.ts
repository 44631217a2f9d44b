import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply } from 'fastify';
import { ChannelCreateSchema, ChannelSchema, ChannelUpdateSchema, CustomerEventSchema, ExternalEventInputSchema, TicketLinkInputSchema, TicketLinkSchema, TIMELINE_LIMITS } from '../../../core/customers/customer.model.js';
import { notFound } from '../../../core/errors.js';
import type { Services } from '../../../services.js';
import { ctxOf } from '../../auth.js';
import { etagOf, parseIfMatch } from '../../conditional.js';
import { IdParams, IfMatchHeader } from '../../schemas/common.js';

const Problem = Type.Ref('Problem');
const errors = { '4xx': Problem, '5xx': Problem };
const Channel = Type.Ref(ChannelSchema);
const TicketLink = Type.Ref(TicketLinkSchema);
const uuid = (description: string) => Type.String({ format: 'uuid', description });
const ChannelParams = Type.Object({ id: uuid('The customer id.'), channelId: uuid('The channel id.') }, { additionalProperties: false });
const TicketParams = Type.Object(
  { id: uuid('The customer id.'), ticketId: Type.String({ minLength: 1, maxLength: TIMELINE_LIMITS.ticketId, description: 'The ticket id (URL-encoded).' }) },
  { additionalProperties: false },
);
const etag = (reply: FastifyReply, version: number) => reply.header('etag', etagOf(version));

/**
 * A customer's channels as records of their own, external events on its timeline, and its
 * ticket links. Channel writes are customer writes (If-Match, version, ETag of the customer);
 * events and ticket links are not (see core/customers/timeline.service.ts).
 */
export const v1ChannelTimelineRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  const { customers, timeline } = services;

  app.get(
    '/customers/:id/channels',
    {
      config: { scope: 'customers:read' },
      schema: { tags: ['channels'], summary: 'List a customer’s channels', params: IdParams, response: { 200: Type.Object({ data: Type.Array(Channel) }), ...errors } },
    },
    async (request, reply) => {
      const { customer, channels } = await customers.channels(ctxOf(request), request.params.id);
      return etag(reply, customer.version).send({ data: channels });
    },
  );

  app.get(
    '/customers/:id/channels/:channelId',
    { config: { scope: 'customers:read' }, schema: { tags: ['channels'], summary: 'Get a channel', params: ChannelParams, response: { 200: Channel, ...errors } } },
    async (request, reply) => {
      const { customer, channels } = await customers.channels(ctxOf(request), request.params.id);
      const channel = channels.find((c) => c.id === request.params.channelId);
      if (!channel) throw notFound('Channel');
      return etag(reply, customer.version).send(channel);
    },
  );

  app.post(
    '/customers/:id/channels',
    {
      config: { scope: 'customers:update' },
      schema: {
        tags: ['channels'],
        summary: 'Add a channel to a customer',
        description: 'A customer write, like a PATCH of the field the channel belongs to (`email`, `additionalPhones`, `handles`, …). A value the customer already has is not added twice: 200 with that channel (`primary` applied if given).',
        params: IdParams,
        headers: IfMatchHeader,
        body: ChannelCreateSchema,
        response: { 201: Channel, 200: Channel, ...errors },
      },
    },
    async (request, reply) => {
      const { customer, channel, created } = await customers.addChannel(ctxOf(request), request.params.id, request.body, { ifMatch: parseIfMatch(request.headers['if-match']) });
      if (created) reply.header('location', `/v1/customers/${customer.id}/channels/${channel.id}`);
      return etag(reply, customer.version).code(created ? 201 : 200).send(channel);
    },
  );

  app.patch(
    '/customers/:id/channels/:channelId',
    {
      config: { scope: 'customers:update' },
      schema: { tags: ['channels'], summary: 'Change a channel (it keeps its id)', params: ChannelParams, headers: IfMatchHeader, body: ChannelUpdateSchema, response: { 200: Channel, ...errors } },
    },
    async (request, reply) => {
      const { customer, channel } = await customers.updateChannel(ctxOf(request), request.params.id, request.params.channelId, request.body, {
        ifMatch: parseIfMatch(request.headers['if-match']),
      });
      return etag(reply, customer.version).send(channel);
    },
  );

  app.delete(
    '/customers/:id/channels/:channelId',
    {
      config: { scope: 'customers:update' },
      schema: { tags: ['channels'], summary: 'Remove a channel', params: ChannelParams, headers: IfMatchHeader, response: { 204: Type.Null(), ...errors } },
    },
    async (request, reply) => {
      const customer = await customers.removeChannel(ctxOf(request), request.params.id, request.params.channelId, { ifMatch: parseIfMatch(request.headers['if-match']) });
      return etag(reply, customer.version).code(204).send(null);
    },
  );

  app.post(
    '/customers/:id/events',
    {
      config: { scope: 'customers:update' },
      schema: {
        tags: ['timeline'],
        summary: 'Append an external event to the customer’s timeline',
        description: 'Stored as `external.<type>` with `details: {initiatedBy, message, sourceUrl}`. Not a change of the customer: its version stays. A purged customer refuses events (409).',
        params: IdParams,
        body: ExternalEventInputSchema,
        response: { 201: Type.Ref(CustomerEventSchema), ...errors },
      },
    },
    async (request, reply) => reply.code(201).send(await timeline.appendEvent(ctxOf(request), request.params.id, request.body)),
  );

  app.get(
    '/customers/:id/tickets',
    {
      config: { scope: 'customers:read' },
      schema: { tags: ['timeline'], summary: 'The customer’s ticket links, oldest first', params: IdParams, response: { 200: Type.Object({ data: Type.Array(TicketLink) }), ...errors } },
    },
    async (request) => ({ data: await timeline.tickets(ctxOf(request), request.params.id) }),
  );

  app.post(
    '/customers/:id/tickets',
    {
      config: { scope: 'customers:update' },
      schema: {
        tags: ['timeline'],
        summary: 'Link the customer to a ticket',
        description: 'Linking a ticket already linked is 200 with the existing link.',
        params: IdParams,
        body: TicketLinkInputSchema,
        response: { 201: TicketLink, 200: TicketLink, ...errors },
      },
    },
    async (request, reply) => {
      const { link, created } = await timeline.linkTicket(ctxOf(request), request.params.id, request.body.ticketId);
      return reply.code(created ? 201 : 200).send(link);
    },
  );

  app.delete(
    '/customers/:id/tickets/:ticketId',
    { config: { scope: 'customers:update' }, schema: { tags: ['timeline'], summary: 'Unlink a ticket', params: TicketParams, response: { 204: Type.Null(), ...errors } } },
    async (request, reply) => {
      await timeline.unlinkTicket(ctxOf(request), request.params.id, request.params.ticketId);
      return reply.code(204).send(null);
    },
  );
};
