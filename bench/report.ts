import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem, type } from 'node:os';
import { join } from 'node:path';
import type { Measurement } from './load.js';
import { ROOT } from './process.js';
import type { CeilingKey } from './scenarios.js';
import type { DbKind } from './stores.js';

/**
 * The results: one JSON file per run in bench/results/, and per store a section of
 * docs/performance.md (between markers, so the prose around it stays), with the machine,
 * versions, settings, the command that reproduces it, and the issue's targets met or missed.
 */

export interface ScenarioResult extends Partial<Measurement> {
  key: string;
  title: string;
  expected: number;
  ceiling: CeilingKey | null;
  /** Patron's req/s over the ceiling's. */
  ratio: number | null;
  skipped?: string;
}

export interface CeilingResult extends Measurement {
  number: number;
  title: string;
}

/** One data set on one store: the normal run has one, a growth run one per size. */
export interface DataPoint {
  label: string;
  customers: number;
  tenants: number;
  seedSeconds: number;
  /** Spawn to the first /readyz 200, on the already seeded (existing) database. */
  startupMs: number;
  ceilings: Partial<Record<CeilingKey, CeilingResult>>;
  scenarios: ScenarioResult[];
}

export interface StoreResult {
  db: DbKind;
  points: DataPoint[];
}

export interface Settings {
  mode: 'bench' | 'growth' | 'smoke';
  customers: number;
  connections: number;
  duration: number;
  warmup: number;
  runs: number;
}

export interface BenchResult {
  date: string;
  command: string;
  machine: { cpu: string; cores: number; ramGb: number; os: string; loadAverage: number[] };
  versions: Record<string, string>;
  settings: Settings;
  stores: StoreResult[];
}

const packageVersion = (name: string) => (JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;

export function describeMachine(): BenchResult['machine'] {
  return {
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    cores: cpus().length,
    ramGb: Math.round(totalmem() / 2 ** 30),
    os: `${type()} ${release()}`,
    loadAverage: loadavg().map((l) => Math.round(l * 100) / 100),
  };
}

/** The commit measured, and whether src/ had changes on top of it. */
function patronVersion(): string {
  const git = (...args: string[]) => spawnSync('git', args, { cwd: ROOT, encoding: 'utf8' }).stdout?.trim() ?? '';
  const commit = git('rev-parse', '--short', 'HEAD') || 'unknown';
  return git('status', '--porcelain', '--', 'src') ? `${commit} + uncommitted changes in src/` : commit;
}

export function describeVersions(postgres: string | null): Record<string, string> {
  return {
    patron: patronVersion(),
    node: process.version,
    ...(postgres ? { postgres } : {}),
    pglite: packageVersion('@electric-sql/pglite'),
    autocannon: packageVersion('autocannon'),
    pg: packageVersion('pg'),
    fastify: packageVersion('fastify'),
  };
}

// ---- the issue's targets ----

interface Target {
  text: string;
  figure: string;
  /** null: not judged by this run. */
  met: boolean | null;
}

const scenario = (point: DataPoint, key: string) => point.scenarios.find((s) => s.key === key && !s.skipped);
const fmtRatio = (r: number | null | undefined) => (r === null || r === undefined ? '–' : r.toFixed(2));
const ms = (v: number | undefined) => (v === undefined ? '–' : v < 10 ? v.toFixed(1) : v.toFixed(0));
const int = (v: number | undefined) => (v === undefined ? '–' : Math.round(v).toLocaleString('en-US'));

function ratioTarget(point: DataPoint, key: string, text: string, min: number): Target {
  const ratio = scenario(point, key)?.ratio ?? null;
  return { text, figure: fmtRatio(ratio), met: ratio === null ? null : ratio >= min };
}

function storeTargets(db: DbKind, point: DataPoint, settings: Settings): Target[] {
  const rss = Math.max(...point.scenarios.map((s) => s.peakRssMb ?? 0));
  const startup: Target = { text: 'start-up to `/readyz` 200 on an existing database ≤ 1.5 s', figure: `${int(point.startupMs)} ms`, met: point.startupMs <= 1500 };
  if (db === 'pglite') {
    return [
      ratioTarget(point, 'get-by-id', '`GET /v1/customers/{id}` ≥ 0.7 × ceiling (4)', 0.7),
      point.customers >= 100_000
        ? { text: 'peak RSS with 100k customers ≤ 300 MB', figure: `${rss} MB`, met: rss <= 300 }
        : { text: 'peak RSS with 100k customers ≤ 300 MB', figure: `not measured (${int(point.customers)} customers): see the growth run`, met: null },
      startup,
    ];
  }
  const byId = scenario(point, 'get-by-id');
  return [
    ratioTarget(point, 'get-by-id', '`GET /v1/customers/{id}` ≥ 0.8 × ceiling (2)', 0.8),
    settings.connections === 32
      ? { text: '`GET /v1/customers/{id}` p99 ≤ 15 ms at 32 connections', figure: `${ms(byId?.p99)} ms`, met: byId?.p99 === undefined ? null : byId.p99 <= 15 }
      : { text: '`GET /v1/customers/{id}` p99 ≤ 15 ms at 32 connections', figure: `not judged (${settings.connections} connections)`, met: null },
    ratioTarget(point, 'get-by-email', 'look-up by email ≥ 0.7 × ceiling (2)', 0.7),
    ratioTarget(point, 'get-by-external-id', 'look-up by externalId ≥ 0.7 × ceiling (2)', 0.7),
    ratioTarget(point, 'create', '`POST /v1/customers` ≥ 0.5 × ceiling (3)', 0.5),
    { text: 'peak RSS under load ≤ 150 MB', figure: `${rss} MB`, met: rss <= 150 },
    startup,
  ];
}

function growthTargets(db: DbKind, points: DataPoint[]): Target[] {
  const targets: Target[] = [];
  const single = points.filter((p) => p.tenants === 1);
  const first = single[0];
  const last = single.at(-1);
  if (first && last && last !== first) {
    const ceilingRps = (p: DataPoint) => Object.values(p.ceilings)[0]?.rps;
    const ceilingSlowdown = (ceilingRps(first) ?? NaN) / (ceilingRps(last) ?? NaN);
    for (const [key, what] of [['get-by-email', 'email'], ['get-by-external-id', 'externalId']] as const) {
      const a = scenario(first, key);
      const b = scenario(last, key);
      // In raw req/s, and relative to each point's own select ceiling (which cancels the machine's
      // noise, but also hides a slowdown of the store itself): met only when both are flat.
      const raw = a?.rps && b?.rps ? a.rps / b.rps : null;
      const relative = a?.ratio && b?.ratio ? a.ratio / b.ratio : null;
      targets.push({
        text: `look-up by ${what} flat from ${first.label} to ${last.label} (≤ 1.3× slower)`,
        figure: raw === null || relative === null ? '–' : `${raw.toFixed(2)}× in req/s; ${relative.toFixed(2)}× relative to the ceiling, itself ${ceilingSlowdown.toFixed(2)}× slower`,
        met: raw === null || relative === null || last.customers < 1_000_000 ? null : Math.max(raw, relative) <= 1.3,
      });
    }
  }
  const at100k = single.find((p) => p.customers === 100_000);
  if (db === 'pglite' && at100k) {
    const rss = Math.max(...at100k.scenarios.map((s) => s.peakRssMb ?? 0));
    targets.push({ text: 'peak RSS with 100k customers ≤ 300 MB', figure: `${rss} MB`, met: rss <= 300 });
  }
  return targets;
}

// ---- rendering ----

const STORE_NAMES: Record<DbKind, string> = { postgres: 'PostgreSQL', pglite: 'PGlite (embedded)' };

function header(result: BenchResult, db: DbKind): string[] {
  const { machine, versions, settings } = result;
  const versionList = Object.entries(versions).map(([k, v]) => `${k} ${v}`).join(', ');
  return [
    `Run ${result.date.slice(0, 16).replace('T', ' ')} UTC with \`${result.command}\`${db === 'postgres' ? ' (PostgreSQL: a fresh database on the server `BENCH_DATABASE_URL` names)' : ''}.`,
    '',
    `- Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.ramGb} GB RAM, ${machine.os}; load average ${machine.loadAverage.join(' / ')} at the start (the load generator shares the CPU with the server).`,
    `- Versions: ${versionList}.`,
    `- Settings: ${settings.connections} connections, ${settings.duration} s measured after ${settings.warmup} s of warm-up, median of ${settings.runs} run${settings.runs === 1 ? '' : 's'}${settings.runs < 3 ? ' (the targets are judged on medians of 3: these figures are indicative)' : ''}; Patron's default pool (10).`,
  ];
}

function scenarioTable(point: DataPoint): string[] {
  const rows = point.scenarios.map((s) =>
    s.skipped
      ? `| ${s.title} | skipped: ${s.skipped} | | | | | | | | | |`
      : `| ${s.title} | ${int(s.rps)} | ${ms(s.p50)} | ${ms(s.p99)} | ${ms(s.max)} | ${s.unexpected} | ${s.peakRssMb ?? '–'} | ${int(s.cpuUsPerRequest ?? undefined)} | ${int(s.dbCpuUsPerRequest ?? undefined)} | ${s.ceiling ? `(${ceilingNumber(s.ceiling)})` : '–'} | ${fmtRatio(s.ratio)} |`,
  );
  const ceilings = Object.values(point.ceilings).map(
    (c) => `| ceiling (${c.number}): ${c.title} | ${int(c.rps)} | ${ms(c.p50)} | ${ms(c.p99)} | ${ms(c.max)} | ${c.unexpected} | ${c.peakRssMb ?? '–'} | ${int(c.cpuUsPerRequest ?? undefined)} | ${int(c.dbCpuUsPerRequest ?? undefined)} | | |`,
  );
  return [
    '| request | req/s | p50 ms | p99 ms | max ms | unexpected | peak RSS MB | server CPU µs/req | database CPU µs/req | ceiling | ratio |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | :---: | ---: |',
    ...rows,
    ...ceilings,
  ];
}

const ceilingNumber = (key: CeilingKey) => ({ bare: 1, 'pg-select': 2, 'pg-insert': 3, 'pglite-select': 4 })[key];

function targetTable(targets: Target[]): string[] {
  if (targets.length === 0) return [];
  return ['', '| target (issue 4) | this run | |', '| --- | --- | --- |', ...targets.map((t) => `| ${t.text} | ${t.figure} | ${t.met === null ? '–' : t.met ? 'met' : '**missed**'} |`)];
}

export function renderStore(result: BenchResult, store: StoreResult): string {
  const point = store.points[0]!;
  return [
    `### ${STORE_NAMES[store.db]}`,
    '',
    ...header(result, store.db),
    `- Data: ${int(point.customers)} customers in ${point.tenants === 1 ? 'one tenant' : `${int(point.tenants)} tenants`} (seeded in ${point.seedSeconds.toFixed(1)} s); start-up to \`/readyz\` 200: ${int(point.startupMs)} ms.`,
    '',
    ...scenarioTable(point),
    ...targetTable(storeTargets(store.db, point, result.settings)),
  ].join('\n');
}

export function renderGrowth(result: BenchResult, store: StoreResult): string {
  const keys = store.points[0]?.scenarios.map((s) => s) ?? [];
  return [
    `### Growth on ${STORE_NAMES[store.db]}`,
    '',
    ...header(result, store.db),
    '',
    `Each cell: req/s, p99 ms, and the ratio to the select ceiling (${store.db === 'postgres' ? 2 : 4}) measured on the same data at the same point.`,
    '',
    `| data | start-up ms | ceiling (${store.db === 'postgres' ? 2 : 4}) req/s | ${keys.map((s) => s.title).join(' | ')} | peak RSS MB |`,
    `| --- | ---: | ---: | ${keys.map(() => '---:').join(' | ')} | ---: |`,
    ...store.points.map(
      (p) =>
        `| ${p.label} | ${int(p.startupMs)} | ${int(Object.values(p.ceilings)[0]?.rps)} | ${p.scenarios.map((s) => `${int(s.rps)}, ${ms(s.p99)}, ${fmtRatio(s.ratio)}${s.unexpected ? ` (${s.unexpected} unexpected)` : ''}`).join(' | ')} | ${Math.max(...p.scenarios.map((s) => s.peakRssMb ?? 0))} |`,
    ),
    ...targetTable(growthTargets(store.db, store.points)),
  ].join('\n');
}

/** The terminal's "  db N µs/req", or nothing where the database's CPU was not measured. */
export const dbCpuText = (m: { dbCpuUsPerRequest?: number | null }) => (m.dbCpuUsPerRequest == null ? '' : `  db ${int(m.dbCpuUsPerRequest)} µs/req`);

/** A plain-text summary for the terminal. */
export function printPoint(db: DbKind, point: DataPoint): string {
  const lines = [`${db}, ${point.label}: start-up ${int(point.startupMs)} ms`];
  for (const c of Object.values(point.ceilings)) lines.push(`  ceiling (${c.number}) ${c.title.padEnd(40)} ${int(c.rps).padStart(7)} req/s  p99 ${ms(c.p99).padStart(5)} ms  cpu ${int(c.cpuUsPerRequest ?? undefined)} µs/req${dbCpuText(c)}`);
  for (const s of point.scenarios) {
    lines.push(
      s.skipped
        ? `  ${s.key.padEnd(50)} skipped: ${s.skipped}`
        : `  ${s.key.padEnd(50)} ${int(s.rps).padStart(7)} req/s  p50 ${ms(s.p50).padStart(5)}  p99 ${ms(s.p99).padStart(5)}  max ${ms(s.max).padStart(5)} ms  rss ${s.peakRssMb} MB  cpu ${int(s.cpuUsPerRequest ?? undefined)} µs/req${dbCpuText(s)}  ratio ${fmtRatio(s.ratio)}  unexpected ${s.unexpected}`,
    );
  }
  return lines.join('\n');
}

// ---- files ----

export function writeJson(result: BenchResult, name: string): string {
  const dir = join(ROOT, 'bench/results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${result.date.slice(0, 10)}-${name}.json`);
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  return file;
}

/** Replaces the section between `<!-- bench:<name> -->` and `<!-- /bench:<name> -->`, or appends it. */
export function writeDocSection(name: string, content: string): void {
  const file = join(ROOT, 'docs/performance.md');
  const doc = existsSync(file) ? readFileSync(file, 'utf8') : '# Performance\n';
  const begin = `<!-- bench:${name} -->`;
  const end = `<!-- /bench:${name} -->`;
  const block = `${begin}\n${content}\n${end}`;
  const at = doc.indexOf(begin);
  const until = doc.indexOf(end);
  const next = at >= 0 && until > at ? doc.slice(0, at) + block + doc.slice(until + end.length) : `${doc.trimEnd()}\n\n${block}\n`;
  writeFileSync(file, next);
}
