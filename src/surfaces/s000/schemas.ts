import { Type, type TSchema } from '@sinclair/typebox';
import { CUSTOMER_TYPES, LIMITS } from '../../core/customers/customer.model.js';

/**
 * Seed 000's wire shapes (docs/surfaces/000.md). Request bodies keep unknown members
 * (`additionalProperties: true`): a client that GETs a customer, edits it and PUTs it back
 * sends `_id`, `id`, `createdAt`, `updatedAt`, and fields of its own; those are ignored, and
 * only the fields below reach the core (mapping.ts). Lengths are the core's LIMITS.
 */

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const Text = (maxLength: number) => Type.String({ maxLength });

/** The seed's three status words; the core's `suspended` is shown as `blocked`. */
export const WIRE_STATUSES = ['active', 'inactive', 'blocked'] as const;
export type WireStatus = (typeof WIRE_STATUSES)[number];

export const WireStatusSchema = Type.Union(WIRE_STATUSES.map((s) => Type.Literal(s)));
export const WireTypeSchema = Type.Union(CUSTOMER_TYPES.map((t) => Type.Literal(t)));

/** The allowed words of each enumerated field, for the 400 message that names them. */
export const ENUM_FIELDS: Record<string, readonly string[]> = { status: WIRE_STATUSES, type: CUSTOMER_TYPES };

export const WireCustomerSchema = Type.Object(
  {
    _id: Type.String({ format: 'uuid' }),
    id: Type.String({ format: 'uuid' }),
    firstName: Nullable(Type.String()),
    lastName: Nullable(Type.String()),
    name: Nullable(Type.String()),
    email: Nullable(Type.String()),
    phone: Nullable(Type.String()),
    status: WireStatusSchema,
    type: WireTypeSchema,
    value: Type.Number(),
    autoPayment: Type.Boolean(),
    notes: Nullable(Type.String()),
    createdAt: Type.String({ format: 'date-time' }),
    updatedAt: Type.String({ format: 'date-time' }),
  },
  { additionalProperties: false },
);

/** Fields both POST and PUT accept (name and email are added per operation). */
const common = {
  firstName: Type.Optional(Nullable(Text(LIMITS.personName))),
  lastName: Type.Optional(Nullable(Text(LIMITS.personName))),
  phone: Type.Optional(Nullable(Text(LIMITS.phone))),
  status: Type.Optional(WireStatusSchema),
  type: Type.Optional(WireTypeSchema),
  value: Type.Optional(Type.Number()),
  autoPayment: Type.Optional(Type.Boolean()),
  notes: Type.Optional(Nullable(Text(LIMITS.notes))),
};

export const CreateBody = Type.Object(
  {
    name: Text(LIMITS.name),
    email: Text(LIMITS.email),
    ...common,
  },
  { additionalProperties: true },
);

/** Partial update: every field optional; `null` clears an optional field (name and email: see mapping.ts). */
export const UpdateBody = Type.Object(
  {
    name: Type.Optional(Nullable(Text(LIMITS.name))),
    email: Type.Optional(Nullable(Text(LIMITS.email))),
    ...common,
  },
  { additionalProperties: true },
);

export const StatusBody = Type.Object({ status: WireStatusSchema }, { additionalProperties: true });

export const DEFAULT_LIMIT = 50;

export const ListQuery = Type.Object(
  {
    limit: Type.Integer({ minimum: 1, maximum: 100, default: DEFAULT_LIMIT, description: 'Page size, 1–100.' }),
    offset: Type.Optional(Type.Integer({ minimum: 0, description: 'Customers to skip.' })),
    page: Type.Optional(Type.Integer({ minimum: 1, description: '1-based page number (instead of offset).' })),
  },
  { additionalProperties: true },
);

/** A path id: any text; one that is not a UUID is answered like an unknown id (404). */
export const IdParams = Type.Object({ id: Type.String() });

export const ErrorBodySchema = Type.Object({
  success: Type.Literal(false),
  error: Type.Object({
    code: Type.String(),
    message: Type.String(),
    details: Type.Array(Type.Object({ field: Type.String(), message: Type.String() })),
    requestId: Type.String(),
  }),
});

export const DeletedBody = Type.Object({ success: Type.Literal(true) });
