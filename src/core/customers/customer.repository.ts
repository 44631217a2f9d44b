import { sql, type ExpressionBuilder, type QueryCreator, type Transaction } from 'kysely';
import { jsonArrayFrom } from 'kysely/helpers/postgres';
import { uuidv7 } from '../ids.js';
import type { Db } from '../../db/connect.js';
import type { Actor, CustomerUpdate, Database, NewCustomerRow } from '../../db/database.js';
import { precompiled, precompiledShapes } from '../../db/precompiled.js';
import { planChannels, recordFromJson, type ChannelDraft, type ChannelPlan, type CustomerJson, type CustomerRecord, type StoredChannel } from './customer.mapper.js';

/**
 * Data access for customers. Every function takes the executor first (the pool or the
 * caller's transaction) and the tenant id second, and every statement filters by tenant.
 */

export type Executor = Db | Transaction<Database>;

function channelsOf(eb: ExpressionBuilder<Database, 'customers'>) {
  return jsonArrayFrom(
    eb
      .selectFrom('customer_channels as ch')
      .select(['ch.id', 'ch.type', 'ch.label', 'ch.value', 'ch.normalized', 'ch.is_primary as isPrimary', 'ch.position', 'ch.created_at as createdAt'])
      .whereRef('ch.tenant_id', '=', 'customers.tenant_id')
      .whereRef('ch.customer_id', '=', 'customers.id')
      .orderBy('ch.position'),
  ).as('channels');
}

/**
 * A customer comes back as two values, the row as JSON and its channels as a JSON array, not as
 * thirty columns: pg describes and parses every column of every result anew (a row
 * description, then one parser per column), which was a fifth of a GET by id's CPU, where
 * one JSON value is parsed natively. recordFromJson turns the pair into a record. Writes
 * return their row (`created`, `updated`) the same way.
 */
const customerJson = (table: 'customers' | 'created' | 'updated') => sql<CustomerJson>`to_json(${sql.table(table)})`.as('customer');

export interface SelectedCustomer {
  customer: CustomerJson;
  channels: StoredChannel[];
}

export const toRecord = (row: SelectedCustomer): CustomerRecord => recordFromJson(row.customer, row.channels);

/** The tenant's customers, each as a SelectedCustomer. */
export function selectCustomers(db: Executor, tenantId: string) {
  return db
    .selectFrom('customers')
    .select((eb) => [customerJson('customers'), channelsOf(eb)])
    .where('customers.tenant_id', '=', tenantId);
}

// The hottest reads, compiled once (see db/precompiled.ts).
const byId = precompiled(2, (db: Db, tenantId: string, id: string) => selectCustomers(db, tenantId).where('customers.id', '=', id));
const byExternalId = precompiled(2, (db: Db, tenantId: string, externalId: string) => selectCustomers(db, tenantId).where('customers.external_id', '=', externalId));

export async function findCustomer(db: Executor, tenantId: string, id: string): Promise<CustomerRecord | undefined> {
  const [row] = (await byId(db, tenantId, id)) as SelectedCustomer[];
  return row && toRecord(row);
}

export async function findCustomerByExternalId(db: Executor, tenantId: string, externalId: string): Promise<CustomerRecord | undefined> {
  const [row] = (await byExternalId(db, tenantId, externalId)) as SelectedCustomer[];
  return row && toRecord(row);
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
  details?: Record<string, unknown> | null;
  at: Date;
}

/** Events as the JSON array eventInsert expands (ids given here: UUIDv7, so in order of writing). */
const eventsJson = (events: NewEvent[]) =>
  JSON.stringify(events.map((e) => ({ id: uuidv7(), type: e.type, actor: e.actor, changes: e.changes, details: e.details ?? null, occurred_at: e.at })));

/** Inserts the events of one customer, given as the JSON array eventsJson makes. */
function eventInsert(qc: QueryCreator<Database>, tenantId: string, customerId: string, events: string) {
  return qc
    .insertInto('customer_events')
    .columns(['tenant_id', 'id', 'customer_id', 'type', 'actor', 'changes', 'details', 'occurred_at'])
    .expression(
      sql`select ${tenantId}::uuid, e.id, ${customerId}::uuid, e.type, e.actor, e.changes, e.details, e.occurred_at
        from json_to_recordset(${events}::json) as e(id uuid, type text, actor jsonb, changes jsonb, details jsonb, occurred_at timestamptz)`,
    );
}

export interface TicketInsert {
  ticketId: string;
  at: Date;
}

/**
 * The rows written beside a customer, each table's as one JSON array (the `json_to_recordset`
 * parameters of withSideWrites).
 */
interface SideRows {
  /** Ids of the channel rows to delete; left out by a create, which has none. */
  remove?: string;
  channels: string;
  events: string;
  tickets: string;
}

function sideRows(plan: Pick<ChannelPlan, 'upsert' | 'remove'> | null, events: NewEvent[], tickets: TicketInsert[] = []): Required<SideRows> {
  return {
    remove: JSON.stringify(plan?.remove ?? []),
    channels: JSON.stringify(
      (plan?.upsert ?? []).map((c) => ({ id: c.id, type: c.type, label: c.label, value: c.value, normalized: c.normalized, is_primary: c.isPrimary, position: c.position, created_at: c.createdAt })),
    ),
    events: eventsJson(events),
    tickets: JSON.stringify(tickets.map((t) => ({ ticket_id: t.ticketId, linked_at: t.at }))),
  };
}

/**
 * The channel, timeline and ticket writes that go with a customer write, as common table
 * expressions of the same statement. Channels are reconciled, not replaced (see planChannels):
 * removed rows deleted, new rows inserted, changed rows updated in place, so ids stay stable.
 * Every data-modifying CTE sees the same snapshot and the foreign keys are checked at the end
 * of the statement, so the customer row written by a sibling CTE satisfies them.
 *
 * Each table's rows arrive as one JSON array, expanded by `json_to_recordset`, so the statement
 * has one text however many rows a write carries: it is built once (precompiled) and parsed and
 * planned once per connection, where rows as VALUES lists made a new statement for every count.
 */
function withSideWrites(qc: QueryCreator<Database>, tenantId: string, customerId: string, rows: SideRows): QueryCreator<Database> {
  // Whether the first CTE is there is chosen at run time, which Kysely's types (one type per
  // CTE list) cannot follow; nothing refers to these CTEs by name, so the caller keeps the
  // schema's types. Kysely puts a raw CTE body in the statement as written: hence the parentheses.
  let q = qc as QueryCreator<any>;
  if (rows.remove !== undefined) {
    q = q.with('removed_channels', () =>
      sql`(delete from customer_channels where tenant_id = ${tenantId}::uuid and customer_id = ${customerId}::uuid
        and id in (select r.id::uuid from json_array_elements_text(${rows.remove}::json) as r(id)))`,
    );
  }
  return q
    .with('written_channels', () =>
      sql`(insert into customer_channels (tenant_id, customer_id, id, type, label, value, normalized, is_primary, position, created_at)
        select ${tenantId}::uuid, ${customerId}::uuid, c.id, c.type, c.label, c.value, c.normalized, c.is_primary, c.position, c.created_at
        from json_to_recordset(${rows.channels}::json)
          as c(id uuid, type text, label text, value text, normalized text, is_primary boolean, position integer, created_at timestamptz)
        on conflict (tenant_id, id) do update set label = excluded.label, value = excluded.value, normalized = excluded.normalized,
          is_primary = excluded.is_primary, position = excluded.position)`,
    )
    .with('added_events', (db) => eventInsert(db, tenantId, customerId, rows.events))
    .with('linked_tickets', () =>
      sql`(insert into customer_tickets (tenant_id, customer_id, ticket_id, linked_at)
        select ${tenantId}::uuid, ${customerId}::uuid, t.ticket_id, t.linked_at
        from json_to_recordset(${rows.tickets}::json) as t(ticket_id text, linked_at timestamptz)
        on conflict do nothing)`,
    );
}

type NewCustomer = Omit<NewCustomerRow, 'tenant_id'> & { id: string; created_at: Date };

/** The columns a create writes, in a fixed order: the insert's parameters follow it. */
const INSERT_COLUMNS = [
  'id', 'number', 'name', 'first_name', 'last_name', 'type', 'category', 'status', 'company_id', 'brand_id', 'external_id', 'company_number', 'fax',
  'billing_address', 'location', 'ip', 'source', 'value', 'auto_payment', 'notes', 'custom_fields', 'version', 'created_at', 'updated_at', 'deleted_at',
] as const satisfies readonly (keyof NewCustomer)[];

const insertStatement = precompiled(
  4 + INSERT_COLUMNS.length,
  (db: Db, tenantId: string, channels: string, events: string, tickets: string, ...columns: unknown[]) =>
    withSideWrites(db, tenantId, columns[0] as string, { channels, events, tickets })
      .with('created', (qc) =>
        qc
          .insertInto('customers')
          .values({ tenant_id: tenantId, ...(Object.fromEntries(INSERT_COLUMNS.map((c, i) => [c, columns[i]])) as NewCustomer) })
          .returningAll(),
      )
      .selectFrom('created')
      .select(customerJson('created')),
);

/**
 * Inserts a customer, its channels, its events and its ticket links in one statement: atomic
 * without a transaction, one round trip, and the row comes back as stored (RETURNING) instead
 * of being read again.
 */
export async function insertCustomer(db: Executor, tenantId: string, row: NewCustomer, drafts: ChannelDraft[], events: NewEvent[], tickets: TicketInsert[] = []): Promise<CustomerRecord> {
  const plan = planChannels([], drafts, row.created_at);
  const side = sideRows(plan, events, tickets);
  const [stored] = (await insertStatement(db, tenantId, side.channels, side.events, side.tickets, ...INSERT_COLUMNS.map((c) => row[c] ?? null))) as { customer: CustomerJson }[];
  return recordFromJson(stored!.customer, plan.channels);
}

// Arguments: the tenant, the customer, the side rows (removed channels, channels, events,
// tickets), then the value of each of the shape's columns in order. One statement per set of
// columns: a patch always sets every state column (columnsFromState), a delete or restore its own few.
const updateStatement = precompiledShapes((db: Db, columns: (keyof CustomerUpdate)[], p: unknown[]) => {
  const [tenantId, customerId, remove, channels, events, tickets] = p as string[];
  return withSideWrites(db, tenantId!, customerId!, { remove, channels: channels!, events: events!, tickets: tickets! })
    .with('updated', (qc) =>
      qc
        .updateTable('customers')
        .set(Object.fromEntries(columns.map((c, i) => [c, p[6 + i]])) as CustomerUpdate)
        .where('tenant_id', '=', tenantId!)
        .where('id', '=', customerId!)
        .returningAll(),
    )
    .selectFrom('updated')
    .select(customerJson('updated'));
});

/**
 * Updates a customer's columns, applies a channel plan when given (else keeps
 * `current.channels`) and appends its events, in one statement. The caller holds the row lock.
 */
export async function updateCustomer(
  db: Executor,
  tenantId: string,
  current: CustomerRecord,
  set: CustomerUpdate,
  plan: ChannelPlan | null,
  events: NewEvent[],
): Promise<CustomerRecord> {
  // Kysely leaves undefined values out of an update; so does the shape.
  const columns = (Object.keys(set) as (keyof CustomerUpdate)[]).filter((c) => set[c] !== undefined);
  const side = sideRows(plan, events);
  const [stored] = (await updateStatement(db, columns.join(','), columns, [
    tenantId,
    current.id,
    side.remove,
    side.channels,
    side.events,
    side.tickets,
    ...columns.map((c) => set[c]),
  ])) as { customer: CustomerJson }[];
  if (!stored) throw new Error('updateCustomer: the customer was not there to update (the caller holds its lock)');
  return recordFromJson(stored.customer, plan?.channels ?? current.channels);
}

/** Appends events to a customer's timeline (writes that change no customer column, e.g. accounts). */
export async function insertEvents(db: Executor, tenantId: string, customerId: string, events: NewEvent[]) {
  return eventInsert(db, tenantId, customerId, eventsJson(events)).returningAll().execute();
}

export async function customerExists(db: Executor, tenantId: string, id: string): Promise<boolean> {
  return (await db.selectFrom('customers').select('id').where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst()) !== undefined;
}

/**
 * Holds the customer against a concurrent purge (a key-share lock: it waits for a purge, not for
 * other appends) for writes beside the customer (timeline, tickets); undefined when there is none.
 */
export async function holdCustomer(db: Executor, tenantId: string, id: string) {
  return db.selectFrom('customers').select(['deleted_at', 'purged_at']).where('tenant_id', '=', tenantId).where('id', '=', id).forKeyShare().executeTakeFirst();
}

/**
 * Keeps which fields changed in each past event and drops their values, and replaces every
 * event's details (an external event's text, a channel's or ticket's identity) by
 * `{"redacted": true}` (GDPR purge).
 */
export async function redactEvents(db: Executor, tenantId: string, customerId: string) {
  await db
    .updateTable('customer_events')
    .set({
      changes: sql`coalesce((select jsonb_object_agg(k, '{"redacted": true}'::jsonb) from jsonb_object_keys(changes) as k), '{}'::jsonb)`,
      details: sql`case when details is null then null else '{"redacted": true}'::jsonb end`,
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

export async function deleteTickets(db: Executor, tenantId: string, customerId: string) {
  await db.deleteFrom('customer_tickets').where('tenant_id', '=', tenantId).where('customer_id', '=', customerId).execute();
}

/** Links a ticket; undefined when the link already exists. */
export async function insertTicket(db: Executor, tenantId: string, customerId: string, ticketId: string, at: Date) {
  return db
    .insertInto('customer_tickets')
    .values({ tenant_id: tenantId, customer_id: customerId, ticket_id: ticketId, linked_at: at })
    .onConflict((oc) => oc.doNothing())
    .returningAll()
    .executeTakeFirst();
}

export async function deleteTicket(db: Executor, tenantId: string, customerId: string, ticketId: string): Promise<boolean> {
  const result = await db.deleteFrom('customer_tickets').where('tenant_id', '=', tenantId).where('customer_id', '=', customerId).where('ticket_id', '=', ticketId).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

export async function selectTickets(db: Executor, tenantId: string, customerId: string, ticketId?: string) {
  return db
    .selectFrom('customer_tickets')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('customer_id', '=', customerId)
    .$if(ticketId !== undefined, (q) => q.where('ticket_id', '=', ticketId!))
    .orderBy('linked_at')
    .orderBy('ticket_id')
    .execute();
}
