import { Type, type Static } from '@sinclair/typebox';

/** Brands inside a tenant (seed 003): a customer may belong to one. */

export const BRAND_LIMITS = { name: 200, crmLookupUrl: 2048 } as const;

/** Brand ids are global identities, so they fit in a bigint but never past JavaScript's safe integers. */
export const BrandIdSchema = Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: 'A brand id of the tenant (`GET /v1/brands`).' });

const CrmLookupUrl = Type.String({
  maxLength: BRAND_LIMITS.crmLookupUrl,
  description: 'Absolute http(s) URL of the brand’s CRM look-up, called as `GET <url>?channel=…&address=…&brandId=…`.',
});

export const BrandSchema = Type.Object(
  {
    id: Type.Integer(),
    name: Type.String(),
    crmLookupUrl: Type.Union([Type.String(), Type.Null()]),
    searchCustomersByChannel: Type.Boolean({ description: 'Seed 003’s “customer search by channels”: a channel value may identify the customer instead of its external id.' }),
    createdAt: Type.String({ format: 'date-time' }),
    updatedAt: Type.String({ format: 'date-time' }),
  },
  { $id: 'Brand', additionalProperties: false },
);

export const CreateBrandSchema = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: BRAND_LIMITS.name }),
    crmLookupUrl: Type.Optional(Type.Union([CrmLookupUrl, Type.Null()])),
    searchCustomersByChannel: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

export const PatchBrandSchema = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: BRAND_LIMITS.name })),
    crmLookupUrl: Type.Optional(Type.Union([CrmLookupUrl, Type.Null()], { description: '`null` removes it.' })),
    searchCustomersByChannel: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

export type Brand = Static<typeof BrandSchema>;
export type CreateBrand = Static<typeof CreateBrandSchema>;
export type PatchBrand = Static<typeof PatchBrandSchema>;
