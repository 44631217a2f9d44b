import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { CEILINGS } from './ceilings.js';
import { measure, median, medianOf, type LoadSettings, type Measurement, type RequestPlan } from './load.js';
import { ensureBuilt, startCeiling, startPatron, type Server } from './process.js';
import { describeMachine, describeVersions, printPoint, renderGrowth, renderStore, writeDocSection, writeJson, type BenchResult, type DataPoint, type ScenarioResult, type Settings, type StoreResult } from './report.js';
import { SCENARIOS, type CeilingKey } from './scenarios.js';
import { checkSeed, createTenants, newDataset, seedCustomers, type Dataset } from './seed.js';
import { copyDataDir, databaseCpuMeter, openStore, postgresVersion, type DbKind, type Store } from './stores.js';

/**
 * `npm run bench`: Patron on PGlite and/or PostgreSQL against the machine's ceilings.
 * See docs/performance.md for what is measured and how.
 */

const USAGE = `npm run bench -- [options]
  --db pglite|postgres|both   stores to run on (default both; PostgreSQL: BENCH_DATABASE_URL names the server)
  --customers N               customers seeded in the tenant (default 10000; smoke 1000)
  --duration S                seconds measured per scenario (default 10; smoke 2)
  --warmup S                  seconds of unrecorded load first (default 2; smoke 0.5)
  --connections C             concurrent connections (default 32)
  --runs N                    runs per scenario, medians reported (default 3; smoke 1)
  --scenarios LIST            only these scenarios, e.g. get-by-id,create (default all)
  --cpu-prof DIR              run the measured Patron under node --cpu-prof, profiles in DIR
  --smoke                     CI: short runs, asserts only zero unexpected statuses
                              (smoke, --scenarios and --cpu-prof runs write no file)
  --growth                    reads at each of --growth-sizes customers in one tenant, then --growth-tenants
  --growth-sizes LIST         default 10000,100000,1000000
  --growth-tenants TxN        default 1000x1000 (T tenants of N customers; 0 to leave out)`;

const { values: flags } = parseArgs({
  options: {
    db: { type: 'string', default: 'both' },
    customers: { type: 'string' },
    duration: { type: 'string' },
    warmup: { type: 'string' },
    connections: { type: 'string', default: '32' },
    runs: { type: 'string' },
    scenarios: { type: 'string' },
    'cpu-prof': { type: 'string' },
    smoke: { type: 'boolean', default: false },
    growth: { type: 'boolean', default: false },
    'growth-sizes': { type: 'string', default: '10000,100000,1000000' },
    'growth-tenants': { type: 'string', default: '1000x1000' },
    help: { type: 'boolean', default: false },
  },
});

const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);

function number(name: string, raw: string | undefined, fallback: number, whole = true): number {
  const value = raw === undefined ? fallback : Number(raw);
  if (!(whole ? Number.isInteger(value) : Number.isFinite(value)) || value < 0) throw new Error(`--${name} must be a ${whole ? 'whole ' : ''}number ≥ 0, not ${raw}`);
  return value;
}

const smoke = flags.smoke;
const settings: Settings = {
  mode: smoke ? 'smoke' : flags.growth ? 'growth' : 'bench',
  customers: number('customers', flags.customers, smoke ? 1000 : 10_000),
  connections: number('connections', flags.connections, 32),
  duration: number('duration', flags.duration, smoke ? 2 : 10, false),
  warmup: number('warmup', flags.warmup, smoke ? 0.5 : 2, false),
  runs: number('runs', flags.runs, smoke ? 1 : 3),
};
const load: LoadSettings = { connections: settings.connections, duration: settings.duration, warmup: settings.warmup };
const selected = flags.scenarios ? SCENARIOS.filter((s) => flags.scenarios!.split(',').includes(s.key)) : SCENARIOS;
const dbs: DbKind[] = flags.db === 'both' ? ['pglite', 'postgres'] : flags.db === 'pglite' || flags.db === 'postgres' ? [flags.db] : [];

// ---- clean-up of servers and databases, also on Ctrl-C ----

const open = new Set<() => Promise<void>>();
async function using<T extends { stop?(): Promise<void>; close?(): Promise<void> }, R>(resource: T, fn: (r: T) => Promise<R>): Promise<R> {
  const release = async () => {
    open.delete(release);
    await (resource.stop ?? resource.close)!.call(resource);
  };
  open.add(release);
  try {
    return await fn(resource);
  } finally {
    await release();
  }
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    log(`${signal}: stopping servers and dropping bench databases`);
    Promise.allSettled([...open].map((release) => release())).finally(() => process.exit(130));
  });
}

// ---- measuring ----

/** Measures one load on one server (the database's CPU included where it can be measured). */
type Measurer = (server: Server, plan: RequestPlan, expected: number) => Promise<Measurement>;

function ceilingsFor(db: DbKind): CeilingKey[] {
  return db === 'postgres' ? ['bare', 'pg-select', 'pg-insert'] : ['bare', 'pglite-select'];
}

interface RunningCeiling {
  key: CeilingKey;
  server: Server;
  plan: RequestPlan;
  /** Every measurement of this ceiling during the data point; its row in the table is their medians. */
  turns: Measurement[];
}

/** Starts the ceilings, runs `fn` while they all listen, and stops them. */
async function withCeilings<R>(store: Store, dataset: Dataset, keys: CeilingKey[], pgliteCopy: string | undefined, fn: (ceilings: RunningCeiling[]) => Promise<R>): Promise<R> {
  const [key, ...rest] = keys;
  if (key === undefined) return fn([]);
  const ceiling = CEILINGS[key];
  const env = ceiling.env({ pgUrl: store.url, pgliteCopy, tenantId: dataset.tenants[0]!.id });
  return using(await startCeiling(key, env), (server) =>
    withCeilings(store, dataset, rest, pgliteCopy, (others) => fn([{ key, server, plan: ceiling.plan(dataset), turns: [] }, ...others])),
  );
}

/** One turn of a ceiling: its state reset first (a write ceiling's table emptied), so every turn measures the same thing. */
async function ceilingTurn(ceiling: RunningCeiling, measureLoad: Measurer): Promise<Measurement> {
  await CEILINGS[ceiling.key].reset?.(ceiling.server.url);
  const m = await measureLoad(ceiling.server, ceiling.plan, CEILINGS[ceiling.key].expected);
  ceiling.turns.push(m);
  return m;
}

/**
 * Each scenario in turns with its ceiling (ceiling then Patron, then Patron then ceiling, …),
 * its ratio the median of the turns' ratios: the machine's speed drifts by tens of percent
 * within minutes, and a ceiling measured once before all the scenarios let that drift into the
 * ratios of the scenarios measured last. A ceiling no scenario is paired with is measured alone.
 */
async function measureScenarios(db: DbKind, patron: Server, dataset: Dataset, readsOnly: boolean, ceilings: RunningCeiling[], measureLoad: Measurer) {
  const out: ScenarioResult[] = [];
  for (const scenario of selected.filter((s) => s.read || !readsOnly)) {
    const base = { key: scenario.key, title: scenario.title, expected: scenario.expected, ceiling: scenario.ceiling[db] };
    const skipped = await scenario.skipIf?.(patron.url, dataset);
    if (skipped) {
      log(`  ${scenario.key}: skipped: ${skipped}`);
      out.push({ ...base, ratio: null, skipped });
      continue;
    }
    const ceiling = ceilings.find((c) => c.key === base.ceiling);
    const plan = scenario.plan(dataset);
    const measured: Measurement[] = [];
    const ratios: number[] = [];
    for (let i = 0; i < settings.runs; i++) {
      const ceilingFirst = ceiling && i % 2 === 0 ? await ceilingTurn(ceiling, measureLoad) : undefined;
      const m = await measureLoad(patron, plan, scenario.expected);
      measured.push(m);
      const c = ceilingFirst ?? (ceiling && (await ceilingTurn(ceiling, measureLoad)));
      if (c && c.rps > 0) ratios.push(m.rps / c.rps);
    }
    const m = medianOf(measured);
    const ratio = ratios.length > 0 ? median(ratios) : null;
    out.push({ ...base, ...m, ratio });
    log(`  ${scenario.key}: ${Math.round(m.rps)} req/s, p99 ${m.p99} ms${ratio === null ? '' : `, ${ratio.toFixed(2)} × ceiling`}${m.unexpected ? `, ${m.unexpected} UNEXPECTED ${JSON.stringify(m.statuses)}` : ''}`);
  }
  for (const ceiling of ceilings.filter((c) => c.turns.length === 0)) {
    for (let i = 0; i < settings.runs; i++) await ceilingTurn(ceiling, measureLoad);
  }
  return out;
}

function ceilingResults(ceilings: RunningCeiling[]): DataPoint['ceilings'] {
  const out: DataPoint['ceilings'] = {};
  for (const { key, turns } of ceilings) {
    out[key] = { number: CEILINGS[key].number, title: CEILINGS[key].title, ...medianOf(turns) };
    log(`  ceiling (${CEILINGS[key].number}) ${CEILINGS[key].title}: ${Math.round(out[key].rps)} req/s over ${turns.length} turn(s)`);
  }
  return out;
}

/** A fresh store with its tenants, made through the admin API of a first Patron start (which migrates). */
async function prepare(store: Store, tenants: number): Promise<Dataset> {
  return newDataset(await using(await startPatron(store), (patron) => createTenants(patron.url, tenants)));
}

async function seed(store: Store, dataset: Dataset, perTenant: number): Promise<number> {
  const started = performance.now();
  log(`${store.kind}: seeding customers ${dataset.perTenant + 1}..${perTenant} in ${dataset.tenants.length} tenant(s)`);
  await seedCustomers(store, dataset, dataset.perTenant + 1, perTenant);
  dataset.perTenant = perTenant;
  return (performance.now() - started) / 1000;
}

/** Patron restarted on the seeded store (start-up on an existing database), then the given measurements. */
async function point(store: Store, dataset: Dataset, label: string, seedSeconds: number, readsOnly: boolean): Promise<DataPoint> {
  // The PGlite ceiling reads a copy, made while Patron is stopped: the store itself is Patron's alone.
  const pgliteCopy = store.kind === 'pglite' ? copyDataDir(store, 'ceiling-data') : undefined;
  return using(await startPatron(store, { cpuProfDir: flags['cpu-prof'] && resolve(flags['cpu-prof']) }), async (patron) => {
    log(`${store.kind}, ${label}: Patron ready in ${Math.round(patron.startupMs)} ms`);
    if (!readsOnly) await checkSeed(patron.url, dataset);
    // Growth points measure the select ceiling on the same data: a primary-key look-up, whose
    // cost barely grows with the table, tells the machine's noise apart from the cost of more data.
    const keys = readsOnly ? ceilingsFor(store.kind).filter((k) => k.endsWith('select')) : ceilingsFor(store.kind);
    const databaseCpu = await databaseCpuMeter(store);
    const measureLoad: Measurer = (server, plan, expected) => measure(server, plan, expected, load, databaseCpu);
    return withCeilings(store, dataset, keys, pgliteCopy, async (running) => {
      const scenarios = await measureScenarios(store.kind, patron, dataset, readsOnly, running, measureLoad);
      return { label, customers: dataset.perTenant * dataset.tenants.length, tenants: dataset.tenants.length, seedSeconds, startupMs: patron.startupMs, ceilings: ceilingResults(running), scenarios };
    });
  });
}

const label = (customers: number, tenants = 1) => {
  const short = (n: number) => (n >= 1_000_000 ? `${n / 1_000_000}M` : n >= 1000 ? `${n / 1000}k` : String(n));
  return tenants === 1 ? `${short(customers)} customers` : `${short(tenants)} tenants × ${short(customers)}`;
};

async function bench(db: DbKind): Promise<StoreResult> {
  return using(await openStore(db), async (store) => {
    const dataset = await prepare(store, 1);
    const seconds = await seed(store, dataset, settings.customers);
    return { db, points: [await point(store, dataset, label(settings.customers), seconds, false)] };
  });
}

async function growth(db: DbKind): Promise<StoreResult> {
  const sizes = flags['growth-sizes'].split(',').map((s) => number('growth-sizes', s, 0));
  const [tenants = 0, perTenant = 0] = flags['growth-tenants'].split('x').map((s) => number('growth-tenants', s, 0));
  const points: DataPoint[] = [];
  await using(await openStore(db), async (store) => {
    const dataset = await prepare(store, 1);
    for (const size of sizes) points.push(await point(store, dataset, label(size), await seed(store, dataset, size), true));
  });
  if (tenants > 0 && perTenant > 0) {
    await using(await openStore(db), async (store) => {
      const dataset = await prepare(store, tenants);
      points.push(await point(store, dataset, label(perTenant, tenants), await seed(store, dataset, perTenant), true));
    });
  }
  return { db, points };
}

// ---- main ----

async function main(): Promise<number> {
  if (flags.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (dbs.length === 0) throw new Error(`--db must be pglite, postgres or both\n${USAGE}`);
  if (selected.length === 0) throw new Error(`--scenarios: none of ${flags.scenarios} is one of ${SCENARIOS.map((s) => s.key).join(', ')}`);
  if (settings.connections < 1 || settings.runs < 1 || settings.duration <= 0) throw new Error('--connections and --runs must be at least 1, --duration above 0');
  // PATCH works on half of the customers, none twice at once, and each load's cut-off requests leave theirs aside.
  const enough = 2 * settings.connections * (2 * settings.runs + 2);
  if (settings.customers < enough) throw new Error(`--customers must be at least ${enough} for ${settings.connections} connections and ${settings.runs} runs`);
  ensureBuilt(log);
  const result: BenchResult = {
    date: new Date().toISOString(),
    command: `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim(),
    machine: describeMachine(),
    versions: describeVersions(dbs.includes('postgres') ? await postgresVersion() : null),
    settings,
    stores: [],
  };
  for (const db of dbs) {
    const store = settings.mode === 'growth' ? await growth(db) : await bench(db);
    result.stores.push(store);
    for (const p of store.points) process.stdout.write(`\n${printPoint(db, p)}\n`);
  }

  const measured = result.stores.flatMap((s) => s.points.flatMap((p) => [...p.scenarios, ...Object.values(p.ceilings)]));
  const failed = measured.filter((m) => !('skipped' in m && m.skipped) && (m.unexpected !== 0 || !m.requests));
  const skipped = measured.filter((m) => 'skipped' in m && m.skipped).length;

  // Smoke runs, partial runs and profiled runs are for the terminal only.
  if (settings.mode !== 'smoke' && !flags.scenarios && !flags['cpu-prof']) {
    const name = `${flags.db}${settings.mode === 'growth' ? '-growth' : ''}`;
    log(`results: ${writeJson(result, name)}`);
    for (const store of result.stores) {
      if (settings.mode === 'growth') writeDocSection(`growth-${store.db}`, renderGrowth(result, store));
      else writeDocSection(store.db, renderStore(result, store));
    }
    log('docs/performance.md updated');
  }
  if (failed.length > 0) process.stdout.write(`\nUnexpected statuses or no requests in: ${failed.map((m) => ('key' in m ? m.key : m.title)).join(', ')}\n`);
  process.stdout.write(`\n${settings.mode}: ${measured.length - failed.length - skipped} passed, ${failed.length} failed, ${skipped} skipped\n`);
  return failed.length > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    Promise.allSettled([...open].map((release) => release())).finally(() => process.exit(1));
  },
);
