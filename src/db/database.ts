import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';
import type { CustomFieldOptions, CustomFieldType } from '../core/custom-fields/custom-field.model.js';
import type { BillingAddress, Location } from '../core/customers/customer.model.js';

/**
 * One interface per table; `Database` is the whole schema Kysely types queries against.
 * Every tenant-owned table leads its key with tenant_id so it can later be distributed by tenant.
 */

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null, Date | string | null>;
type DefaultTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;
/** jsonb: written as a JSON string, read back parsed. */
type Json<T> = ColumnType<T, string, string>;
type NullableJson<T> = ColumnType<T | null, string | null, string | null>;

export interface InstallationTable {
  key: string;
  value: string;
  updated_at: DefaultTimestamp;
}

export interface TenantSettings {
  requireIfMatch?: boolean;
  defaultPhoneCountry?: string;
  /** Maintenance: every customer write answers 503 while reads go on. */
  writesDisabled?: boolean;
}

export interface TenantTable {
  id: string;
  number: Generated<number>;
  name: string;
  status: 'active' | 'suspended';
  settings: ColumnType<TenantSettings, string | undefined, string>;
  created_at: DefaultTimestamp;
  updated_at: DefaultTimestamp;
}

export interface CounterTable {
  tenant_id: string;
  name: string;
  value: number;
}

export interface ApiTokenTable {
  tenant_id: string;
  id: string;
  name: string;
  token_hash: string;
  token_hint: string;
  scopes: string[];
  expires_at: NullableTimestamp;
  last_used_at: NullableTimestamp;
  revoked_at: NullableTimestamp;
  created_at: DefaultTimestamp;
}

export interface CustomerTable {
  tenant_id: string;
  id: string;
  number: number;
  name: string | null;
  first_name: string | null;
  last_name: string | null;
  type: 'individual' | 'business';
  category: Generated<'customer' | 'broker_3pl'>;
  status: 'active' | 'inactive' | 'suspended' | 'blocked';
  company_id: string | null;
  brand_id: number | null;
  external_id: string | null;
  company_number: string | null;
  fax: string | null;
  billing_address: NullableJson<BillingAddress>;
  location: NullableJson<Location>;
  ip: string | null;
  source: string | null;
  value: number | null;
  auto_payment: boolean | null;
  notes: string | null;
  custom_fields: Json<Record<string, unknown>>;
  version: number;
  created_at: Timestamp;
  updated_at: Timestamp;
  deleted_at: NullableTimestamp;
  purged_at: NullableTimestamp;
}

export type ChannelType = 'email' | 'phone' | 'whatsapp' | 'handle';

export interface CustomerChannelTable {
  tenant_id: string;
  customer_id: string;
  id: string;
  type: ChannelType;
  /** For handles, the network (twitter, facebook, …); empty for the other types. */
  label: string;
  value: string;
  normalized: string;
  is_primary: boolean;
  position: number;
  created_at: DefaultTimestamp;
}

export interface CustomerEventTable {
  tenant_id: string;
  id: string;
  seq: Generated<number>;
  customer_id: string;
  type: string;
  actor: Json<Actor>;
  changes: Json<Record<string, unknown>>;
  /** What an event carries besides field changes (external events, channel and ticket events). */
  details: ColumnType<Record<string, unknown> | null, string | null | undefined, string | null>;
  occurred_at: Timestamp;
}

export interface CustomerTicketTable {
  tenant_id: string;
  customer_id: string;
  ticket_id: string;
  linked_at: DefaultTimestamp;
}

export interface Actor {
  type: 'token' | 'oauth_client' | 'admin' | 'system';
  id: string | null;
}

export interface IdempotencyKeyTable {
  tenant_id: string;
  key: string;
  request_hash: string;
  state: 'running' | 'done';
  response_status: number | null;
  response_headers: NullableJson<Record<string, string>>;
  response_body: string | null;
  resource_id: string | null;
  created_at: Timestamp;
  locked_until: Timestamp;
  expires_at: Timestamp;
}

export interface CustomerAccountTable {
  tenant_id: string;
  customer_id: string;
  id: string;
  name: string | null;
  created_at: DefaultTimestamp;
}

export interface AccountAddressTable {
  tenant_id: string;
  account_id: string;
  id: string;
  network: string;
  address: string;
  created_at: DefaultTimestamp;
}

export interface OAuthClientTable {
  tenant_id: string;
  id: string;
  client_id: string;
  secret_hash: string;
  name: string;
  scopes: string[];
  revoked_at: NullableTimestamp;
  created_at: DefaultTimestamp;
}

export interface BrandTable {
  tenant_id: string;
  id: Generated<number>;
  name: string;
  crm_lookup_url: string | null;
  search_customers_by_channel: boolean;
  created_at: DefaultTimestamp;
  updated_at: DefaultTimestamp;
}

export interface CustomFieldDefinitionTable {
  tenant_id: string;
  name: string;
  type: CustomFieldType;
  label: string | null;
  options: Json<CustomFieldOptions>;
  created_at: DefaultTimestamp;
  updated_at: DefaultTimestamp;
}

export interface Database {
  installation: InstallationTable;
  tenants: TenantTable;
  counters: CounterTable;
  api_tokens: ApiTokenTable;
  customers: CustomerTable;
  customer_channels: CustomerChannelTable;
  customer_events: CustomerEventTable;
  customer_tickets: CustomerTicketTable;
  idempotency_keys: IdempotencyKeyTable;
  customer_accounts: CustomerAccountTable;
  account_addresses: AccountAddressTable;
  oauth_clients: OAuthClientTable;
  brands: BrandTable;
  custom_field_definitions: CustomFieldDefinitionTable;
}

export type TenantRow = Selectable<TenantTable>;
export type ApiTokenRow = Selectable<ApiTokenTable>;
export type CustomerRow = Selectable<CustomerTable>;
export type NewCustomerRow = Insertable<CustomerTable>;
export type CustomerUpdate = Updateable<CustomerTable>;
export type ChannelRow = Selectable<CustomerChannelTable>;
export type CustomerEventRow = Selectable<CustomerEventTable>;
export type CustomerTicketRow = Selectable<CustomerTicketTable>;
export type OAuthClientRow = Selectable<OAuthClientTable>;
export type BrandRow = Selectable<BrandTable>;
export type CustomFieldDefinitionRow = Selectable<CustomFieldDefinitionTable>;
