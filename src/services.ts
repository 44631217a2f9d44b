import { AccountService } from './core/accounts/account.service.js';
import { Authenticator } from './core/auth/authenticate.js';
import { CustomerQueries } from './core/customers/customer.queries.js';
import { CustomerService } from './core/customers/customer.service.js';
import { NumberAllocator } from './core/customers/numbers.js';
import { IdempotencyStore } from './core/idempotency/idempotency.service.js';
import type { DatabaseHandle, Db } from './db/connect.js';

/** The core's services, wired once per process over one database handle. */
export interface Services {
  database: DatabaseHandle;
  db: Db;
  customers: CustomerService;
  queries: CustomerQueries;
  idempotency: IdempotencyStore;
  accounts: AccountService;
  /** SHA-256 of the admin API secret. */
  adminTokenHash: string;
  /** Signs and verifies OAuth access tokens. */
  signingKey: Uint8Array;
  authenticator: Authenticator;
}

export function createServices(database: DatabaseHandle, keys: { adminTokenHash: string; signingKey: Uint8Array }): Services {
  const db = database.db;
  return {
    database,
    db,
    customers: new CustomerService(db, new NumberAllocator(db)),
    queries: new CustomerQueries(db),
    idempotency: new IdempotencyStore(db),
    accounts: new AccountService(db),
    authenticator: new Authenticator(db, keys.signingKey),
    ...keys,
  };
}
