import type { FastifyRequest } from 'fastify';
import type { Brand } from '../../core/brands/brand.model.js';
import { seedChannelTypeOf } from '../../core/customers/channel-types.js';
import type { ChannelOp } from '../../core/customers/channels.js';
import type { CustomerWithChannels } from '../../core/customers/customer.mapper.js';
import type { Channel, CustomerEvent, CustomerWrite, TicketLink } from '../../core/customers/customer.model.js';
import { validationFailed, type FieldError } from '../../core/errors.js';
import { CHANNEL_TYPE_PREFIX, CHANNEL_VALUE_PREFIX, CUSTOM_PREFIX, ID_GROUPS, type IdGroup } from './schemas.js';

/**
 * Seed 003 ⇄ the core: the seed's field names and spellings, its integer ids (the customer's
 * number), channels as `customerChannelType_N` / `customerChannelValue_N` pairs and `extra_*`
 * fields, custom fields as `custom_<name>`. Every rule on the values is the core's; errors the
 * core names by its own fields are renamed to the fields the request used (see wireField).
 */

/** A request's fields, all text (form.ts); the query's too, where only its text fields are read. */
export type Form = Readonly<Record<string, string | undefined>>;

// ---- the fields a request used, for its errors ----

const RENAMES = new WeakMap<FastifyRequest, Map<string, string>>();

/** Core field → the request's field, for this request's errors (filled as the request is translated). */
export function renamesOf(request: FastifyRequest): Map<string, string> {
  let renames = RENAMES.get(request);
  if (!renames) RENAMES.set(request, (renames = new Map()));
  return renames;
}

const STATIC_NAMES: Record<string, string> = {
  firstName: 'firstname',
  lastName: 'lastname',
  externalId: 'primary_id',
  brandId: 'brand_id',
  initiatedBy: 'initiated_by',
  sourceUrl: 'source_url',
  ticketId: 'ticket_id',
  'tickets.0': 'ticket_id',
};

/** A field as the client named it: `customFields.tier` → `custom_tier`, `channels.2.value` → `customerChannelValue_1`, … */
export function wireField(field: string, renames: ReadonlyMap<string, string> | undefined): string {
  const renamed = renames?.get(field);
  if (renamed) return renamed;
  if (field.startsWith('customFields.')) return CUSTOM_PREFIX + field.slice('customFields.'.length);
  if (field.startsWith('query.')) return field.slice('query.'.length);
  const channel = /^(channels\.\d+)\./.exec(field);
  if (channel) return renames?.get(`${channel[1]}.value`) ?? field;
  return STATIC_NAMES[field] ?? field;
}

// ---- seed → core ----

/** The one spelling of an id group the form used, if any; two spellings at once are refused. */
export function idOf(form: Readonly<Record<string, unknown>>, group: IdGroup, renames: Map<string, string>): { field: string; value: string } | undefined {
  const given = ID_GROUPS[group].filter((name) => typeof form[name] === 'string');
  if (given.length > 1) throw validationFailed([{ field: given[1]!, message: `gives the same thing as ${given[0]}: send one of them`, code: 'conflict' }]);
  const field = given[0];
  if (field === undefined) return undefined;
  if (group === 'externalId') renames.set('externalId', field);
  if (group === 'brand') renames.set('brandId', field);
  return { field, value: form[field] as string };
}

/** `firstname` / `lastname`, as given (the core derives the name from them). */
export function namesOf(form: Form): CustomerWrite {
  const out: CustomerWrite = {};
  if (form.firstname !== undefined) out.firstName = form.firstname;
  if (form.lastname !== undefined) out.lastName = form.lastname;
  return out;
}

/** `custom_<name>` fields: name → text, or null (empty: remove it). */
export function customFieldsOf(form: Form): { values: Record<string, string>; removed: string[] } {
  const values: Record<string, string> = {};
  const removed: string[] = [];
  for (const [key, value] of Object.entries(form)) {
    if (!key.startsWith(CUSTOM_PREFIX) || value === undefined) continue;
    const name = key.slice(CUSTOM_PREFIX.length);
    if (value === '') removed.push(name);
    else values[name] = value;
  }
  return { values, removed };
}

const EXTRAS = [
  ['extra_email', 'email'],
  ['extra_telephone', 'telephone'],
  ['extra_twitter', 'twitter'],
  ['extra_facebook', 'facebook'],
] as const;

/**
 * The channels a form adds, in this order: `channel_id` + `customer_link_channel` (only as a
 * pair, as the seed says), the `extra_*` fields, then the `customerChannelType_N` /
 * `customerChannelValue_N` pairs by N. Each adds the value, or updates the customer's handle on
 * that network (`replace`): the seed's "add or update".
 */
export function channelOpsOf(form: Form, renames: Map<string, string>): ChannelOp[] {
  const ops: ChannelOp[] = [];
  const push = (type: string, value: string, typeField: string, valueField: string) => {
    renames.set(`channels.${ops.length}.type`, typeField);
    renames.set(`channels.${ops.length}.value`, valueField);
    ops.push({ op: 'add', type, value, replace: true });
  };
  if (form.channel_id !== undefined && form.customer_link_channel !== undefined) push(form.channel_id, form.customer_link_channel, 'channel_id', 'customer_link_channel');
  for (const [field, type] of EXTRAS) {
    const value = form[field];
    if (value !== undefined) push(type, value, field, field);
  }

  const indices = new Set<string>();
  for (const key of Object.keys(form)) {
    if (key.startsWith(CHANNEL_TYPE_PREFIX)) indices.add(key.slice(CHANNEL_TYPE_PREFIX.length));
    if (key.startsWith(CHANNEL_VALUE_PREFIX)) indices.add(key.slice(CHANNEL_VALUE_PREFIX.length));
  }
  const errors: FieldError[] = [];
  for (const n of [...indices].sort((a, b) => Number(a) - Number(b) || a.localeCompare(b))) {
    const typeField = CHANNEL_TYPE_PREFIX + n;
    const valueField = CHANNEL_VALUE_PREFIX + n;
    const type = form[typeField];
    const value = form[valueField];
    if (type === undefined) errors.push({ field: typeField, message: `is required with ${valueField}`, code: 'required' });
    else if (value === undefined) errors.push({ field: valueField, message: `is required with ${typeField}`, code: 'required' });
    else push(type, value, typeField, valueField);
  }
  if (errors.length > 0) throw validationFailed(errors);
  return ops;
}

/** `noSync`: `true`/`1` skip the CRM look-up. */
export const isTrue = (value: string | undefined) => value === 'true' || value === '1';

// ---- core → seed ----

export type BrandNames = ReadonlyMap<number, string>;

export const brandNames = (brands: Brand[]): BrandNames => new Map(brands.map((b) => [b.id, b.name]));

export function toWireChannel(channel: Channel) {
  const seed = seedChannelTypeOf(channel);
  return { id: channel.id, channel_id: seed?.id ?? null, channel: seed?.name ?? (channel.label || channel.type), value: channel.value, primary: channel.primary };
}

export function toListItem(c: CustomerWithChannels, brands: BrandNames) {
  return {
    id: c.number,
    external_primary_id: c.externalId,
    brand_name: c.brandId === null ? null : (brands.get(c.brandId) ?? null),
    firstname: c.firstName,
    lastname: c.lastName,
    channels: c.channels.map(toWireChannel),
  };
}

export function toItem(c: CustomerWithChannels, brands: BrandNames) {
  return { ...toListItem(c, brands), brand_id: c.brandId, name: c.name, custom_fields: c.customFields, created_at: c.createdAt, updated_at: c.updatedAt };
}

const CHANNEL_FIELDS = new Set(['email', 'phone', 'additionalEmails', 'additionalPhones', 'whatsapp', 'handles']);

/** The timeline's changed fields by this surface's names. */
function changedFields(changes: Record<string, unknown>): string[] {
  const names = Object.keys(changes).map((f) => (CHANNEL_FIELDS.has(f) ? 'channels' : f === 'customFields' ? 'custom_fields' : f === 'externalId' ? 'external_primary_id' : (STATIC_NAMES[f] ?? f)));
  return [...new Set(names)];
}

const textOf = (details: Record<string, unknown> | null, key: string) => (typeof details?.[key] === 'string' ? (details[key] as string) : null);

export function toWireEvent(e: CustomerEvent) {
  return {
    id: e.id,
    type: e.type,
    occurred_at: e.occurredAt,
    initiated_by: textOf(e.details, 'initiatedBy'),
    message: textOf(e.details, 'message'),
    source_url: textOf(e.details, 'sourceUrl'),
    ticket_id: textOf(e.details, 'ticketId'),
    fields: changedFields(e.changes),
  };
}

export const toWireTicket = (t: TicketLink) => ({ ticket_id: t.ticketId, linked_at: t.linkedAt });

export const result = (message: string, id: number, extra: { event_id?: string } = {}) => ({ message, type: 'result' as const, id, ...extra });
