import type { ChannelType, CustomerEventRow, CustomerRow } from '../../db/database.js';
import type { Customer, CustomerEvent } from './customer.model.js';
import { phoneLookupKey, type CustomerState } from './customer.rules.js';

/**
 * The one place where stored rows and the customer model meet: rows become states and API
 * objects here, and states become rows and channel rows here. Internal columns
 * (tenant_id, …) have no way out of this file.
 */

export interface StoredChannel {
  type: ChannelType;
  label: string;
  value: string;
  /** What look-ups match: see channelLookupKey. */
  normalized: string;
  isPrimary: boolean;
  position: number;
}

export type CustomerRecord = CustomerRow & { channels: StoredChannel[] };

export function stateFromRecord(record: CustomerRecord): CustomerState {
  const channels = [...record.channels].sort((a, b) => a.position - b.position);
  const of = (type: ChannelType) => channels.filter((c) => c.type === type);
  const primary = (type: ChannelType) => of(type).find((c) => c.isPrimary)?.value ?? null;
  const others = (type: ChannelType) => of(type).filter((c) => !c.isPrimary).map((c) => c.value);
  return {
    name: record.name,
    firstName: record.first_name,
    lastName: record.last_name,
    type: record.type,
    category: record.category,
    status: record.status,
    companyId: record.company_id,
    externalId: record.external_id,
    companyNumber: record.company_number,
    email: primary('email'),
    phone: primary('phone'),
    additionalEmails: others('email'),
    additionalPhones: others('phone'),
    whatsapp: of('whatsapp')[0]?.value ?? null,
    handles: Object.fromEntries(of('handle').map((c) => [c.label, c.value])),
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
    occurredAt: row.occurred_at.toISOString(),
  };
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
export function channelsFromState(state: CustomerState): StoredChannel[] {
  const out: StoredChannel[] = [];
  const push = (type: ChannelType, value: string, isPrimary: boolean, label = '') =>
    out.push({ type, label, value, normalized: type === 'phone' || type === 'whatsapp' ? phoneLookupKey(value) : value, isPrimary, position: out.length });
  if (state.email) push('email', state.email, true);
  for (const e of state.additionalEmails) push('email', e, false);
  if (state.phone) push('phone', state.phone, true);
  for (const p of state.additionalPhones) push('phone', p, false);
  if (state.whatsapp) push('whatsapp', state.whatsapp, true);
  for (const [network, handle] of Object.entries(state.handles)) push('handle', handle, false, network);
  return out;
}
