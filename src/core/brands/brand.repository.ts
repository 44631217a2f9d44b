import type { BrandRow } from '../../db/database.js';
import type { Executor } from '../customers/customer.repository.js';

/** Data access for brands: executor first, tenant second, every statement filtered by tenant. */

export function findBrand(db: Executor, tenantId: string, id: number): Promise<BrandRow | undefined> {
  return db.selectFrom('brands').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
}

export function listBrands(db: Executor, tenantId: string): Promise<BrandRow[]> {
  return db.selectFrom('brands').selectAll().where('tenant_id', '=', tenantId).orderBy('id').execute();
}

export interface BrandColumns {
  name?: string;
  crm_lookup_url?: string | null;
  search_customers_by_channel?: boolean;
}

export function insertBrand(db: Executor, tenantId: string, values: Required<BrandColumns>): Promise<BrandRow> {
  return db.insertInto('brands').values({ ...values, tenant_id: tenantId }).returningAll().executeTakeFirstOrThrow();
}

export function updateBrand(
  db: Executor,
  tenantId: string,
  id: number,
  set: BrandColumns & { updated_at: Date },
): Promise<BrandRow | undefined> {
  return db.updateTable('brands').set(set).where('tenant_id', '=', tenantId).where('id', '=', id).returningAll().executeTakeFirst();
}
