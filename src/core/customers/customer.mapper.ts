import { uuidv7 } from '../ids.js';
import type { ChannelType, CustomerEventRow, CustomerRow, CustomerTicketRow } from '../../db/database.js';
import type { Channel, Customer, CustomerEvent, TicketLink } from './customer.model.js';
import { channelLookupKey, type CustomerState } from './customer.rules.js';

/**
 * The one place where stored rows and the customer model meet: rows become states and API
 * objects here, and states become rows and channel rows here. Internal columns
 * (tenant_id, …) have no way out of this file.
 */

/** A channel row as a state describes it, before it has an id. */
export interface ChannelDraft {
  type: ChannelType;
  label: string;
  value: string;
  /** What look-ups match: see channelLookupKey. */
  normalized: string;
  isPrimary: boolean;
  position: number;
}

export interface StoredChannel extends ChannelDraft {
  id: string;
  /** As the database wrote it into JSON (any ISO 8601 form). */
  createdAt: string;
}

export type CustomerRecord = CustomerRow & { channels: StoredChannel[] };

/** A customers row as PostgreSQL's `to_json` writes it: its timestamps as ISO 8601 text. */
export type CustomerJson = Omit<CustomerRow, 'created_at' | 'updated_at' | 'deleted_at' | 'purged_at'> & {
  created_at: string;
  updated_at: string;
  deleted_at: string | null;
  purged_at: string | null;
};

/**
 * The record of a customer read as one JSON value (`to_json(customers)`, see
 * customer.repository.ts) and its channels.
 */
export function recordFromJson(row: CustomerJson, channels: StoredChannel[]): CustomerRecord {
  return {
    ...row,
    created_at: new Date(row.created_at),
    updated_at: new Date(row.updated_at),
    deleted_at: row.deleted_at === null ? null : new Date(row.deleted_at),
    purged_at: row.purged_at === null ? null : new Date(row.purged_at),
    channels,
  };
}

/** What identifies a channel across writes: its type, label and value. */
export const channelKey = (c: { type: string; label: string; value: string }) => `${c.type}\u0000${c.label}\u0000${c.value}`;

export interface ChannelPlan {
  /** The customer's channels after the write, in order. */
  channels: StoredChannel[];
  /** Rows to insert, or (same id) to update in place. */
  upsert: StoredChannel[];
  /** Ids of rows to delete. */
  remove: string[];
}

/**
 * The row writes that turn `current` into `wanted`. A channel keeps its id while its key stays;
 * `identities` overrides the key a current channel is matched by (a channel edited through its
 * own endpoint keeps its id under its new value; null: removed, never matched). Only new or
 * changed rows are written.
 */
export function planChannels(current: StoredChannel[], wanted: ChannelDraft[], at: Date, identities: ReadonlyMap<string, string | null> = new Map()): ChannelPlan {
  const byKey = new Map<string, StoredChannel>();
  const removed: string[] = [];
  for (const c of current) {
    const key = identities.has(c.id) ? identities.get(c.id)! : channelKey(c);
    if (key === null) removed.push(c.id);
    else byKey.set(key, c);
  }
  const channels: StoredChannel[] = [];
  const upsert: StoredChannel[] = [];
  for (const draft of wanted) {
    const key = channelKey(draft);
    const existing = byKey.get(key);
    byKey.delete(key);
    const channel: StoredChannel = { ...draft, id: existing?.id ?? uuidv7(), createdAt: existing?.createdAt ?? at.toISOString() };
    channels.push(channel);
    const same =
      existing &&
      existing.label === draft.label &&
      existing.value === draft.value &&
      existing.normalized === draft.normalized &&
      existing.isPrimary === draft.isPrimary &&
      existing.position === draft.position;
    if (!same) upsert.push(channel);
  }
  return { channels, upsert, remove: [...removed, ...[...byKey.values()].map((c) => c.id)] };
}

type ChannelFields = Pick<CustomerState, 'email' | 'phone' | 'additionalEmails' | 'additionalPhones' | 'whatsapp' | 'handles'>;

/**
 * The state's channel fields, from the rows in position order (one pass: every read of a
 * customer goes through here): the first primary email or phone is the field, the others
 * not primary are its list; the first WhatsApp number; a handle per network, the last one
 * winning.
 */
function channelFields(stored: StoredChannel[]): ChannelFields {
  let email: string | null = null;
  let phone: string | null = null;
  let whatsapp: string | null = null;
  const additionalEmails: string[] = [];
  const additionalPhones: string[] = [];
  const handles: [network: string, handle: string][] = [];
  for (const c of [...stored].sort((a, b) => a.position - b.position)) {
    if (c.type === 'email') {
      if (!c.isPrimary) additionalEmails.push(c.value);
      else email ??= c.value;
    } else if (c.type === 'phone') {
      if (!c.isPrimary) additionalPhones.push(c.value);
      else phone ??= c.value;
    } else if (c.type === 'whatsapp') whatsapp ??= c.value;
    else handles.push([c.label, c.value]);
  }
  // fromEntries, not assignment: a network named `__proto__` stays a key.
  return { email, phone, additionalEmails, additionalPhones, whatsapp, handles: Object.fromEntries(handles) };
}

export function stateFromRecord(record: CustomerRecord): CustomerState {
  return {
    name: record.name,
    firstName: record.first_name,
    lastName: record.last_name,
    type: record.type,
    category: record.category,
    status: record.status,
    companyId: record.company_id,
    brandId: record.brand_id,
    externalId: record.external_id,
    companyNumber: record.company_number,
    ...channelFields(record.channels),
    fax: record.fax,
    billingAddress: record.billing_address,
    location: record.location,
    ip: record.ip,
    source: record.source,
    value: record.value,
    autoPayment: record.auto_payment,
    notes: record.notes,
    customFields: record.custom_fields ?? {},
  };
}

export function toCustomer(record: CustomerRecord): Customer {
  return {
    id: record.id,
    number: record.number,
    ...stateFromRecord(record),
    version: record.version,
    createdAt: record.created_at.toISOString(),
    updatedAt: record.updated_at.toISOString(),
    deletedAt: record.deleted_at?.toISOString() ?? null,
    purgedAt: record.purged_at?.toISOString() ?? null,
  };
}

export function toCustomerEvent(row: CustomerEventRow): CustomerEvent {
  return {
    id: row.id,
    customerId: row.customer_id,
    type: row.type,
    actor: row.actor,
    changes: row.changes,
    details: row.details ?? null,
    occurredAt: row.occurred_at.toISOString(),
  };
}

export function toChannel(customerId: string, channel: StoredChannel): Channel {
  return {
    id: channel.id,
    customerId,
    type: channel.type,
    label: channel.label,
    value: channel.value,
    primary: channel.isPrimary,
    position: channel.position,
    createdAt: new Date(channel.createdAt).toISOString(),
  };
}

/** A customer with its channel records (ids included): what seed 003's surface lists. */
export type CustomerWithChannels = Customer & { channels: Channel[] };

export function toCustomerWithChannels(record: CustomerRecord): CustomerWithChannels {
  return { ...toCustomer(record), channels: record.channels.map((c) => toChannel(record.id, c)) };
}

export function toTicketLink(row: Pick<CustomerTicketRow, 'customer_id' | 'ticket_id' | 'linked_at'>): TicketLink {
  return { customerId: row.customer_id, ticketId: row.ticket_id, linkedAt: row.linked_at.toISOString() };
}

/** The customers-table columns a state sets. */
export function columnsFromState(state: CustomerState) {
  return {
    name: state.name,
    first_name: state.firstName,
    last_name: state.lastName,
    type: state.type,
    category: state.category,
    status: state.status,
    company_id: state.companyId,
    brand_id: state.brandId,
    external_id: state.externalId,
    company_number: state.companyNumber,
    fax: state.fax,
    billing_address: state.billingAddress ? JSON.stringify(state.billingAddress) : null,
    location: state.location ? JSON.stringify(state.location) : null,
    ip: state.ip,
    source: state.source,
    value: state.value,
    auto_payment: state.autoPayment,
    notes: state.notes,
    custom_fields: JSON.stringify(state.customFields),
  };
}

/** The channel rows a (normalised) state stands for, primary first. */
export function channelsFromState(state: CustomerState): ChannelDraft[] {
  const out: ChannelDraft[] = [];
  const push = (type: ChannelType, value: string, isPrimary: boolean, label = '') =>
    out.push({ type, label, value, normalized: channelLookupKey(type, value), isPrimary, position: out.length });
  if (state.email) push('email', state.email, true);
  for (const e of state.additionalEmails) push('email', e, false);
  if (state.phone) push('phone', state.phone, true);
  for (const p of state.additionalPhones) push('phone', p, false);
  if (state.whatsapp) push('whatsapp', state.whatsapp, true);
  for (const [network, handle] of Object.entries(state.handles)) push('handle', handle, false, network);
  return out;
}
