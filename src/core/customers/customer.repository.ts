import { sql, type ExpressionBuilder, type QueryCreator, type Transaction } from 'kysely';
import { jsonArrayFrom } from 'kysely/helpers/postgres';
import { uuidv7 } from 'uuidv7';
import type { Db } from '../../db/connect.js';
import type { Actor, CustomerRow, CustomerUpdate, Database, NewCustomerRow } from '../../db/database.js';
import { precompiled } from '../../db/precompiled.js';
import type { CustomerRecord, StoredChannel } from './customer.mapper.js';

/**
 * Data access for customers. Every function takes the executor first (the pool or the
 * caller's transaction) and the tenant id second, and every statement filters by tenant.
 */

export type Executor = Db | Transaction<Database>;

function channelsOf(eb: ExpressionBuilder<Database, 'customers'>) {
  return jsonArrayFrom(
    eb
      .selectFrom('customer_channels as ch')
      .select(['ch.type', 'ch.label', 'ch.value', 'ch.normalized', 'ch.is_primary as isPrimary', 'ch.position'])
      .whereRef('ch.tenant_id', '=', 'customers.tenant_id')
      .whereRef('ch.customer_id', '=', 'customers.id')
      .orderBy('ch.position'),
  ).as('channels');
}

export function selectCustomers(db: Executor, tenantId: string) {
  return db
    .selectFrom('customers')
    .selectAll('customers')
    .select((eb) => channelsOf(eb))
    .where('customers.tenant_id', '=', tenantId);
}

// The hottest reads, compiled once (see db/precompiled.ts).
const byId = precompiled(2, (db: Db, tenantId: string, id: string) => selectCustomers(db, tenantId).where('customers.id', '=', id));
const byExternalId = precompiled(2, (db: Db, tenantId: string, externalId: string) => selectCustomers(db, tenantId).where('customers.external_id', '=', externalId));

export async function findCustomer(db: Executor, tenantId: string, id: string): Promise<CustomerRecord | undefined> {
  return (await byId(db, tenantId, id))[0] as CustomerRecord | undefined;
}

export async function findCustomerByExternalId(db: Executor, tenantId: string, externalId: string): Promise<CustomerRecord | undefined> {
  return (await byExternalId(db, tenantId, externalId))[0] as CustomerRecord | undefined;
}

/** Takes the customer's row lock for the rest of the transaction; false when there is no such customer. */
export async function lockCustomer(db: Executor, tenantId: string, id: string): Promise<boolean> {
  const row = await db.selectFrom('customers').select('id').where('tenant_id', '=', tenantId).where('id', '=', id).forUpdate().executeTakeFirst();
  return row !== undefined;
}

export async function findCustomerIdBy(
  db: Executor,
  tenantId: string,
  column: 'external_id' | 'company_number',
  value: string,
): Promise<string | undefined> {
  const row = await db.selectFrom('customers').select('id').where('tenant_id', '=', tenantId).where(column, '=', value).executeTakeFirst();
  return row?.id;
}

export async function findCustomerIdByNameAndPostalCode(db: Executor, tenantId: string, name: string, postalCode: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('customers')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .where(sql<string>`lower(name)`, '=', name.toLowerCase())
    .where(sql<string>`billing_address->>'postalCode'`, '=', postalCode)
    .executeTakeFirst();
  return row?.id;
}

/** A live business customer of the tenant, which others can belong to. */
export async function findCompany(db: Executor, tenantId: string, id: string) {
  return db
    .selectFrom('customers')
    .select(['id', 'number', 'external_id'])
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .where('type', '=', 'business')
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
}

export interface NewEvent {
  type: string;
  actor: Actor;
  changes: Record<string, unknown>;
  at: Date;
}

const channelRows = (tenantId: string, customerId: string, channels: StoredChannel[]) =>
  channels.map((c) => ({
    tenant_id: tenantId,
    customer_id: customerId,
    id: uuidv7(),
    type: c.type,
    label: c.label,
    value: c.value,
    normalized: c.normalized,
    is_primary: c.isPrimary,
    position: c.position,
  }));

const eventRows = (tenantId: string, customerId: string, events: NewEvent[]) =>
  events.map((e) => ({
    tenant_id: tenantId,
    id: uuidv7(),
    customer_id: customerId,
    type: e.type,
    actor: JSON.stringify(e.actor),
    changes: JSON.stringify(e.changes),
    occurred_at: e.at,
  }));

/**
 * The channel and timeline writes that go with a customer write, as common table expressions
 * of the same statement: `channels` (when given) replace the customer's channels. Every
 * data-modifying CTE sees the same snapshot and the foreign keys are checked at the end of the
 * statement, so the customer row written by a sibling CTE satisfies them.
 */
function withSideWrites(qc: QueryCreator<Database>, tenantId: string, customerId: string, channels: StoredChannel[] | null, events: NewEvent[], replace: boolean) {
  // The CTEs are chosen at run time, which Kysely's types (one type per CTE list) cannot follow.
  let q = qc as QueryCreator<any>;
  if (channels !== null && replace) {
    q = q.with('removed_channels', (db) => db.deleteFrom('customer_channels').where('tenant_id', '=', tenantId).where('customer_id', '=', customerId));
  }
  if (channels !== null && channels.length > 0) {
    q = q.with('added_channels', (db) => db.insertInto('customer_channels').values(channelRows(tenantId, customerId, channels)));
  }
  if (events.length > 0) q = q.with('added_events', (db) => db.insertInto('customer_events').values(eventRows(tenantId, customerId, events)));
  return q;
}

/**
 * Inserts a customer, its channels and its events in one statement: atomic without a
 * transaction, one round trip, and the row comes back as stored (RETURNING) instead of being
 * read again.
 */
export async function insertCustomer(
  db: Executor,
  tenantId: string,
  row: Omit<NewCustomerRow, 'tenant_id'> & { id: string },
  channels: StoredChannel[],
  events: NewEvent[],
): Promise<CustomerRecord> {
  const stored = (await withSideWrites(db, tenantId, row.id, channels, events, false)
    .with('created', (qc) => qc.insertInto('customers').values({ ...row, tenant_id: tenantId }).returningAll())
    .selectFrom('created')
    .selectAll()
    .executeTakeFirstOrThrow()) as CustomerRow;
  return { ...stored, channels };
}

/**
 * Updates a customer's columns, replaces its channels when `channels` is not null (else keeps
 * `current.channels`) and appends its events, in one statement. The caller holds the row lock.
 */
export async function updateCustomer(
  db: Executor,
  tenantId: string,
  current: CustomerRecord,
  set: CustomerUpdate,
  channels: StoredChannel[] | null,
  events: NewEvent[],
): Promise<CustomerRecord> {
  const stored = (await withSideWrites(db, tenantId, current.id, channels, events, true)
    .with('updated', (qc) => qc.updateTable('customers').set(set).where('tenant_id', '=', tenantId).where('id', '=', current.id).returningAll())
    .selectFrom('updated')
    .selectAll()
    .executeTakeFirstOrThrow()) as CustomerRow;
  return { ...stored, channels: channels ?? current.channels };
}

/** Appends events to a customer's timeline (writes that change no customer column, e.g. accounts). */
export async function insertEvents(db: Executor, tenantId: string, customerId: string, events: NewEvent[]) {
  await db.insertInto('customer_events').values(eventRows(tenantId, customerId, events)).execute();
}

/** Keeps which fields changed in each past event and drops their values (GDPR purge). */
export async function redactEvents(db: Executor, tenantId: string, customerId: string) {
  await db
    .updateTable('customer_events')
    .set({
      changes: sql`coalesce((select jsonb_object_agg(k, '{"redacted": true}'::jsonb) from jsonb_object_keys(changes) as k), '{}'::jsonb)`,
    })
    .where('tenant_id', '=', tenantId)
    .where('customer_id', '=', customerId)
    .execute();
}

export async function deleteStoredResponses(db: Executor, tenantId: string, customerId: string) {
  await db.deleteFrom('idempotency_keys').where('tenant_id', '=', tenantId).where('resource_id', '=', customerId).execute();
}

export async function deleteAccounts(db: Executor, tenantId: string, customerId: string) {
  await db.deleteFrom('customer_accounts').where('tenant_id', '=', tenantId).where('customer_id', '=', customerId).execute();
}
