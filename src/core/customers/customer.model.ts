import { Type, type Static, type TNull, type TSchema, type TUnion } from '@sinclair/typebox';

/**
 * The customer as Patron's API presents it. These schemas are the single description of
 * the model: /v1 validates requests and documents itself with them, and the core's types
 * are derived from them.
 */

/**
 * `T | null`. Scalars are written with a type array (`{"type": ["string", "null"]}`) rather
 * than `anyOf`: the same contract for validators and OpenAPI 3.1, but the response serializer
 * (fast-json-stringify) handles a type array much faster than a union, on every field of every
 * customer it writes.
 */
const Nullable = <T extends TSchema>(schema: T): TUnion<[T, TNull]> => {
  const type = (schema as { type?: unknown }).type;
  if (type === 'string' || type === 'number' || type === 'integer' || type === 'boolean') {
    return Type.Unsafe<Static<T> | null>({ ...schema, type: [type, 'null'] }) as unknown as TUnion<[T, TNull]>;
  }
  return Type.Union([schema, Type.Null()]);
};
const Text = (maxLength: number, extra: object = {}) => Type.String({ maxLength, ...extra });

export const CUSTOMER_TYPES = ['individual', 'business'] as const;
export const CUSTOMER_STATUSES = ['active', 'inactive', 'suspended', 'blocked'] as const;
/** The business relationship: an ordinary customer, or a broker / third-party logistics partner (seed 004). */
export const CUSTOMER_CATEGORIES = ['customer', 'broker_3pl'] as const;
export type CustomerType = (typeof CUSTOMER_TYPES)[number];
export type CustomerCategory = (typeof CUSTOMER_CATEGORIES)[number];
export type CustomerStatus = (typeof CUSTOMER_STATUSES)[number];

export const LIMITS = {
  name: 200,
  // As long as a name: first and last names are derived from `name` when only it is given.
  personName: 200,
  externalId: 100,
  companyNumber: 32,
  email: 254,
  phone: 32,
  additionalChannels: 10,
  handles: 20,
  handle: 200,
  notes: 10_000,
  source: 50,
  customFieldCount: 50,
  customFieldKey: 64,
  customFieldValueBytes: 2_048,
  customFieldsTotalBytes: 16_384,
} as const;

export const CustomerTypeSchema = Type.Union(CUSTOMER_TYPES.map((t) => Type.Literal(t)));
export const CustomerStatusSchema = Type.Union(CUSTOMER_STATUSES.map((s) => Type.Literal(s)));
export const CustomerCategorySchema = Type.Union(CUSTOMER_CATEGORIES.map((c) => Type.Literal(c)));

export const BillingAddressSchema = Type.Object(
  {
    line1: Type.Optional(Nullable(Text(200))),
    line2: Type.Optional(Nullable(Text(200))),
    city: Type.Optional(Nullable(Text(100))),
    state: Type.Optional(Nullable(Text(100))),
    postalCode: Type.Optional(Nullable(Text(20))),
    country: Type.Optional(Nullable(Type.String({ pattern: '^[A-Za-z]{2}$', description: 'ISO 3166-1 alpha-2 code' }))),
  },
  { additionalProperties: false },
);

export const LocationSchema = Type.Object(
  {
    city: Type.Optional(Nullable(Text(100))),
    country: Type.Optional(Nullable(Text(100))),
    description: Type.Optional(Nullable(Text(500))),
    latitude: Type.Optional(Nullable(Type.Number({ minimum: -90, maximum: 90 }))),
    longitude: Type.Optional(Nullable(Type.Number({ minimum: -180, maximum: 180 }))),
  },
  { additionalProperties: false },
);

/** A handle's network (`twitter`, `facebook`, …): a key of `handles`, a channel's label. */
export const HANDLE_NETWORK = '^[a-z][a-z0-9_]{0,31}$';

/** Writable fields. Every one may be `null` (cleared); in a merge patch, an absent field is unchanged. */
export const CustomerWriteSchema = Type.Object(
  {
    name: Type.Optional(Nullable(Text(LIMITS.name))),
    firstName: Type.Optional(Nullable(Text(LIMITS.personName))),
    lastName: Type.Optional(Nullable(Text(LIMITS.personName))),
    type: Type.Optional(CustomerTypeSchema),
    category: Type.Optional(CustomerCategorySchema),
    status: Type.Optional(CustomerStatusSchema),
    companyId: Type.Optional(Nullable(Type.String({ format: 'uuid', description: 'The company (a business customer of the same tenant) this customer belongs to.' }))),
    brandId: Type.Optional(Nullable(Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: 'The brand (of the same tenant) the customer belongs to.' }))),
    externalId: Type.Optional(Nullable(Text(LIMITS.externalId, { minLength: 1 }))),
    companyNumber: Type.Optional(Nullable(Text(LIMITS.companyNumber, { minLength: 1 }))),
    email: Type.Optional(Nullable(Text(LIMITS.email))),
    phone: Type.Optional(Nullable(Text(LIMITS.phone))),
    additionalEmails: Type.Optional(Nullable(Type.Array(Text(LIMITS.email), { maxItems: LIMITS.additionalChannels }))),
    additionalPhones: Type.Optional(Nullable(Type.Array(Text(LIMITS.phone), { maxItems: LIMITS.additionalChannels }))),
    whatsapp: Type.Optional(Nullable(Text(LIMITS.phone))),
    handles: Type.Optional(
      Nullable(
        Type.Object({}, {
          patternProperties: { [HANDLE_NETWORK]: Nullable(Text(LIMITS.handle)) },
          additionalProperties: false,
          maxProperties: LIMITS.handles,
          description: 'Other channels by network, e.g. `{"twitter": "@jane"}`.',
        }),
      ),
    ),
    fax: Type.Optional(Nullable(Text(LIMITS.phone))),
    billingAddress: Type.Optional(Nullable(BillingAddressSchema)),
    location: Type.Optional(Nullable(LocationSchema)),
    ip: Type.Optional(Nullable(Text(45, { description: 'IPv4 or IPv6 address' }))),
    source: Type.Optional(Nullable(Text(LIMITS.source, { description: 'Where the customer came from, e.g. `web`, `api`.' }))),
    value: Type.Optional(Nullable(Type.Number())),
    autoPayment: Type.Optional(Nullable(Type.Boolean())),
    notes: Type.Optional(Nullable(Text(LIMITS.notes))),
    customFields: Type.Optional(
      Nullable(
        Type.Record(Type.String(), Type.Unknown(), {
          description: `Key/value data: at most ${LIMITS.customFieldCount} keys matching ^[A-Za-z][A-Za-z0-9_]*$ (≤ ${LIMITS.customFieldKey} chars), each value ≤ ${LIMITS.customFieldValueBytes} bytes of JSON, ${LIMITS.customFieldsTotalBytes} bytes in all. Patched per key (RFC 7396). Once the tenant defines custom fields (/v1/custom-fields), every key a write sets must be defined and its value fit the definition's type.`,
        }),
      ),
    ),
  },
  { additionalProperties: false },
);

export type CustomerWrite = Static<typeof CustomerWriteSchema>;
export type BillingAddress = Static<typeof BillingAddressSchema>;
export type Location = Static<typeof LocationSchema>;

/** Fields that appear in a customer but are managed by Patron: a write naming them is refused. */
export const READ_ONLY_FIELDS = ['id', 'number', 'version', 'createdAt', 'updatedAt', 'deletedAt', 'purgedAt'] as const;

export const CustomerSchema = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    number: Type.Integer({ description: 'Per-tenant integer number, unique in the tenant.' }),
    name: Nullable(Type.String()),
    firstName: Nullable(Type.String()),
    lastName: Nullable(Type.String()),
    type: CustomerTypeSchema,
    category: CustomerCategorySchema,
    status: CustomerStatusSchema,
    companyId: Nullable(Type.String({ format: 'uuid' })),
    brandId: Nullable(Type.Integer()),
    externalId: Nullable(Type.String()),
    companyNumber: Nullable(Type.String()),
    email: Nullable(Type.String({ description: 'Primary email, lower-cased.' })),
    phone: Nullable(Type.String({ description: 'Primary phone in E.164.' })),
    additionalEmails: Type.Array(Type.String()),
    additionalPhones: Type.Array(Type.String()),
    whatsapp: Nullable(Type.String()),
    handles: Type.Record(Type.String(), Type.String()),
    fax: Nullable(Type.String()),
    billingAddress: Nullable(BillingAddressSchema),
    location: Nullable(LocationSchema),
    ip: Nullable(Type.String()),
    source: Nullable(Type.String()),
    value: Nullable(Type.Number()),
    autoPayment: Nullable(Type.Boolean()),
    notes: Nullable(Type.String()),
    customFields: Type.Record(Type.String(), Type.Unknown()),
    version: Type.Integer(),
    createdAt: Type.String({ format: 'date-time' }),
    updatedAt: Type.String({ format: 'date-time' }),
    deletedAt: Nullable(Type.String({ format: 'date-time' })),
    purgedAt: Nullable(Type.String({ format: 'date-time' })),
  },
  { $id: 'Customer', additionalProperties: false },
);

export type Customer = Static<typeof CustomerSchema>;

export const CustomerEventSchema = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    customerId: Type.String({ format: 'uuid' }),
    type: Type.String({ examples: ['customer.created', 'customer.updated', 'customer.channel_added', 'customer.ticket_linked', 'external.order'] }),
    actor: Type.Object({ type: Type.String(), id: Nullable(Type.String()) }),
    changes: Type.Record(Type.String(), Type.Unknown(), {
      description: 'Per changed field: `{"from": …, "to": …}`. After a purge, only `{"redacted": true}`.',
    }),
    details: Nullable(
      Type.Record(Type.String(), Type.Unknown(), {
        description:
          'What the event carries besides field changes: `{initiatedBy, message, sourceUrl}` for an `external.*` event, `{channel: {id, type, label}}` for a channel event, `{ticketId}` for a ticket event; null for the others. After a purge, `{"redacted": true}`.',
      }),
    ),
    occurredAt: Type.String({ format: 'date-time' }),
  },
  { $id: 'CustomerEvent', additionalProperties: false },
);

export type CustomerEvent = Static<typeof CustomerEventSchema>;

// ---- channels, external events, ticket links (seed 003) ----

/** Patron's channel types; a `handle`'s label names its network. See channel-types.ts for the seed's names and numbers. */
export const CHANNEL_TYPES = ['email', 'phone', 'whatsapp', 'handle'] as const;

export const TIMELINE_LIMITS = {
  eventType: 64,
  initiatedBy: 200,
  message: 5_000,
  sourceUrl: 2_048,
  ticketId: 100,
} as const;

export const ChannelSchema = Type.Object(
  {
    id: Type.String({ format: 'uuid', description: 'Stable while the channel keeps its type, label and value (and across updates through this channel’s own endpoint).' }),
    customerId: Type.String({ format: 'uuid' }),
    type: Type.Union(CHANNEL_TYPES.map((t) => Type.Literal(t))),
    label: Type.String({ description: 'The network of a `handle` (`twitter`, `facebook`, …); empty for the other types.' }),
    value: Type.String({ description: 'As stored: emails lower-cased, phones in E.164 where possible, handles without `@`.' }),
    primary: Type.Boolean({ description: 'The customer’s `email` / `phone` (and its WhatsApp number) rather than one of the additional ones.' }),
    position: Type.Integer({ description: 'Order among the customer’s channels.' }),
    createdAt: Type.String({ format: 'date-time' }),
  },
  { $id: 'Channel', additionalProperties: false },
);
export type Channel = Static<typeof ChannelSchema>;

export const ChannelCreateSchema = Type.Object(
  {
    type: Type.Union([Type.String({ minLength: 1, maxLength: 32 }), Type.Integer({ minimum: 0 })], {
      description: '`email`, `phone`, `whatsapp`, `handle` (with `label`), or seed 003’s `telephone`, `facebook`, `twitter`, or its numbers 1–5 (see docs/api.md).',
    }),
    value: Type.String({ minLength: 1, maxLength: LIMITS.email }),
    label: Type.Optional(Nullable(Type.String({ maxLength: 32, description: 'Only for `handle`: the network.' }))),
    primary: Type.Optional(Type.Boolean({ description: 'Email and phone: make it the primary one (default: only when there is none yet).' })),
  },
  { additionalProperties: false },
);
export type ChannelCreate = Static<typeof ChannelCreateSchema>;

export const ChannelUpdateSchema = Type.Object(
  {
    value: Type.Optional(Type.String({ minLength: 1, maxLength: LIMITS.email })),
    label: Type.Optional(Type.String({ maxLength: 32, description: 'Only for `handle`: move it to another network.' })),
    primary: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type ChannelUpdate = Static<typeof ChannelUpdateSchema>;

export const EVENT_TYPE_PATTERN = `^[a-z][a-z0-9_.-]{0,${TIMELINE_LIMITS.eventType - 1}}$`;

export const ExternalEventInputSchema = Type.Object(
  {
    type: Type.String({ pattern: EVENT_TYPE_PATTERN, description: 'Stored as `external.<type>`, e.g. `order` → `external.order`.' }),
    initiatedBy: Text(TIMELINE_LIMITS.initiatedBy, { minLength: 1, description: 'Who or what caused it, e.g. `webshop`.' }),
    message: Text(TIMELINE_LIMITS.message, { minLength: 1 }),
    sourceUrl: Type.Optional(Nullable(Text(TIMELINE_LIMITS.sourceUrl, { description: 'Absolute http(s) URL; stored, never fetched.' }))),
    occurredAt: Type.Optional(Type.String({ format: 'date-time', description: 'Defaults to now.' })),
  },
  { additionalProperties: false },
);
export type ExternalEventInput = Static<typeof ExternalEventInputSchema>;

export const TicketLinkInputSchema = Type.Object(
  { ticketId: Text(TIMELINE_LIMITS.ticketId, { minLength: 1, description: 'The ticket’s id in the helpdesk (any text).' }) },
  { additionalProperties: false },
);

export const TicketLinkSchema = Type.Object(
  {
    customerId: Type.String({ format: 'uuid' }),
    ticketId: Type.String(),
    linkedAt: Type.String({ format: 'date-time' }),
  },
  { $id: 'TicketLink', additionalProperties: false },
);
export type TicketLink = Static<typeof TicketLinkSchema>;
