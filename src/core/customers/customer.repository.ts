import { sql, type ExpressionBuilder, type Transaction } from 'kysely';
import { jsonArrayFrom } from 'kysely/helpers/postgres';
import { uuidv7 } from 'uuidv7';
import type { Db } from '../../db/connect.js';
import type { Actor, Database } from '../../db/database.js';
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

export async function findCustomer(db: Executor, tenantId: string, id: string): Promise<CustomerRecord | undefined> {
  return (await selectCustomers(db, tenantId).where('customers.id', '=', id).executeTakeFirst()) as CustomerRecord | undefined;
}

export async function findCustomerByExternalId(db: Executor, tenantId: string, externalId: string): Promise<CustomerRecord | undefined> {
  return (await selectCustomers(db, tenantId).where('customers.external_id', '=', externalId).executeTakeFirst()) as CustomerRecord | undefined;
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

export async function insertChannels(db: Executor, tenantId: string, customerId: string, channels: StoredChannel[]) {
  if (channels.length === 0) return;
  await db
    .insertInto('customer_channels')
    .values(
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
      })),
    )
    .execute();
}

export async function replaceChannels(db: Executor, tenantId: string, customerId: string, channels: StoredChannel[]) {
  await db.deleteFrom('customer_channels').where('tenant_id', '=', tenantId).where('customer_id', '=', customerId).execute();
  await insertChannels(db, tenantId, customerId, channels);
}

export async function insertEvent(
  db: Executor,
  tenantId: string,
  event: { customerId: string; type: string; actor: Actor; changes: Record<string, unknown>; at: Date },
) {
  await db
    .insertInto('customer_events')
    .values({
      tenant_id: tenantId,
      id: uuidv7(),
      customer_id: event.customerId,
      type: event.type,
      actor: JSON.stringify(event.actor),
      changes: JSON.stringify(event.changes),
      occurred_at: event.at,
    })
    .execute();
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
