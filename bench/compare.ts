import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { measure, medianOf, type LoadSettings, type Measurement } from './load.js';
import { ensureBuilt, ROOT, startPatron, type Server } from './process.js';
import { dbCpuText } from './report.js';
import { SCENARIOS } from './scenarios.js';
import { createTenants, newDataset, seedCustomers } from './seed.js';
import { copyDataDir, databaseCpuMeter, openStore, type DbKind, type Store } from './stores.js';

/**
 * `npm run bench:compare`: the working tree's build against another commit's, both running at
 * once on one seeded store and measured in turns (A B, B A, …), so that the host's drifts in
 * speed, which reach a factor of two within an hour here, fall on both alike. Reports each
 * side's medians and B's server CPU per request as a share of A's: the figure to judge a
 * change by (docs/performance.md). No ceilings, no files written.
 */

const USAGE = `npm run bench:compare -- [options]
  --base REF        the commit to compare with, built from \`git archive\` (default HEAD)
  --db pglite|postgres          (default postgres)
  --scenarios LIST  (default get-by-id,get-by-email)
  --rounds N        turns per side, medians reported (default 6)
  --duration S      seconds per turn (default 5)
  --customers N     (default 10000)
  --connections C   (default 32)
  --help`;

const parse = () =>
  parseArgs({
    options: {
      base: { type: 'string', default: 'HEAD' },
      db: { type: 'string', default: 'postgres' },
      scenarios: { type: 'string', default: 'get-by-id,get-by-email' },
      rounds: { type: 'string', default: '6' },
      duration: { type: 'string', default: '5' },
      customers: { type: 'string', default: '10000' },
      connections: { type: 'string', default: '32' },
      help: { type: 'boolean', default: false },
    },
  }).values;
let flags: ReturnType<typeof parse>;

const log = (line: string) => process.stderr.write(`[compare] ${line}\n`);

/** A mistake in the command line: printed with the usage, without a stack. */
class UsageError extends Error {}

function whole(name: string, raw: string): number {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new UsageError(`--${name} must be a whole number ≥ 1, not ${raw}`);
  return value;
}

/** `ref` built in a scratch directory (its sources, this checkout's node_modules); returns its cli.js. */
function buildRef(ref: string, dir: string): string {
  const archive = spawnSync('sh', ['-c', `git archive --format=tar "$1" src scripts package.json tsconfig.json tsconfig.build.json | tar -x -C "$2"`, 'sh', ref, dir], { cwd: ROOT, stdio: 'inherit' });
  if (archive.status !== 0) throw new Error(`git archive ${ref} failed`);
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  const build = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: dir, stdio: 'inherit' });
  if (build.status !== 0) throw new Error(`building ${ref} failed`);
  return join(dir, 'dist/cli.js');
}

async function main() {
  try {
    flags = parse();
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
  if (flags.help) return void process.stdout.write(`${USAGE}\n`);
  const db = flags.db as DbKind;
  if (db !== 'pglite' && db !== 'postgres') throw new UsageError('--db must be pglite or postgres');
  const scenarios = flags.scenarios.split(',').map((key) => {
    const found = SCENARIOS.find((s) => s.key === key);
    if (!found) throw new UsageError(`--scenarios: ${key} is not one of ${SCENARIOS.map((s) => s.key).join(', ')}`);
    return found;
  });
  const rounds = whole('rounds', flags.rounds);
  const load: LoadSettings = { connections: whole('connections', flags.connections), duration: whole('duration', flags.duration), warmup: 0 };
  const customers = whole('customers', flags.customers);

  ensureBuilt(log);
  const scratch = mkdtempSync(join(tmpdir(), 'patron-compare-'));
  const servers: Server[] = [];
  let store: Store | undefined;
  // Once, whether the run ends or a signal ends it; a server or store still starting when the
  // signal comes is not in the lists yet, and is left behind.
  let cleaning: Promise<void> | undefined;
  const cleanUp = () =>
    (cleaning ??= (async () => {
      try {
        await Promise.allSettled(servers.map((s) => s.stop()));
        await store?.close();
      } finally {
        rmSync(scratch, { recursive: true, force: true });
      }
    })());
  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) process.once(signal, () => void cleanUp().finally(() => process.exit(code)));
  try {
    log(`building ${flags.base}`);
    const baseCli = buildRef(flags.base, scratch);
    store = await openStore(db);
    // The base migrates the store (seeding does not); B adds its own migrations when it starts.
    const base = { cli: baseCli, name: `A (${flags.base})` };
    const first = await startPatron(store, base);
    servers.push(first);
    const dataset = newDataset(await createTenants(first.url, 1));
    await first.stop();
    servers.pop();
    log(`${db}: seeding ${customers} customers`);
    await seedCustomers(store, dataset, 1, customers);
    dataset.perTenant = customers;

    // PGlite is one process's store: B gets a copy of it.
    const bStore = db === 'pglite' ? { env: { ...store.env, PATRON_DATA_DIR: copyDataDir(store, 'b-data') } } : store;
    const a = await startPatron(store, base);
    servers.push(a);
    const b = await startPatron(bStore, { name: 'B (working tree)' });
    servers.push(b);

    const databaseCpu = await databaseCpuMeter(store);
    for (const scenario of scenarios) {
      // A plan may keep state (ETags) per store: one for both on PostgreSQL, one each on PGlite's two.
      const planA = scenario.plan(dataset);
      const planB = db === 'pglite' ? scenario.plan(dataset) : planA;
      const sides = { A: [] as Measurement[], B: [] as Measurement[] };
      // Unrecorded first turns: each server's JIT and caches warmed on this scenario.
      for (const [server, plan] of [[a, planA], [b, planB]] as const) await measure(server, plan, scenario.expected, { ...load, duration: Math.max(3, load.duration) });
      for (let round = 0; round < rounds; round++) {
        const order = round % 2 === 0 ? (['A', 'B'] as const) : (['B', 'A'] as const);
        for (const side of order) sides[side].push(await measure(side === 'A' ? a : b, side === 'A' ? planA : planB, scenario.expected, load, databaseCpu));
      }
      report(scenario.key, sides.A, sides.B);
    }
  } finally {
    await cleanUp();
  }
}

function report(key: string, a: Measurement[], b: Measurement[]) {
  const line = (side: string, m: Measurement) => {
    const unexpected = m.unexpected ? `  UNEXPECTED ${JSON.stringify(m.statuses)}` : '';
    return `  ${side}  ${Math.round(m.rps).toLocaleString('en-US').padStart(7)} req/s  p99 ${String(m.p99).padStart(4)} ms  cpu ${String(Math.round(m.cpuUsPerRequest ?? 0)).padStart(5)} µs/req${dbCpuText(m)}  rss ${m.peakRssMb === null ? '–' : m.peakRssMb.toFixed(0)} MB${unexpected}`;
  };
  const [medianA, medianB] = [medianOf(a), medianOf(b)];
  const ratio = (medianB.cpuUsPerRequest ?? Number.NaN) / (medianA.cpuUsPerRequest ?? Number.NaN);
  const wins = b.filter((m, i) => (m.cpuUsPerRequest ?? Infinity) < (a[i]!.cpuUsPerRequest ?? -Infinity)).length;
  process.stdout.write(`${key}\n${line('A', medianA)}\n${line('B', medianB)}\n  B's CPU per request ${ratio.toFixed(2)} × A's; lower in ${wins} of ${a.length} turns\n`);
  if (medianA.unexpected + medianB.unexpected > 0) process.exitCode = 1;
}

main().catch((err: unknown) => {
  if (err instanceof UsageError) process.stderr.write(`compare: ${err.message}\n${USAGE}\n`);
  else process.stderr.write(`compare: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
