import type { IncomingHttpHeaders } from 'node:http';
import autocannon from 'autocannon';
import { cpuMsOf, sampleRss } from './process.js';

/**
 * The load generator: autocannon, used programmatically, with fixed connections and
 * duration after an unrecorded warm-up. Every request is built by the scenario (a random
 * existing id, a unique body…), and every response's status is checked against the one
 * the scenario expects.
 */

export interface LoadSettings {
  connections: number;
  /** Seconds measured. */
  duration: number;
  /** Seconds of load before the measurement, not recorded. */
  warmup: number;
}

export interface HttpRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH';
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

/** What a scenario (or a ceiling) sends: one request per call, and optionally what to learn from each response. */
export interface RequestPlan {
  /** `slot` is per connection and lives from this request to its response. */
  next(slot: Record<string, unknown>): HttpRequest;
  done?(status: number, headers: IncomingHttpHeaders, slot: Record<string, unknown>): void;
}

export interface Measurement {
  /** Requests per second over the measured duration. */
  rps: number;
  p50: number;
  p99: number;
  max: number;
  requests: number;
  /** Responses with another status than expected, connection errors and timeouts. */
  unexpected: number;
  statuses: Record<string, number>;
  /** The server's peak RSS during the measurement, in MB. */
  peakRssMb: number | null;
  /**
   * The server process's own CPU time (user and system) per response, in µs: what a request
   * costs the server, less moved by the machine's noise than req/s. A database server's CPU
   * is in processes of its own and not counted.
   */
  cpuUsPerRequest: number | null;
  /**
   * The database server's CPU time per response, in µs, when it runs on this machine as
   * processes of its own (PostgreSQL; null on PGlite, whose work is in the server's figure,
   * and for a server on another machine):
   * tells a request that costs the database more apart from one that costs Patron more.
   * Counts whatever else PostgreSQL did meanwhile (autovacuum, checkpoints).
   */
  dbCpuUsPerRequest: number | null;
}

async function fire(url: string, plan: RequestPlan, connections: number, duration: number) {
  // autocannon passes each connection's context from setupRequest to onResponse (with
  // pipelining 1) and resets it before the next request.
  const request: autocannon.Request = {
    setupRequest: (req, context) => Object.assign(req, plan.next(context as Record<string, unknown>)),
    ...(plan.done && {
      onResponse: (status: number, _body: string, context: object, headers: IncomingHttpHeaders | undefined) =>
        plan.done!(status, headers ?? {}, context as Record<string, unknown>),
    }),
  };
  return autocannon({ url, connections, duration, pipelining: 1, timeout: 10, requests: [request] });
}

/** `databaseCpuMs`: the database's CPU time so far, in ms, where it can be measured (stores.ts databaseCpuMeter). */
export async function measure(
  server: { url: string; pid: number },
  plan: RequestPlan,
  expected: number,
  settings: LoadSettings,
  databaseCpuMs: () => number | null = () => null,
): Promise<Measurement> {
  if (settings.warmup > 0) await fire(server.url, plan, settings.connections, settings.warmup);
  const rss = sampleRss(server.pid);
  const cpuBefore = cpuMsOf(server.pid);
  const dbBefore = databaseCpuMs();
  const result = await fire(server.url, plan, settings.connections, settings.duration);
  const cpuAfter = cpuMsOf(server.pid);
  const dbAfter = databaseCpuMs();
  const perRequest = (before: number | null, after: number | null) =>
    before === null || after === null || result.requests.total === 0 ? null : Math.round(((after - before) * 1000) / result.requests.total);
  const peak = rss.stop();
  const statuses: Record<string, number> = {};
  for (const [code, { count }] of Object.entries(result.statusCodeStats ?? {})) statuses[code] = count ?? 0;
  const answered = Object.values(statuses).reduce((a, b) => a + b, 0);
  return {
    rps: result.requests.total / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    max: result.latency.max,
    requests: result.requests.total,
    unexpected: answered - (statuses[String(expected)] ?? 0) + result.errors + result.timeouts,
    statuses,
    peakRssMb: peak === null ? null : Math.round(peak / 1024 / 102.4) / 10,
    cpuUsPerRequest: perRequest(cpuBefore, cpuAfter),
    dbCpuUsPerRequest: perRequest(dbBefore, dbAfter),
  };
}

export const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

const medianOrNull = (values: (number | null)[]) => (values.every((v) => v !== null) ? median(values as number[]) : null);

/** Medians of several runs; unexpected statuses added up, peak RSS the highest. */
export function medianOf(runs: Measurement[]): Measurement {
  const statuses: Record<string, number> = {};
  for (const run of runs) for (const [code, count] of Object.entries(run.statuses)) statuses[code] = (statuses[code] ?? 0) + count;
  const rss = runs.map((r) => r.peakRssMb).filter((v): v is number => v !== null);
  return {
    rps: median(runs.map((r) => r.rps)),
    p50: median(runs.map((r) => r.p50)),
    p99: median(runs.map((r) => r.p99)),
    max: median(runs.map((r) => r.max)),
    requests: runs.reduce((a, r) => a + r.requests, 0),
    unexpected: runs.reduce((a, r) => a + r.unexpected, 0),
    statuses,
    peakRssMb: rss.length ? Math.max(...rss) : null,
    cpuUsPerRequest: medianOrNull(runs.map((r) => r.cpuUsPerRequest)),
    dbCpuUsPerRequest: medianOrNull(runs.map((r) => r.dbCpuUsPerRequest)),
  };
}
