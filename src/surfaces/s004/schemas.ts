import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { BillingAddressSchema, CustomerWriteSchema, LIMITS } from '../../core/customers/customer.model.js';

/**
 * Seed 004's wire shapes (Public API v1.0, PascalCase). Lengths come from the core's own
 * schema pieces, so the surface never states a limit of its own. Request bodies accept
 * fields the seed does not list (`additionalProperties: true`): the seed says unsupported
 * and read-only fields are silently ignored, and the handlers pass only the writable ones on.
 */

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const core = CustomerWriteSchema.properties;
const address = BillingAddressSchema.properties;

export const CUSTOMER_TYPE_NAMES = ['Customer', 'Broker/3PL'] as const;
export const STATUS_NAMES = ['Active', 'Inactive'] as const;
export type CustomerTypeName = (typeof CUSTOMER_TYPE_NAMES)[number];
export type StatusName = (typeof STATUS_NAMES)[number];

export const CustomerTypeName = Type.Union(CUSTOMER_TYPE_NAMES.map((t) => Type.Literal(t)), { description: '`Customer` or `Broker/3PL`.' });
export const StatusName = Type.Union(STATUS_NAMES.map((s) => Type.Literal(s)), { description: '`Active` or `Inactive`.' });

export const BillingAddressIn = Type.Object(
  { Street: address.line1, City: address.city, State: address.state, Zip: address.postalCode },
  { additionalProperties: true, description: 'Merged key by key on PATCH; `null` clears a key, `"BillingAddress": null` the whole address.' },
);

const List = <T extends TSchema>(item: T, what: string) =>
  Type.Array(item, { maxItems: 1 + LIMITS.additionalChannels, description: `The first ${what} is the primary one. Replaced as a whole on PATCH.` });

/** The writable fields; `Name` and `Type` are added as required by CreateBody. */
const writable = {
  CompanyNumber: Type.Optional(Nullable(Type.String({ maxLength: LIMITS.companyNumber }))),
  Status: Type.Optional(StatusName),
  BillingAddress: Type.Optional(Nullable(BillingAddressIn)),
  Email: Type.Optional(Nullable(List(Type.String({ maxLength: LIMITS.email }), 'address'))),
  Phone: Type.Optional(Nullable(List(Type.String({ maxLength: LIMITS.phone }), 'number'))),
  Fax: core.fax,
  ExternalId: Type.Optional(Nullable(Type.String({ maxLength: LIMITS.externalId }))),
};

export const CreateBody = Type.Object(
  { Name: Type.String({ maxLength: LIMITS.name }), Type: CustomerTypeName, ...writable },
  { additionalProperties: true },
);
export type CreateBody = Static<typeof CreateBody>;

/**
 * RFC 7396 merge patch. `Name`, `Type` and `Status` may be given but not cleared (the
 * handler answers 400 for their `null`, with a clearer message than a type error).
 */
export const PatchBody = Type.Object(
  { Name: Type.Optional(Nullable(Type.String({ maxLength: LIMITS.name }))), Type: Type.Optional(Nullable(CustomerTypeName)), ...writable, Status: Type.Optional(Nullable(StatusName)) },
  { additionalProperties: true },
);
export type PatchBody = Static<typeof PatchBody>;

export const MAX_PAGE_SIZE = 100;
export const DEFAULT_PAGE_SIZE = 25;
/** Offset + page size may not pass this: deeper pages are reached by narrowing the filters. */
export const MAX_RESULT_WINDOW = 10_000;

export const SearchBody = Type.Object(
  {
    Page: Type.Integer({ minimum: 0, default: 0, description: 'Zero-based page number.' }),
    PageSize: Type.Integer({ minimum: 1, maximum: MAX_PAGE_SIZE, default: DEFAULT_PAGE_SIZE }),
    Statuses: Type.Optional(Type.Array(StatusName, { maxItems: 10, description: 'Any of these statuses; empty or absent: any status.' })),
    Status: Type.Optional(StatusName),
    Type: Type.Optional(CustomerTypeName),
    Name: Type.Optional(Type.String({ minLength: 1, maxLength: LIMITS.name, description: 'Part of the name, case-insensitive.' })),
    CompanyNumber: Type.Optional(Type.String({ minLength: 1, maxLength: LIMITS.companyNumber })),
    ExternalId: Type.Optional(Type.String({ minLength: 1, maxLength: LIMITS.externalId })),
    Email: Type.Optional(Type.String({ minLength: 1, maxLength: LIMITS.email, description: 'Any of the customer’s emails, case-insensitive.' })),
    Phone: Type.Optional(Type.String({ minLength: 1, maxLength: LIMITS.phone, description: 'Any of the customer’s phone numbers, in any format.' })),
    CreatedDateRange: Type.Optional(
      Type.Object(
        { Start: Type.Optional(Type.String({ format: 'date-time' })), End: Type.Optional(Type.String({ format: 'date-time' })) },
        { additionalProperties: true, description: 'Both bounds inclusive.' },
      ),
    ),
  },
  { additionalProperties: true },
);
export type SearchBody = Static<typeof SearchBody>;

export const IdParams = Type.Object({ id: Type.String({ description: 'The customer Id (a UUID; the 32-digit form without dashes is accepted too).' }) });

export const GetQuery = Type.Object(
  {
    id: Type.Optional(Type.String({ description: 'The customer Id.' })),
    companyNumber: Type.Optional(Type.String({ maxLength: LIMITS.companyNumber, description: 'The customer’s CompanyNumber.' })),
  },
  { additionalProperties: true },
);

export const IfMatchHeader = Type.Object({ 'if-match': Type.Optional(Type.String({ description: 'The ETag from the last GET, POST or PATCH. Required.' })) });

const BillingAddressOut = Type.Object({ Street: Nullable(Type.String()), City: Nullable(Type.String()), State: Nullable(Type.String()), Zip: Nullable(Type.String()) });

const common = {
  Id: Type.String({ format: 'uuid' }),
  Name: Nullable(Type.String()),
  CompanyNumber: Nullable(Type.String()),
  Type: CustomerTypeName,
  Status: StatusName,
  BillingAddress: Nullable(BillingAddressOut),
  Email: Type.Array(Type.String()),
  Phone: Type.Array(Type.String()),
  Fax: Nullable(Type.String()),
  DateCreated: Type.String({ format: 'date-time' }),
  DateModified: Type.String({ format: 'date-time' }),
  InvoicingInformation: Type.Null({ description: 'Managed by the vendor; Patron keeps none: always null.' }),
  ExternalId: Nullable(Type.String()),
};

export const CustomerResponse = Type.Object(
  {
    ...common,
    SalesAgentId: Type.Null({ description: 'Patron has no sales agents: always null.' }),
    Contacts: Type.Array(Type.Unknown(), { description: 'Patron keeps no contacts per customer: always empty.' }),
    Notes: Nullable(Type.String({ description: 'The customer’s notes (read-only here; written through /v1).' })),
  },
  { additionalProperties: false, description: 'CustomerResponse (GET and search); the ETag travels in the header only.' },
);
export type CustomerResponse = Static<typeof CustomerResponse>;

export const CustomerWriteResponse = Type.Object(
  { ...common, ETag: Type.String({ description: 'The same value as the ETag header.' }) },
  { additionalProperties: false, description: 'CustomerWriteResponse (POST and PATCH); the ETag is in the body and the header.' },
);
export type CustomerWriteResponse = Static<typeof CustomerWriteResponse>;

export const SearchResponse = Type.Object(
  {
    Page: Type.Integer(),
    PageSize: Type.Integer(),
    HasMore: Type.Boolean({ description: 'Whether a next page exists (ask for Page + 1).' }),
    Items: Type.Array(CustomerResponse),
  },
  { additionalProperties: false },
);

export const Problem = Type.Object(
  {
    type: Type.String({ examples: ['ValidationError', 'EndpointDisabled'] }),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.String(),
    instance: Type.String(),
    code: Type.String(),
    requestId: Type.String(),
    errors: Type.Optional(Type.Record(Type.String(), Type.Array(Type.String()))),
  },
  { additionalProperties: true, description: 'RFC 9457 problem details (application/problem+json).' },
);
