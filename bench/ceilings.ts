import type { RequestPlan } from './load.js';
import type { CeilingKey } from './scenarios.js';
import { pick } from './scenarios.js';
import { seedBody, type Dataset } from './seed.js';

/**
 * The machine's ceilings: the least a server can do for each kind of request, measured with
 * the same load generator and settings as Patron, each in its own process
 * (bench/ceilings/<key>.ts). Patron's figures are reported as ratios to them.
 */

export interface Ceiling {
  number: number;
  title: string;
  expected: number;
  plan(dataset: Dataset): RequestPlan;
  /** The server's environment, from the store it reads (a PGlite copy: PGlite is single-process). */
  env(where: { pgUrl?: string; pgliteCopy?: string; tenantId: string }): Record<string, string>;
  /** Before each turn: puts the server back in its first state, so that every turn measures the same thing. */
  reset?(baseUrl: string): Promise<void>;
}

const byId = (dataset: Dataset): RequestPlan => ({
  next: () => {
    const c = pick(dataset);
    return { method: 'GET', path: `/customers/${c.tenant.id}/${c.id}` };
  },
});

export const CEILINGS: Record<CeilingKey, Ceiling> = {
  bare: {
    number: 1,
    title: 'node:http, a fixed JSON customer',
    expected: 200,
    plan: byId,
    env: () => ({}),
  },
  'pg-select': {
    number: 2,
    title: 'node:http + pg, primary-key select',
    expected: 200,
    plan: byId,
    env: ({ pgUrl }) => ({ BENCH_PG_URL: pgUrl! }),
  },
  'pg-insert': {
    number: 3,
    title: 'node:http + pg, single-row insert',
    expected: 201,
    plan(dataset) {
      let k = 0;
      return {
        next: () => {
          const i = ++k;
          const body = { ...seedBody(pick(dataset).n), name: `New Customer ${i}`, externalId: `ceiling-${i}` };
          return { method: 'POST', path: '/customers', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
        },
      };
    },
    env: ({ pgUrl, tenantId }) => ({ BENCH_PG_URL: pgUrl!, BENCH_TENANT_ID: tenantId }),
    // Its scratch table would otherwise grow through every turn of every write scenario, each
    // turn inserting into a larger table than the one before.
    async reset(baseUrl) {
      const res = await fetch(`${baseUrl}/reset`, { method: 'POST' });
      if (res.status !== 200) throw new Error(`ceiling (3): reset answered ${res.status}`);
    },
  },
  'pglite-select': {
    number: 4,
    title: 'node:http + PGlite, primary-key select',
    expected: 200,
    plan: byId,
    env: ({ pgliteCopy }) => ({ BENCH_PGLITE_DIR: pgliteCopy! }),
  },
};
