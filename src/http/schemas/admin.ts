import { Type, type Static } from '@sinclair/typebox';
import { GRANTABLE_SCOPES } from '../../core/auth/scopes.js';

const Nullable = <T extends ReturnType<typeof Type.String> | ReturnType<typeof Type.Boolean>>(s: T) => Type.Union([s, Type.Null()]);

export const TenantSettingsSchema = Type.Object(
  {
    requireIfMatch: Type.Optional(Type.Boolean({ description: 'Refuse PATCH/DELETE/restore without If-Match (428).' })),
    defaultPhoneCountry: Type.Optional(Type.String({ pattern: '^[A-Z]{2}$', description: 'Country (ISO 3166-1 alpha-2) for phone numbers written without +.' })),
    writesDisabled: Type.Optional(Type.Boolean({ description: 'Maintenance: customer writes answer 503 with Retry-After while reads go on.' })),
  },
  { additionalProperties: false },
);

export const TenantSchema = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    number: Type.Integer(),
    name: Type.String(),
    status: Type.Union([Type.Literal('active'), Type.Literal('suspended')]),
    settings: TenantSettingsSchema,
    createdAt: Type.String({ format: 'date-time' }),
    updatedAt: Type.String({ format: 'date-time' }),
  },
  { $id: 'Tenant', additionalProperties: false },
);

export const CreateTenantBody = Type.Object(
  { name: Type.String({ minLength: 1, maxLength: 200 }), settings: Type.Optional(TenantSettingsSchema) },
  { additionalProperties: false },
);

export const PatchTenantBody = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    status: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('suspended')])),
    settings: Type.Optional(
      Type.Object(
        {
          requireIfMatch: Type.Optional(Nullable(Type.Boolean())),
          defaultPhoneCountry: Type.Optional(Nullable(Type.String({ pattern: '^[A-Z]{2}$' }))),
          writesDisabled: Type.Optional(Nullable(Type.Boolean())),
        },
        { additionalProperties: false, description: 'Merged into the current settings; null removes a setting.' },
      ),
    ),
  },
  { additionalProperties: false },
);

export const ScopeSchema = Type.Union(GRANTABLE_SCOPES.map((s) => Type.Literal(s)), {
  description: 'A Patron scope, or a seed API\'s name for one (`customer:read`, `CUSTOMER_CUD`, …).',
});

export const CreateTokenBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100 }),
    scopes: Type.Array(ScopeSchema, { minItems: 1, uniqueItems: true }),
    expiresAt: Type.Optional(Type.Union([Type.String({ format: 'date-time' }), Type.Null()])),
  },
  { additionalProperties: false },
);

export const TokenSchema = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    tenantId: Type.String({ format: 'uuid' }),
    name: Type.String(),
    scopes: Type.Array(Type.String()),
    hint: Type.String({ description: 'The last four characters of the secret.' }),
    expiresAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    lastUsedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    revokedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    createdAt: Type.String({ format: 'date-time' }),
  },
  { $id: 'ApiToken', additionalProperties: false },
);

export const CreatedTokenSchema = Type.Composite([TokenSchema, Type.Object({ token: Type.String({ description: 'The secret. Shown only in this response.' }) })], {
  additionalProperties: false,
});

export type TenantDto = Static<typeof TenantSchema>;
export type TokenDto = Static<typeof TokenSchema>;

export const CreateOAuthClientBody = Type.Object(
  { name: Type.String({ minLength: 1, maxLength: 100 }), scopes: Type.Array(ScopeSchema, { minItems: 1, uniqueItems: true }) },
  { additionalProperties: false },
);

export const OAuthClientSchema = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    tenantId: Type.String({ format: 'uuid' }),
    clientId: Type.String({ description: 'The public client id (`pcl_…`), sent to /oauth/token.' }),
    name: Type.String(),
    scopes: Type.Array(Type.String()),
    revokedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    createdAt: Type.String({ format: 'date-time' }),
  },
  { $id: 'OAuthClient', additionalProperties: false },
);

export const CreatedOAuthClientSchema = Type.Composite(
  [OAuthClientSchema, Type.Object({ clientSecret: Type.String({ description: 'The client secret. Shown only in this response.' }) })],
  { additionalProperties: false },
);

export type OAuthClientDto = Static<typeof OAuthClientSchema>;
