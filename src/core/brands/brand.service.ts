import type { Db } from '../../db/connect.js';
import { isForeignKeyViolation } from '../../db/errors.js';
import type { Ctx } from '../context.js';
import { notFound, validationFailed, type FieldError } from '../errors.js';
import { getTenant } from '../tenants/tenant.service.js';
import { toBrand } from './brand.mapper.js';
import { BRAND_LIMITS, type Brand, type CreateBrand, type PatchBrand } from './brand.model.js';
import { findBrand, insertBrand, listBrands, updateBrand, type BrandColumns } from './brand.repository.js';

/**
 * Brands of a tenant. The admin API and the CLI name the tenant by id (string); /v1 and the
 * surfaces pass their authenticated Ctx. Either way every look-up is within that tenant, so
 * another tenant's brand id is simply not found.
 */
export class BrandService {
  constructor(private readonly db: Db) {}

  async create(tenantId: string, input: CreateBrand): Promise<Brand> {
    const set = columnsFrom(input);
    try {
      return toBrand(await insertBrand(this.db, tenantId, { name: set.name!, crm_lookup_url: set.crm_lookup_url ?? null, search_customers_by_channel: set.search_customers_by_channel ?? false }));
    } catch (err) {
      // The tenant foreign key answers "no such tenant" without a look-up first.
      if (isForeignKeyViolation(err)) throw notFound('Tenant');
      throw err;
    }
  }

  async list(tenant: Ctx | string): Promise<Brand[]> {
    const tenantId = tenantIdOf(tenant);
    const rows = await listBrands(this.db, tenantId);
    // An admin caller named the tenant: an unknown one is a 404, not an empty list.
    if (rows.length === 0 && typeof tenant === 'string') await getTenant(this.db, tenantId);
    return rows.map(toBrand);
  }

  /** The brand with this id in the tenant, or 404 `Brand not found`. */
  async get(tenant: Ctx | string, brandId: number): Promise<Brand> {
    const row = await findBrand(this.db, tenantIdOf(tenant), brandId);
    if (!row) throw notFound('Brand');
    return toBrand(row);
  }

  /** Changes the fields given; `crmLookupUrl: null` removes the URL. */
  async update(tenant: Ctx | string, brandId: number, patch: PatchBrand): Promise<Brand> {
    const row = await updateBrand(this.db, tenantIdOf(tenant), brandId, { ...columnsFrom(patch), updated_at: new Date() });
    if (!row) throw notFound('Brand');
    return toBrand(row);
  }
}

const tenantIdOf = (tenant: Ctx | string) => (typeof tenant === 'string' ? tenant : tenant.tenant.id);

/** The columns a create or patch sets, checked: the name trimmed and not blank, the URL's form. */
function columnsFrom(input: PatchBrand): BrandColumns {
  const errors: FieldError[] = [];
  const set: BrandColumns = {};
  if (input.name !== undefined) {
    set.name = input.name.trim();
    if (set.name === '') errors.push({ field: 'name', message: 'must not be blank', code: 'blank' });
    if (set.name.length > BRAND_LIMITS.name) errors.push({ field: 'name', message: `must be at most ${BRAND_LIMITS.name} characters`, code: 'too_long' });
  }
  if (input.crmLookupUrl !== undefined) {
    set.crm_lookup_url = input.crmLookupUrl?.trim() ?? null;
    if (set.crm_lookup_url !== null && !isHttpUrl(set.crm_lookup_url)) {
      errors.push({ field: 'crmLookupUrl', message: `must be an absolute http or https URL of at most ${BRAND_LIMITS.crmLookupUrl} characters`, code: 'invalid_url' });
    }
  }
  if (input.searchCustomersByChannel !== undefined) set.search_customers_by_channel = input.searchCustomersByChannel;
  if (errors.length > 0) throw validationFailed(errors);
  return set;
}

/**
 * Only the form of the URL is checked here. Whether its host may be reached is decided when
 * it is called (core/outbound/safe-fetch.ts), on the address actually connected to: a check
 * now would say nothing about what the name resolves to later.
 */
function isHttpUrl(value: string): boolean {
  if (value.length > BRAND_LIMITS.crmLookupUrl) return false;
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}
