import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { ApiToken } from '../../../core/auth/token.service.js';
import { createToken, listTokens, revokeToken } from '../../../core/auth/token.service.js';
import { isAdminSecret } from '../../../core/auth/admin-token.js';
import type { Tenant } from '../../../core/context.js';
import { AppError } from '../../../core/errors.js';
import { createTenant, getTenant, listTenants, updateTenant } from '../../../core/tenants/tenant.service.js';
import type { Services } from '../../../services.js';
import { bearerSecret } from '../../auth.js';
import { Limit } from '../../schemas/common.js';
import {
  CreatedOAuthClientSchema,
  CreatedTokenSchema,
  CreateOAuthClientBody,
  CreateTenantBody,
  CreateTokenBody,
  OAuthClientSchema,
  PatchTenantBody,
  TenantSchema,
  TokenSchema,
  type OAuthClientDto,
  type TenantDto,
  type TokenDto,
} from '../../schemas/admin.js';
import { createClient, listClients, revokeClient, type OAuthClient } from '../../../core/auth/oauth.service.js';
import { adminBrandRoutes } from './brands.js';

const Problem = Type.Ref('Problem');
const errors = { '4xx': Problem, '5xx': Problem };
const TenantParams = Type.Object({ id: Type.String({ format: 'uuid' }) }, { additionalProperties: false });

export function tenantDto(t: Tenant): TenantDto {
  return { id: t.id, number: t.number, name: t.name, status: t.status, settings: t.settings, createdAt: t.createdAt.toISOString(), updatedAt: t.updatedAt.toISOString() };
}

export function oauthClientDto(c: OAuthClient): OAuthClientDto {
  return { id: c.id, tenantId: c.tenantId, clientId: c.clientId, name: c.name, scopes: c.scopes, revokedAt: c.revokedAt?.toISOString() ?? null, createdAt: c.createdAt.toISOString() };
}

export function tokenDto(t: ApiToken): TokenDto {
  return {
    id: t.id,
    tenantId: t.tenantId,
    name: t.name,
    scopes: t.scopes,
    hint: t.hint,
    expiresAt: t.expiresAt?.toISOString() ?? null,
    lastUsedAt: t.lastUsedAt?.toISOString() ?? null,
    revokedAt: t.revokedAt?.toISOString() ?? null,
    createdAt: t.createdAt.toISOString(),
  };
}

/** The installation's admin API: tenants and their tokens, behind PATRON_ADMIN_TOKEN. */
export const adminRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  const { db } = services;
  const tags = ['admin'];
  // Revocations and tenant changes must not wait for remembered verdicts to expire.
  const invalidating = <T>(result: T): T => {
    services.authenticator.invalidate();
    return result;
  };

  app.addHook('onRequest', async (request) => {
    const secret = bearerSecret(request);
    if (!secret) throw new AppError('unauthenticated', 'The admin token is required.');
    if (!isAdminSecret(secret, services.adminTokenHash)) throw new AppError('unauthenticated', 'The admin token is invalid.');
  });

  app.post(
    '/tenants',
    { schema: { tags, summary: 'Create a tenant', body: CreateTenantBody, response: { 201: Type.Ref(TenantSchema), ...errors } } },
    async (request, reply) => {
      const tenant = await createTenant(db, request.body);
      return reply.code(201).header('location', `/admin/v1/tenants/${tenant.id}`).send(tenantDto(tenant));
    },
  );

  app.get(
    '/tenants',
    {
      schema: {
        tags,
        summary: 'List tenants',
        querystring: Type.Object({ limit: Limit(100), afterNumber: Type.Optional(Type.Integer({ minimum: 0, maximum: 2_147_483_647 })) }, { additionalProperties: false }),
        response: { 200: Type.Object({ data: Type.Array(Type.Ref(TenantSchema)), hasMore: Type.Boolean() }), ...errors },
      },
    },
    async (request) => {
      const rows = await listTenants(db, { limit: request.query.limit + 1, afterNumber: request.query.afterNumber });
      return { data: rows.slice(0, request.query.limit).map(tenantDto), hasMore: rows.length > request.query.limit };
    },
  );

  app.get(
    '/tenants/:id',
    { schema: { tags, summary: 'Get a tenant', params: TenantParams, response: { 200: Type.Ref(TenantSchema), ...errors } } },
    async (request) => tenantDto(await getTenant(db, request.params.id)),
  );

  app.patch(
    '/tenants/:id',
    { schema: { tags, summary: 'Update a tenant (name, status, settings)', params: TenantParams, body: PatchTenantBody, response: { 200: Type.Ref(TenantSchema), ...errors } } },
    async (request) => tenantDto(invalidating(await updateTenant(db, request.params.id, request.body))),
  );

  app.post(
    '/tenants/:id/tokens',
    {
      schema: {
        tags,
        summary: 'Create an API token (the secret is shown once)',
        params: TenantParams,
        body: CreateTokenBody,
        response: { 201: CreatedTokenSchema, ...errors },
      },
    },
    async (request, reply) => {
      const { expiresAt, ...rest } = request.body;
      const { token, secret } = await createToken(db, request.params.id, { ...rest, expiresAt: expiresAt ? new Date(expiresAt) : null });
      return reply.code(201).send({ ...tokenDto(token), token: secret });
    },
  );

  app.get(
    '/tenants/:id/tokens',
    { schema: { tags, summary: 'List a tenant’s tokens (never their secrets)', params: TenantParams, response: { 200: Type.Object({ data: Type.Array(Type.Ref(TokenSchema)) }), ...errors } } },
    async (request) => ({ data: (await listTokens(db, request.params.id)).map(tokenDto) }),
  );

  app.delete(
    '/tokens/:id',
    { schema: { tags, summary: 'Revoke a token', params: TenantParams, response: { 200: Type.Ref(TokenSchema), ...errors } } },
    async (request) => tokenDto(invalidating(await revokeToken(db, request.params.id))),
  );

  app.post(
    '/tenants/:id/oauth-clients',
    {
      schema: {
        tags,
        summary: 'Create an OAuth client for the client-credentials grant (the secret is shown once)',
        params: TenantParams,
        body: CreateOAuthClientBody,
        response: { 201: CreatedOAuthClientSchema, ...errors },
      },
    },
    async (request, reply) => {
      const { client, secret } = await createClient(db, request.params.id, request.body);
      return reply.code(201).send({ ...oauthClientDto(client), clientSecret: secret });
    },
  );

  app.get(
    '/tenants/:id/oauth-clients',
    { schema: { tags, summary: 'List a tenant’s OAuth clients (never their secrets)', params: TenantParams, response: { 200: Type.Object({ data: Type.Array(Type.Ref(OAuthClientSchema)) }), ...errors } } },
    async (request) => ({ data: (await listClients(db, request.params.id)).map(oauthClientDto) }),
  );

  app.delete(
    '/oauth-clients/:id',
    { schema: { tags, summary: 'Revoke an OAuth client (its access tokens stop working at once)', params: TenantParams, response: { 200: Type.Ref(OAuthClientSchema), ...errors } } },
    async (request) => oauthClientDto(invalidating(await revokeClient(db, request.params.id))),
  );

  await app.register(adminBrandRoutes, { services });
};
