import { Type, type TProperties, type TSchema } from '@sinclair/typebox';
import { CUSTOM_FIELD_NAME } from '../../core/custom-fields/custom-field.model.js';
import { LIMITS, TIMELINE_LIMITS } from '../../core/customers/customer.model.js';

/**
 * Seed 003's wire shapes. A request body arrives as multipart/form-data, urlencoded or JSON and
 * is first made one object of strings (form.ts); these schemas then check it, with the seed's
 * own patterns, and refuse any field the endpoint does not take. Lengths come from the core.
 */

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

/**
 * The seed's name pattern, `^[a-zA-ZÀ-ÖØ-Þß-öø-ÿŠš\.\-\' ]+$`, written without its redundant
 * escapes: `\'` is not a valid escape in a Unicode regular expression (the validator's mode).
 * It matches the same names.
 */
export const NAME_PATTERN = "^[a-zA-ZÀ-ÖØ-Þß-öø-ÿŠš.\\-' ]+$";
export const TELEPHONE_PATTERN = '^\\+[0-9]+$';
export const HANDLE_PATTERN = '^[a-zA-Z0-9_ ]+$';
export const CHANNEL_ID_PATTERN = '^([0-9]+|email|telephone|facebook|twitter)$';
export const SEARCH_PATTERN = '^[0-9a-zA-Z ]+$';
const INTEGER_PATTERN = '^[0-9]+$';

/** Each part of a name: two of them make the customer's name (≤ 200). */
export const PERSON_NAME_MAX = 99;
/** The longest value of any form field (a timeline message is the longest thing the seed sends). */
export const FIELD_MAX_CHARS = TIMELINE_LIMITS.message;
/** The index's page size bound, as the seed documents it. */
export const MAX_ITEM_LIMIT = 15;
export const MAX_TIMELINE_LIMIT = 100;
/** The furthest an offset may reach: deeper pages are reached by narrowing the filters. */
export const MAX_ITEM_START = 10_000;

const text = (maxLength: number, description?: string, pattern?: string) => Type.String({ minLength: 1, maxLength, ...(pattern ? { pattern } : {}), ...(description ? { description } : {}) });
const integer = (description: string) => Type.String({ pattern: INTEGER_PATTERN, maxLength: 16, description });

/** The seed spells the same ids differently per endpoint; each endpoint takes every spelling of a group (one at a time). */
export const ID_GROUPS = {
  customer: ['customer_id', 'customerID'],
  externalId: ['primary_id', 'primaryID', 'externalPrimaryID', 'external_primary_id', 'external_id'],
  brand: ['brand_id', 'brandID'],
} as const;
export type IdGroup = keyof typeof ID_GROUPS;

const ID_SCHEMAS: Record<IdGroup, () => TSchema> = {
  customer: () => integer('The customer’s id (its number).'),
  externalId: () => text(LIMITS.externalId, 'The customer’s external primary id.'),
  brand: () => integer('A brand id of the tenant.'),
};

function ids(...groups: IdGroup[]): TProperties {
  return Object.fromEntries(groups.flatMap((g) => ID_GROUPS[g].map((name) => [name, Type.Optional(ID_SCHEMAS[g]())])));
}

const names = {
  firstname: Type.Optional(text(PERSON_NAME_MAX, undefined, NAME_PATTERN)),
  lastname: Type.Optional(text(PERSON_NAME_MAX, undefined, NAME_PATTERN)),
};

const extras = {
  extra_email: Type.Optional(text(LIMITS.email, 'An e-mail address to add.')),
  extra_telephone: Type.Optional(text(LIMITS.phone, 'A telephone number to add, international (`+` and digits).', TELEPHONE_PATTERN)),
  extra_twitter: Type.Optional(text(LIMITS.handle, 'The customer’s Twitter handle (replaces the one it has).', HANDLE_PATTERN)),
  extra_facebook: Type.Optional(text(LIMITS.handle, 'The customer’s Facebook handle (replaces the one it has).', HANDLE_PATTERN)),
};

export const CUSTOM_PREFIX = 'custom_';
export const CHANNEL_TYPE_PREFIX = 'customerChannelType_';
export const CHANNEL_VALUE_PREFIX = 'customerChannelValue_';
const CUSTOM_KEY = `^${CUSTOM_PREFIX}${CUSTOM_FIELD_NAME.source.slice(1)}`;
const customFields = {
  [CUSTOM_KEY]: Type.String({ maxLength: LIMITS.customFieldValueBytes, description: 'Custom field `<name>`; empty removes it.' }),
};
const channelLists = {
  [`^${CHANNEL_TYPE_PREFIX}[0-9]{1,3}$`]: Type.String({ maxLength: 32, description: 'A channel type: a seed 003 number or name (`email`, `telephone`, `facebook`, `twitter`, `whatsapp`).' }),
  [`^${CHANNEL_VALUE_PREFIX}[0-9]{1,3}$`]: Type.String({ maxLength: LIMITS.email, description: 'The channel’s value (address, number, handle).' }),
};

/** A form body: strings only (form.ts made it so), no other fields than these. */
const Form = (properties: TProperties, patterns: Record<string, TSchema> = {}, description?: string) =>
  Type.Object(properties, { additionalProperties: false, ...(Object.keys(patterns).length > 0 ? { patternProperties: patterns } : {}), ...(description ? { description } : {}) });

export const CreateBody = Form(
  {
    ...ids('externalId', 'brand'),
    ...names,
    channel_id: Type.Optional(text(16, 'With customer_link_channel: the type of the channel to link.', CHANNEL_ID_PATTERN)),
    customer_link_channel: Type.Optional(text(LIMITS.email, 'With channel_id: the address of the channel to link.')),
    search_customer_channel_value: Type.Optional(text(LIMITS.email, 'Instead of primary_id, when the brand has customer search by channels: a channel value that finds the customer.')),
    noSync: Type.Optional(Type.String({ enum: ['true', 'false', '1', '0'], description: 'true: no CRM look-up after the create.' })),
    ticket_id: Type.Optional(text(TIMELINE_LIMITS.ticketId, 'Links the new customer to this ticket.')),
    ...extras,
  },
  customFields,
);

export const CreateCrudBody = Form({ ...ids('externalId', 'brand'), ...names }, { ...customFields, ...channelLists });

export const UpdateIndexBody = Form({ ...ids('customer', 'externalId', 'brand'), ...names }, customFields);

export const UpdateItemBody = Form({ ...ids('brand'), ...names }, { ...customFields, ...channelLists });

export const UpdateCustomerBody = Form({ ...ids('externalId', 'brand'), ...names }, { ...customFields, ...channelLists });

export const SearchByExternalIdBody = Form({ ...ids('externalId', 'brand') });

export const SearchByChannelBody = Form({ customerChannelValue: Type.Optional(text(LIMITS.email, 'Any channel value: an e-mail, a phone number, a handle.')), ...ids('brand') });

export const AddChannelBody = Form({ ...ids('customer', 'externalId', 'brand'), ...extras });

export const ExternalEventBody = Form({
  ...ids('customer', 'externalId', 'brand'),
  initiated_by: Type.Optional(text(TIMELINE_LIMITS.initiatedBy, 'Who or what caused the event, e.g. `webshop`.')),
  message: Type.Optional(text(TIMELINE_LIMITS.message)),
  source_url: Type.Optional(text(TIMELINE_LIMITS.sourceUrl, 'An absolute http(s) URL; stored, never fetched.')),
});

export const SyncBody = Form({
  ...ids('brand'),
  channel: Type.Optional(text(32, 'The channel of the address: `email`, `telephone` (or `phoneNumber`), `facebook`, `twitter`, a number.')),
  address: Type.Optional(text(LIMITS.email, 'The address to look up.')),
});

const paging = (max: number, defaultLimit: number) => ({
  itemStart: Type.Integer({ minimum: 1, maximum: MAX_ITEM_START, default: 1, description: 'Position of the first item (1 is the first).' }),
  itemLimit: Type.Integer({ minimum: 0, maximum: max, default: defaultLimit, description: `Page size, 0–${max} (0: only itemTotal).` }),
});

export const IndexQuery = Type.Object(
  {
    search: Type.Optional(Type.String({ maxLength: LIMITS.name, pattern: SEARCH_PATTERN, description: 'Part of the name, the external primary id, or a channel value.' })),
    ...ids('brand'),
    ...paging(MAX_ITEM_LIMIT, MAX_ITEM_LIMIT),
  },
  { additionalProperties: false },
);

export const TimelineQuery = Type.Object(
  {
    ...ids('externalId', 'brand'),
    ticket: Type.Optional(Type.String({ maxLength: 100, description: 'Any value (even empty): also return the ticket history.' })),
    ...paging(MAX_TIMELINE_LIMIT, 50),
  },
  { additionalProperties: false },
);

export const IdParams = Type.Object({ id: Type.String({ description: 'The customer’s id (its number).' }) });
export const ChannelParams = Type.Object({ id: Type.String({ description: 'The customer’s id (its number).' }), channelId: Type.String({ description: 'The channel’s `id` (from the customer’s `channels`).' }) });

// ---- responses ----

export const WireChannel = Type.Object(
  {
    id: Type.String({ format: 'uuid', description: 'The channel’s id (for DELETE …/channel/{channelId}).' }),
    channel_id: Nullable(Type.Integer({ description: 'The seed’s channel type number (1 email, 2 telephone, 3 facebook, 4 twitter, 5 whatsapp); null for another network.' })),
    channel: Type.String({ description: '`email`, `telephone`, `facebook`, `twitter`, `whatsapp`, or another network’s name.' }),
    value: Type.String(),
    primary: Type.Boolean(),
  },
  { additionalProperties: false },
);

const itemFields = {
  id: Type.Integer({ description: 'The customer’s number in the tenant.' }),
  external_primary_id: Nullable(Type.String()),
  brand_name: Nullable(Type.String()),
  firstname: Nullable(Type.String()),
  lastname: Nullable(Type.String()),
  channels: Type.Array(WireChannel),
};

export const WireListItem = Type.Object(itemFields, { additionalProperties: false });

export const WireItem = Type.Object(
  {
    ...itemFields,
    brand_id: Nullable(Type.Integer()),
    name: Nullable(Type.String()),
    custom_fields: Type.Record(Type.String(), Type.Unknown()),
    created_at: Type.String({ format: 'date-time' }),
    updated_at: Type.String({ format: 'date-time' }),
  },
  { additionalProperties: false },
);

const envelope = (type: string, item: TSchema, extra: TProperties = {}) =>
  Type.Object(
    {
      type: Type.Literal(type),
      itemStart: Type.Integer(),
      itemTotal: Type.Integer({ description: 'How many items match, over all pages.' }),
      itemLimit: Type.Integer(),
      ...extra,
      items: Type.Array(item),
    },
    { additionalProperties: false },
  );

export const IndexResponse = envelope('customers', WireListItem);

export const WireEvent = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    type: Type.String({ description: '`customer.created`, `customer.updated`, `customer.channel_added`, `customer.ticket_linked`, `external.event`, …' }),
    occurred_at: Type.String({ format: 'date-time' }),
    initiated_by: Nullable(Type.String()),
    message: Nullable(Type.String()),
    source_url: Nullable(Type.String()),
    ticket_id: Nullable(Type.String()),
    fields: Type.Array(Type.String(), { description: 'The fields the event changed, by their names here.' }),
  },
  { additionalProperties: false },
);

export const WireTicket = Type.Object({ ticket_id: Type.String(), linked_at: Type.String({ format: 'date-time' }) }, { additionalProperties: false });

export const TimelineResponse = envelope('timeline', WireEvent, {
  customer_id: Type.Integer(),
  tickets: Type.Optional(Type.Array(WireTicket, { description: 'Only with the `ticket` parameter: the tickets the customer is linked to, oldest first.' })),
});

export const Result = Type.Object(
  {
    message: Type.String({ examples: ['Customer updated.'] }),
    type: Type.Literal('result'),
    id: Type.Integer({ description: 'The customer’s id.' }),
    event_id: Type.Optional(Type.String({ format: 'uuid' })),
  },
  { additionalProperties: false },
);

export const ErrorBody = Type.Object(
  {
    message: Type.String(),
    type: Type.Literal('error'),
    code: Type.String({ description: 'Patron’s stable error code.' }),
    errors: Type.Optional(Type.Record(Type.String(), Type.Array(Type.String()), { description: 'Per field, as the request named it.' })),
    requestId: Type.String(),
  },
  { additionalProperties: true },
);
