import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { BrandIdSchema, BrandSchema } from '../../../core/brands/brand.model.js';
import { CustomerSchema } from '../../../core/customers/customer.model.js';
import type { Services } from '../../../services.js';
import { ctxOf } from '../../auth.js';
import { etagOf } from '../../conditional.js';

const Problem = Type.Ref('Problem');
const errors = { '4xx': Problem, '5xx': Problem };
const tags = ['brands'];
const BrandParams = Type.Object({ brandId: BrandIdSchema }, { additionalProperties: false });

const CrmSyncBody = Type.Object(
  {
    channel: Type.String({ minLength: 1, maxLength: 32, description: 'The channel the address is on: `email`, `telephone` (or `phone`, `phoneNumber`), `whatsapp`, `facebook`, `twitter`, or a channel type number.' }),
    address: Type.String({ minLength: 1, maxLength: 320, description: 'The e-mail address, phone number or handle to look up.' }),
  },
  { additionalProperties: false },
);
const CrmSyncResult = Type.Object({
  customer: Type.Ref(CustomerSchema),
  created: Type.Boolean(),
  matchedBy: Type.Union([Type.Literal('externalId'), Type.Literal('channel'), Type.Null()], { description: 'How the existing customer was found; null when the sync created it.' }),
});

/**
 * The tenant's brands, read-only (API clients need their ids; the admin API manages them),
 * and the look-up of a customer in a brand's CRM.
 */
export const v1BrandRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  const { brands } = services;

  app.get(
    '/brands',
    { config: { scope: 'customers:read' }, schema: { tags, summary: 'List the tenant’s brands', response: { 200: Type.Object({ data: Type.Array(Type.Ref(BrandSchema)) }), ...errors } } },
    async (request) => ({ data: await brands.list(ctxOf(request)) }),
  );

  app.get(
    '/brands/:brandId',
    { config: { scope: 'customers:read' }, schema: { tags, summary: 'Get a brand', params: BrandParams, response: { 200: Type.Ref(BrandSchema), ...errors } } },
    async (request) => brands.get(ctxOf(request), request.params.brandId),
  );

  app.post(
    '/brands/:brandId/crm-sync',
    {
      config: { scope: ['customers:create', 'customers:update'] },
      schema: {
        tags,
        summary: 'Look a customer up in the brand’s CRM and create or update it',
        description:
          'Calls the brand’s `crmLookupUrl` (`GET <url>?channel=…&address=…&brandId=…`) and creates (201) or updates (200) the customer from its answer, matched by the externalId it gives, else by the channel value. A CRM that fails changes nothing: 502 `crm_unavailable` / `crm_bad_response`, 504 `crm_timeout`; a CRM that knows no such customer: 404; no CRM configured: 409 `crm_not_configured`.',
        params: BrandParams,
        body: CrmSyncBody,
        response: { 200: CrmSyncResult, 201: CrmSyncResult, ...errors },
      },
    },
    async (request, reply) => {
      const result = await services.crm.sync(ctxOf(request), { brandId: request.params.brandId, ...request.body });
      reply.header('etag', etagOf(result.customer.version));
      if (result.created) reply.header('location', `/v1/customers/${result.customer.id}`);
      return reply.code(result.created ? 201 : 200).send(result);
    },
  );
};
