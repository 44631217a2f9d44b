import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { AccountAddressInputSchema, AccountAddressSchema, AccountSchema, CreateAccountSchema } from '../../../core/accounts/account.model.js';
import type { Services } from '../../../services.js';
import { ctxOf } from '../../auth.js';

const Problem = Type.Ref('Problem');
const errors = { '4xx': Problem, '5xx': Problem };
const tags = ['accounts'];
const uuid = (description: string) => Type.String({ format: 'uuid', description });
const CustomerParams = Type.Object({ id: uuid('The customer id.') }, { additionalProperties: false });
const AccountParams = Type.Object({ id: uuid('The customer id.'), accountId: uuid('The account id.') }, { additionalProperties: false });
const AddressParams = Type.Object({ id: uuid('The customer id.'), accountId: uuid('The account id.'), addressId: uuid('The address id.') }, { additionalProperties: false });

/** Accounts (e.g. wallets) a customer holds, each with addresses on a network. */
export const v1AccountRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  const { accounts } = services;

  app.post(
    '/customers/:id/accounts',
    { config: { scope: 'customers:update' }, schema: { tags, summary: 'Add an account to a customer', params: CustomerParams, body: CreateAccountSchema, response: { 201: Type.Ref(AccountSchema), ...errors } } },
    async (request, reply) => {
      const account = await accounts.create(ctxOf(request), request.params.id, request.body);
      return reply.code(201).header('location', `/v1/customers/${request.params.id}/accounts/${account.id}`).send(account);
    },
  );

  app.get(
    '/customers/:id/accounts',
    { config: { scope: 'customers:read' }, schema: { tags, summary: 'List a customer’s accounts', params: CustomerParams, response: { 200: Type.Object({ data: Type.Array(Type.Ref(AccountSchema)) }), ...errors } } },
    async (request) => ({ data: await accounts.list(ctxOf(request), request.params.id) }),
  );

  app.get(
    '/customers/:id/accounts/:accountId',
    { config: { scope: 'customers:read' }, schema: { tags, summary: 'Get an account', params: AccountParams, response: { 200: Type.Ref(AccountSchema), ...errors } } },
    async (request) => accounts.get(ctxOf(request), request.params.id, request.params.accountId),
  );

  app.delete(
    '/customers/:id/accounts/:accountId',
    { config: { scope: 'customers:update' }, schema: { tags, summary: 'Remove an account and its addresses', params: AccountParams, response: { 204: Type.Null(), ...errors } } },
    async (request, reply) => {
      await accounts.delete(ctxOf(request), request.params.id, request.params.accountId);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/customers/:id/accounts/:accountId/addresses',
    {
      config: { scope: 'customers:update' },
      schema: { tags, summary: 'Add an address to an account', params: AccountParams, body: AccountAddressInputSchema, response: { 201: Type.Ref(AccountAddressSchema), ...errors } },
    },
    async (request, reply) => reply.code(201).send(await accounts.addAddress(ctxOf(request), request.params.id, request.params.accountId, request.body)),
  );

  app.get(
    '/customers/:id/accounts/:accountId/addresses',
    { config: { scope: 'customers:read' }, schema: { tags, summary: 'List an account’s addresses', params: AccountParams, response: { 200: Type.Object({ data: Type.Array(Type.Ref(AccountAddressSchema)) }), ...errors } } },
    async (request) => ({ data: (await accounts.get(ctxOf(request), request.params.id, request.params.accountId)).addresses }),
  );

  app.delete(
    '/customers/:id/accounts/:accountId/addresses/:addressId',
    { config: { scope: 'customers:update' }, schema: { tags, summary: 'Remove an address from an account', params: AddressParams, response: { 204: Type.Null(), ...errors } } },
    async (request, reply) => {
      await accounts.removeAddress(ctxOf(request), request.params.id, request.params.accountId, request.params.addressId);
      return reply.code(204).send(null);
    },
  );
};
