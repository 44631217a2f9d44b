import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { BrandIdSchema, BrandSchema, CreateBrandSchema, PatchBrandSchema } from '../../../core/brands/brand.model.js';
import type { Services } from '../../../services.js';

const Problem = Type.Ref('Problem');
const errors = { '4xx': Problem, '5xx': Problem };
const tags = ['admin'];
const Brand = Type.Ref(BrandSchema);
const TenantParams = Type.Object({ id: Type.String({ format: 'uuid', description: 'The tenant id.' }) }, { additionalProperties: false });
const BrandParams = Type.Object({ id: Type.String({ format: 'uuid', description: 'The tenant id.' }), brandId: BrandIdSchema }, { additionalProperties: false });

/** A tenant's brands (seed 003). Registered inside adminRoutes, behind its admin-token check. */
export const adminBrandRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  const { brands } = services;

  app.post(
    '/tenants/:id/brands',
    { schema: { tags, summary: 'Create a brand in a tenant', params: TenantParams, body: CreateBrandSchema, response: { 201: Brand, ...errors } } },
    async (request, reply) => {
      const brand = await brands.create(request.params.id, request.body);
      return reply.code(201).header('location', `/admin/v1/tenants/${request.params.id}/brands/${brand.id}`).send(brand);
    },
  );

  app.get(
    '/tenants/:id/brands',
    { schema: { tags, summary: 'List a tenant’s brands', params: TenantParams, response: { 200: Type.Object({ data: Type.Array(Brand) }), ...errors } } },
    async (request) => ({ data: await brands.list(request.params.id) }),
  );

  app.get(
    '/tenants/:id/brands/:brandId',
    { schema: { tags, summary: 'Get a brand', params: BrandParams, response: { 200: Brand, ...errors } } },
    async (request) => brands.get(request.params.id, request.params.brandId),
  );

  app.patch(
    '/tenants/:id/brands/:brandId',
    { schema: { tags, summary: 'Update a brand (name, CRM look-up URL, search by channel)', params: BrandParams, body: PatchBrandSchema, response: { 200: Brand, ...errors } } },
    async (request) => brands.update(request.params.id, request.params.brandId, request.body),
  );
};
