import { uuidv7 } from '../ids.js';
import type { Db } from '../../db/connect.js';
import type { TenantRow, TenantSettings } from '../../db/database.js';
import type { Tenant } from '../context.js';
import { notFound } from '../errors.js';

export function toTenant(row: TenantRow): Tenant {
  return {
    id: row.id,
    number: row.number,
    name: row.name,
    status: row.status,
    settings: row.settings ?? {},
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export async function createTenant(db: Db, input: { name: string; settings?: TenantSettings }): Promise<Tenant> {
  const row = await db
    .insertInto('tenants')
    .values({ id: uuidv7(), name: input.name, status: 'active', settings: JSON.stringify(input.settings ?? {}) })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toTenant(row);
}

export async function listTenants(db: Db, page: { limit: number; afterNumber?: number }): Promise<Tenant[]> {
  let q = db.selectFrom('tenants').selectAll().orderBy('number').limit(page.limit);
  if (page.afterNumber !== undefined) q = q.where('number', '>', page.afterNumber);
  return (await q.execute()).map(toTenant);
}

export async function getTenant(db: Db, id: string): Promise<Tenant> {
  const row = await db.selectFrom('tenants').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound('Tenant');
  return toTenant(row);
}

export interface TenantPatch {
  name?: string;
  status?: Tenant['status'];
  settings?: Partial<Record<keyof TenantSettings, TenantSettings[keyof TenantSettings] | null>>;
}

export async function updateTenant(db: Db, id: string, patch: TenantPatch): Promise<Tenant> {
  return db.transaction().execute(async (trx) => {
    const current = await trx.selectFrom('tenants').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
    if (!current) throw notFound('Tenant');
    const settings: Record<string, unknown> = { ...(current.settings ?? {}) };
    for (const [key, value] of Object.entries(patch.settings ?? {})) {
      if (value === null) delete settings[key];
      else settings[key] = value;
    }
    const row = await trx
      .updateTable('tenants')
      .set({
        ...(patch.name !== undefined ? { name: patch.name } : {}),
        ...(patch.status !== undefined ? { status: patch.status } : {}),
        settings: JSON.stringify(settings),
        updated_at: new Date(),
      })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    return toTenant(row);
  });
}
