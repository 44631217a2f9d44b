import { Type, type Static } from '@sinclair/typebox';
import { LIMITS } from '../../core/customers/customer.model.js';

/**
 * Seed 001's wire shapes. The seed defines exactly two writable fields; anything else in a
 * body is refused (400), never silently dropped.
 */

/** The seed's status words (the core's soft delete is `deleted`; the core's `blocked` reads as `suspended`). */
export const SEED_STATUSES = ['active', 'inactive', 'deleted', 'suspended'] as const;
export type SeedStatus = (typeof SEED_STATUSES)[number];

// A plain `enum` (rather than a union of literals) so a wrong value yields one clear error.
export const SeedStatusSchema = Type.Unsafe<SeedStatus>({
  type: 'string',
  enum: [...SEED_STATUSES],
  description: `One of: ${SEED_STATUSES.join(', ')}.`,
});

export const CustomerSchema001 = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    externalId: Type.Union([Type.String(), Type.Null()], { description: 'null only for a customer created elsewhere without one.' }),
    status: SeedStatusSchema,
    createdAt: Type.String({ format: 'date-time' }),
  },
  { additionalProperties: false },
);
export type Customer001 = Static<typeof CustomerSchema001>;

export const CreateBody = Type.Object(
  {
    externalId: Type.String({ minLength: 1, maxLength: LIMITS.externalId, description: 'Unique in the tenant.' }),
    status: SeedStatusSchema,
  },
  { additionalProperties: false },
);

export const UpdateBody = Type.Object({ status: SeedStatusSchema }, { additionalProperties: false });

/**
 * A pattern rather than `format: 'uuid'`: ajv-formats' uuid also accepts a `urn:uuid:`
 * prefix, which the database then refuses. Any path parameter error is rendered INVALID_ID.
 */
export const UUID_PATTERN = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';
export const IdParams = Type.Object({ id: Type.String({ pattern: UUID_PATTERN, description: 'Customer unique ID (UUID).' }) }, { additionalProperties: false });

export const LIST_LIMIT = { default: 100, maximum: 1000 } as const;

/** Unknown query parameters are ignored (the seed defines none; `limit`/`offset` are Patron's). */
export const ListQuery = Type.Object(
  {
    limit: Type.Integer({ minimum: 1, maximum: LIST_LIMIT.maximum, default: LIST_LIMIT.default }),
    offset: Type.Integer({ minimum: 0, maximum: 2_147_483_647, default: 0 }),
  },
  { additionalProperties: true },
);

export const ErrorSchema001 = Type.Object(
  {
    error: Type.Object({
      code: Type.String(),
      message: Type.String(),
      details: Type.Array(Type.Object({ field: Type.String(), message: Type.String() })),
    }),
  },
  { description: "Seed 001's error body, for every error." },
);
