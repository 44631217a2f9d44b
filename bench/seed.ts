import { sql } from 'kysely';
import pg from 'pg';
import { openDatabase } from '../src/db/connect.js';
import { ADMIN_TOKEN } from './process.js';
import type { Store } from './stores.js';

/**
 * The data set: tenants and their API tokens made through the admin API, then customers
 * written straight into the database with the rows the service would write for a
 * `POST /v1/customers` of `seedBody(n)`: the customer (number n), its email and phone
 * channels with their look-up keys, a `customer.created` event, and the tenant's counter,
 * so later creates get fresh numbers. `checkSeed` compares a seeded customer with one the
 * service creates from the same kind of body.
 *
 * Ids are computed, not stored: customer n of tenant i has a UUIDv7-shaped id made of
 * t0 + n (the millisecond of its createdAt), i and n, so the load generator can pick a
 * random existing id without holding a million of them.
 */

export interface BenchTenant {
  id: string;
  /** 0-based, part of every id the tenant's rows get. */
  index: number;
  token: string;
  tokenId: string;
}

export interface Dataset {
  /** createdAt of customer n is t0 + n ms. */
  t0: number;
  /** Customers 1..perTenant exist in every tenant. */
  perTenant: number;
  tenants: BenchTenant[];
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const hex = (value: number, width: number) => value.toString(16).padStart(width, '0');

/** kind: 0 the customer, 1 its email channel, 2 its phone channel, 3 its created event. */
export function benchId(t0: number, tenantIndex: number, n: number, kind = 0): string {
  const ms = hex(t0 + n, 12);
  return `${ms.slice(0, 8)}-${ms.slice(8)}-7${hex(tenantIndex, 3)}-${hex(0x8000 + kind, 4)}-${hex(n, 12)}`;
}

const TIERS = ['bronze', 'silver', 'gold'] as const;
const phoneOf = (n: number) => `+1212${5_000_000 + n}`;

/** The create request that customer n stands for. */
export function seedBody(n: number) {
  return {
    name: `Bench Customer ${n}`,
    email: `c${n}@bench.example`,
    phone: phoneOf(n),
    externalId: `ext-${n}`,
    status: n % 10 === 0 ? 'inactive' : 'active',
    billingAddress: { line1: `${n} Market Street`, city: 'San Francisco', postalCode: '94105', country: 'US' },
    source: 'bench',
    value: n % 1000,
    customFields: { tier: TIERS[n % 3] },
  };
}

/** A data set of these tenants, with no customers seeded yet. */
export function newDataset(tenants: BenchTenant[]): Dataset {
  // Customer n was created at t0 + n ms: a day ago, so a million of them are all in the past.
  return { t0: Date.now() - 86_400_000, perTenant: 0, tenants };
}

// ---- tenants and tokens, through the admin API ----

async function adminPost(baseUrl: string, path: string, body: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(`${baseUrl}/admin/v1${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const json = (await res.json()) as Record<string, unknown>;
  if (res.status !== 201) throw new Error(`POST /admin/v1${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

export async function createTenants(baseUrl: string, count: number): Promise<BenchTenant[]> {
  const tenants: BenchTenant[] = new Array(count);
  let next = 0;
  const worker = async () => {
    for (let index = next++; index < count; index = next++) {
      const tenant = await adminPost(baseUrl, '/tenants', { name: `Bench ${index}` });
      const token = await adminPost(baseUrl, `/tenants/${String(tenant.id)}/tokens`, { name: 'bench', scopes: ['customers:read', 'customers:write'] });
      tenants[index] = { id: String(tenant.id), index, token: String(token.token), tokenId: String(token.id) };
    }
  };
  await Promise.all(Array.from({ length: Math.min(8, count) }, worker));
  return tenants;
}

// ---- customers, in bulk ----

const BATCH_ROWS = 50_000;

/** One batch: customers from..to of each tenant given, in one implicit transaction. */
function batchSql(t0: number, tenants: BenchTenant[], from: number, to: number): string {
  for (const t of tenants) if (!UUID.test(t.id) || !UUID.test(t.tokenId)) throw new Error(`not a UUID: ${t.id} / ${t.tokenId}`);
  const values = tenants.map((t) => `('${t.id}'::uuid, ${t.index}, '${JSON.stringify({ type: 'token', id: t.tokenId })}'::jsonb)`).join(', ');
  const rows = `(select t.tenant_id, t.ti, t.actor, n, lpad(to_hex(${t0}::bigint + n), 12, '0') as h,
      to_timestamp((${t0}::bigint + n) / 1000.0) as at,
      'Bench Customer ' || n as name, 'c' || n || '@bench.example' as email, '+1212' || (5000000 + n) as phone,
      jsonb_build_object('line1', n || ' Market Street', 'city', 'San Francisco', 'postalCode', '94105', 'country', 'US') as address,
      jsonb_build_object('tier', (array['bronze', 'silver', 'gold'])[n % 3 + 1]) as custom
    from (values ${values}) as t(tenant_id, ti, actor) cross join generate_series(${from}, ${to}) as n) s`;
  const id = (kind: number) => `(substr(h, 1, 8) || '-' || substr(h, 9, 4) || '-7' || lpad(to_hex(ti), 3, '0') || '-${hex(0x8000 + kind, 4)}-' || lpad(to_hex(n), 12, '0'))::uuid`;
  const change = (value: string) => `jsonb_build_object('from', null, 'to', ${value})`;
  return [
    `insert into customers (tenant_id, id, number, name, first_name, last_name, type, category, status, external_id,
       billing_address, source, value, custom_fields, version, created_at, updated_at)
     select tenant_id, ${id(0)}, n, name, 'Bench', 'Customer ' || n, 'individual', 'customer',
       case when n % 10 = 0 then 'inactive' else 'active' end, 'ext-' || n, address, 'bench', n % 1000, custom, 1, at, at
     from ${rows}`,
    `insert into customer_channels (tenant_id, customer_id, id, type, label, value, normalized, is_primary, position, created_at)
     select tenant_id, ${id(0)}, ${id(1)}, 'email', '', email, email, true, 0, at from ${rows}
     union all
     select tenant_id, ${id(0)}, ${id(2)}, 'phone', '', phone, phone, true, 1, at from ${rows}`,
    `insert into customer_events (tenant_id, id, customer_id, type, actor, changes, occurred_at)
     select tenant_id, ${id(3)}, ${id(0)}, 'customer.created', actor,
       jsonb_build_object('name', ${change('name')}, 'firstName', ${change("'Bench'")}, 'lastName', ${change("'Customer ' || n")},
         'externalId', ${change("'ext-' || n")}, 'email', ${change('email')}, 'phone', ${change('phone')},
         'billingAddress', ${change('address')}, 'source', ${change("'bench'")}, 'value', ${change('n % 1000')},
         'customFields', ${change('custom')})
       || case when n % 10 = 0 then '{"status": {"from": null, "to": "inactive"}}'::jsonb else '{}'::jsonb end,
       at
     from ${rows}`,
    `insert into counters (tenant_id, name, value) select tenant_id, 'customer', ${to} from (values ${values}) as t(tenant_id, ti, actor)
     on conflict (tenant_id, name) do update set value = greatest(counters.value, excluded.value)`,
  ].join(';\n');
}

function* batches(dataset: Dataset, from: number, to: number) {
  const span = Math.min(to - from + 1, BATCH_ROWS);
  const tenantsPerBatch = Math.max(1, Math.floor(BATCH_ROWS / span));
  for (let i = 0; i < dataset.tenants.length; i += tenantsPerBatch) {
    for (let start = from; start <= to; start += span) {
      yield batchSql(dataset.t0, dataset.tenants.slice(i, i + tenantsPerBatch), start, Math.min(to, start + span - 1));
    }
  }
}

/**
 * After a bulk load, what a store in service would have had done to it by autovacuum (as pgbench
 * does after loading): statistics, and the rows' hint bits and the visibility map set, so that
 * the measured reads do not pay for setting hint bits and writing the pages back on first touch.
 */
const SETTLE = 'vacuum analyze';

/**
 * Writes customers from..to of every tenant, into a store a first start of Patron has migrated
 * (the one that made the tenants): seeding never migrates, so a comparison's base build keeps
 * the schema it made. Patron must not be running on a PGlite store (it is single-process); on
 * PostgreSQL it may be.
 */
export async function seedCustomers(store: Store, dataset: Dataset, from: number, to: number): Promise<void> {
  if (store.kind === 'postgres') {
    const client = new pg.Client({ connectionString: store.url });
    await client.connect();
    try {
      for (const statement of batches(dataset, from, to)) await client.query(statement);
      await client.query(SETTLE);
    } finally {
      await client.end();
    }
    return;
  }
  const database = await openDatabase({ kind: 'pglite', dataDir: store.dataDir! });
  try {
    for (const statement of batches(dataset, from, to)) await sql.raw(statement).execute(database.db);
    await sql.raw(SETTLE).execute(database.db);
  } finally {
    await database.close();
  }
}

// ---- the seed writes what the service writes ----

async function api(baseUrl: string, token: string, method: string, path: string, body?: unknown) {
  const res = await fetch(baseUrl + path, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

/**
 * Creates customer perTenant + 1 through the API and compares it, digits masked, with a
 * seeded customer of the same status and tier: same fields, same channels, same event, and
 * the number the counter hands out next. Throws on a difference.
 */
export async function checkSeed(baseUrl: string, dataset: Dataset): Promise<void> {
  const tenant = dataset.tenants[0]!;
  const m = dataset.perTenant + 1;
  const n = ((m - 1) % 30) + 1;
  const created = await api(baseUrl, tenant.token, 'POST', '/v1/customers', seedBody(m));
  if (created.status !== 201) throw new Error(`seed check: POST answered ${created.status}: ${JSON.stringify(created.json)}`);
  if (created.json.number !== m) throw new Error(`seed check: the next create got number ${String(created.json.number)}, not ${m}: the counter was not seeded`);
  const seededId = benchId(dataset.t0, tenant.index, n);
  const seeded = await api(baseUrl, tenant.token, 'GET', `/v1/customers/${seededId}`);
  const events = await Promise.all([created.json.id, seededId].map((id) => api(baseUrl, tenant.token, 'GET', `/v1/customers/${String(id)}/events`)));
  const shape = (customer: Record<string, unknown>, events: Record<string, unknown>) => {
    const { id: _id, number: _number, createdAt: _c, updatedAt: _u, ...fields } = customer;
    const timeline = (events.data as Record<string, unknown>[]).map(({ type, actor, changes }) => ({ type, actor, changes }));
    return JSON.stringify({ fields, timeline }).replace(/\d+/g, '#');
  };
  const want = shape(created.json, events[0]!.json);
  const got = shape(seeded.json, events[1]!.json);
  if (want !== got) throw new Error(`seed check: a seeded customer differs from one the service writes\n  service: ${want}\n  seeded:  ${got}`);
  // The channels' look-up keys: each look-up finds the seeded customer.
  const body = seedBody(n);
  for (const query of [`email=${encodeURIComponent(body.email)}`, `phone=${encodeURIComponent(body.phone)}`, `externalId=${body.externalId}`]) {
    const found = await api(baseUrl, tenant.token, 'GET', `/v1/customers?${query}`);
    const ids = (found.json.data as { id: string }[] | undefined)?.map((c) => c.id);
    if (ids?.length !== 1 || ids[0] !== seededId) throw new Error(`seed check: GET /v1/customers?${query} found ${JSON.stringify(ids)}, not ${seededId}`);
  }
}
