import { AccountService } from './core/accounts/account.service.js';
import { BrandService } from './core/brands/brand.service.js';
import { CrmService } from './core/crm/crm.service.js';
import { CustomFieldService } from './core/custom-fields/custom-field.service.js';
import { Authenticator } from './core/auth/authenticate.js';
import { CustomerQueries } from './core/customers/customer.queries.js';
import { CustomerService } from './core/customers/customer.service.js';
import { NumberAllocator } from './core/customers/numbers.js';
import { TimelineService } from './core/customers/timeline.service.js';
import { IdempotencyStore } from './core/idempotency/idempotency.service.js';
import { createSafeFetch, type SafeFetch } from './core/outbound/safe-fetch.js';
import type { DatabaseHandle, Db } from './db/connect.js';

/** The core's services, wired once per process over one database handle. */
export interface Services {
  database: DatabaseHandle;
  db: Db;
  customers: CustomerService;
  queries: CustomerQueries;
  /** External events and ticket links on customers' timelines. */
  timeline: TimelineService;
  idempotency: IdempotencyStore;
  accounts: AccountService;
  brands: BrandService;
  customFields: CustomFieldService;
  /** Brands' CRM look-ups (seed 003's syncWithCRM). */
  crm: CrmService;
  /** SHA-256 of the admin API secret. */
  adminTokenHash: string;
  /** Signs and verifies OAuth access tokens. */
  signingKey: Uint8Array;
  authenticator: Authenticator;
}

/** `outbound` makes the CRM look-ups: the SSRF-safe client, with the PATRON_OUTBOUND_ALLOW exceptions. */
export function createServices(database: DatabaseHandle, keys: { adminTokenHash: string; signingKey: Uint8Array }, outbound: SafeFetch = createSafeFetch()): Services {
  const db = database.db;
  const customFields = new CustomFieldService(db);
  const customers = new CustomerService(db, new NumberAllocator(db), customFields);
  const queries = new CustomerQueries(db, customFields);
  const timeline = new TimelineService(db);
  const brands = new BrandService(db);
  return {
    database,
    db,
    customers,
    queries,
    timeline,
    idempotency: new IdempotencyStore(db),
    accounts: new AccountService(db),
    brands,
    customFields,
    crm: new CrmService(customers, queries, brands, timeline, outbound),
    authenticator: new Authenticator(db, keys.signingKey),
    ...keys,
  };
}
