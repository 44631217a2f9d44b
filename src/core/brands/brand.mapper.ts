import type { BrandRow } from '../../db/database.js';
import type { Brand } from './brand.model.js';

/** Brand rows become API objects here and nowhere else. */
export function toBrand(row: BrandRow): Brand {
  return {
    id: row.id,
    name: row.name,
    crmLookupUrl: row.crm_lookup_url,
    searchCustomersByChannel: row.search_customers_by_channel,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}
