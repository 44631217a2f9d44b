import { benchId, seedBody, type BenchTenant, type Dataset } from './seed.js';
import type { RequestPlan } from './load.js';
import type { DbKind } from './stores.js';

/**
 * What the benchmark asks Patron, one scenario per kind of request. Each request picks a
 * random existing customer (of a random tenant, when there are several); writes send bodies
 * that really change something, so no write is a no-op.
 */

export type CeilingKey = 'bare' | 'pg-select' | 'pg-insert' | 'pglite-select';

export interface Scenario {
  key: string;
  title: string;
  expected: number;
  /** Growth runs repeat the reads only. */
  read: boolean;
  /** The ceiling the scenario is reported against, per store (null: none measured). */
  ceiling: Record<DbKind, CeilingKey | null>;
  /** A new plan per store: it may keep state (ETags) across the store's runs. */
  plan(dataset: Dataset): RequestPlan;
  /** Checked once before the runs: a reason to skip the scenario, or null. */
  skipIf?(baseUrl: string, dataset: Dataset): Promise<string | null>;
}

const random = (n: number) => Math.floor(Math.random() * n);

/** A random customer among numbers from..to (all of them by default) of a random tenant. */
export function pick(dataset: Dataset, from = 1, to = dataset.perTenant) {
  const tenant = dataset.tenants[random(dataset.tenants.length)]!;
  const n = from + random(to - from + 1);
  return { tenant, n, id: benchId(dataset.t0, tenant.index, n) };
}

const auth = (tenant: BenchTenant) => ({ authorization: `Bearer ${tenant.token}` });
const json = { 'content-type': 'application/json' };
const READ = { pglite: 'pglite-select', postgres: 'pg-select' } as const;
const WRITE = { pglite: null, postgres: 'pg-insert' } as const;

/** GET of a path built from a random customer. */
const get = (path: (c: ReturnType<typeof pick>) => string) => (dataset: Dataset): RequestPlan => ({
  next: () => {
    const c = pick(dataset);
    return { method: 'GET', path: path(c), headers: auth(c.tenant) };
  },
});

let runTag = 0;

export const SCENARIOS: Scenario[] = [
  {
    key: 'get-by-id',
    title: 'GET /v1/customers/{id}',
    expected: 200,
    read: true,
    ceiling: READ,
    plan: get((c) => `/v1/customers/${c.id}`),
  },
  {
    key: 'get-by-email',
    title: 'GET /v1/customers?email=…',
    expected: 200,
    read: true,
    ceiling: READ,
    plan: get((c) => `/v1/customers?email=c${c.n}%40bench.example`),
  },
  {
    key: 'get-by-external-id',
    title: 'GET /v1/customers/by-external-id/{externalId}',
    expected: 200,
    read: true,
    ceiling: READ,
    plan: get((c) => `/v1/customers/by-external-id/ext-${c.n}`),
  },
  {
    key: 'list',
    title: 'GET /v1/customers?limit=50&status=active',
    expected: 200,
    read: true,
    ceiling: READ,
    plan: get(() => '/v1/customers?limit=50&status=active'),
  },
  {
    key: 'surface-get',
    title: 'GET /api/external/v1/customers/{id} (seed 000)',
    expected: 200,
    read: false,
    ceiling: READ,
    plan: get((c) => `/api/external/v1/customers/${c.id}`),
    async skipIf(baseUrl, dataset) {
      const c = pick(dataset);
      const res = await fetch(`${baseUrl}/api/external/v1/customers/${c.id}`, { headers: auth(c.tenant) });
      return res.status === 404 ? 'the seed 000 surface answers 404 for an existing customer: it is not served yet' : null;
    },
  },
  {
    key: 'create',
    title: 'POST /v1/customers',
    expected: 201,
    read: false,
    ceiling: WRITE,
    plan(dataset) {
      const tag = `${process.pid}-${++runTag}`;
      let k = 0;
      return {
        next: () => {
          const c = pick(dataset);
          const i = ++k;
          const body = { ...seedBody(c.n), name: `New Customer ${i}`, email: `new${i}.${tag}@bench.example`, externalId: `new-${tag}-${i}` };
          return { method: 'POST', path: '/v1/customers', headers: { ...auth(c.tenant), ...json }, body: JSON.stringify(body) };
        },
      };
    },
  },
  {
    // If-Match carries the customer's current version, learnt from the ETag of the previous
    // PATCH (seeded customers are at version 1). The first half of the customers is PATCHed
    // only here, and no customer is PATCHed by two connections at once, so no 412 is expected.
    key: 'patch',
    title: 'PATCH /v1/customers/{id} (If-Match)',
    expected: 200,
    read: false,
    ceiling: WRITE,
    plan(dataset) {
      const half = Math.max(1, Math.floor(dataset.perTenant / 2));
      const versions = new Map<string, number>();
      // A request cut off at the end of a run may still have committed: its customer stays busy for good.
      const busy = new Set<string>();
      let k = 0;
      return {
        next: (slot) => {
          let c = pick(dataset, 1, half);
          for (let tries = 0; busy.has(c.id); tries++) {
            if (tries > 1000) throw new Error('patch: every customer of the first half is busy; seed more customers');
            c = pick(dataset, 1, half);
          }
          busy.add(c.id);
          slot.id = c.id;
          const headers = { ...auth(c.tenant), 'content-type': 'application/merge-patch+json', 'if-match': `"${versions.get(c.id) ?? 1}"` };
          return { method: 'PATCH', path: `/v1/customers/${c.id}`, headers, body: JSON.stringify({ notes: `patched ${++k}` }) };
        },
        done: (status, headers, slot) => {
          const id = slot.id as string;
          busy.delete(id);
          const etag = headers.etag ?? headers.ETag;
          if (status === 200 && typeof etag === 'string') versions.set(id, Number(etag.replaceAll('"', '')));
        },
      };
    },
  },
  {
    // A sync partner pushing the whole record with one field changed, onto the second half of the customers.
    key: 'upsert',
    title: 'PUT /v1/customers/by-external-id/{externalId}',
    expected: 200,
    read: false,
    ceiling: WRITE,
    plan(dataset) {
      let k = 0;
      return {
        next: () => {
          const c = pick(dataset, Math.floor(dataset.perTenant / 2) + 1);
          const body = { ...seedBody(c.n), value: 1000 + ++k };
          return { method: 'PUT', path: `/v1/customers/by-external-id/ext-${c.n}`, headers: { ...auth(c.tenant), ...json }, body: JSON.stringify(body) };
        },
      };
    },
  },
  {
    // A different unknown token each time: a server may not serve abuse from a cache.
    key: 'bad-token',
    title: 'GET /v1/customers/{id}, bad token → 401',
    expected: 401,
    read: false,
    ceiling: { pglite: 'bare', postgres: 'bare' },
    plan(dataset) {
      let k = 0;
      return {
        next: () => ({
          method: 'GET',
          path: `/v1/customers/${pick(dataset).id}`,
          headers: { authorization: `Bearer ptn_bad${(++k).toString(36).padStart(39, 'x')}` },
        }),
      };
    },
  },
];
