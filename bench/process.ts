import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Process control: the build, and the servers under test (Patron and the ceilings), each a
 * child process of its own, so the load generator never shares their event loop.
 */

export const ROOT = fileURLToPath(new URL('..', import.meta.url));

function newestMtime(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(path).map((entry) => newestMtime(join(path, entry))));
}

/** Runs `npm run build` when dist/ is missing or older than the sources and the build script it comes from. */
export function ensureBuilt(log: (line: string) => void): void {
  const built = (() => {
    try {
      return statSync(join(ROOT, 'dist/cli.js')).mtimeMs;
    } catch {
      return 0;
    }
  })();
  const sources = Math.max(...['src', 'scripts', 'package.json', 'tsconfig.json', 'tsconfig.build.json'].map((path) => newestMtime(join(ROOT, path))));
  if (built >= sources) return;
  log(built ? 'dist/ is older than its sources: npm run build' : 'dist/ is missing: npm run build');
  const run = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
  if (run.status !== 0) throw new Error('npm run build failed');
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** The resident set size of a process, in bytes (Linux; null elsewhere). */
export function rssOf(pid: number): number | null {
  try {
    const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : null;
  } catch {
    return null;
  }
}

/** Clock ticks per second, the unit of /proc/<pid>/stat's CPU times (100 on Linux as built). */
const CLOCK_TICKS = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout) || 100;

/** A process's command name, parent, and CPU times in clock ticks: its own (user + system) and its waited-for children's. */
function statOf(pid: number): { command: string; parent: number; own: number; children: number } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name is in parentheses and may hold spaces. After it, the parent is the 2nd
    // field; utime, stime, cutime and cstime are the 12th to 15th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return {
      command: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')),
      parent: Number(fields[1]),
      own: Number(fields[11]) + Number(fields[12]),
      children: Number(fields[13]) + Number(fields[14]),
    };
  } catch {
    return null;
  }
}

/** The CPU time a process has used so far, user and system, in ms (Linux; null elsewhere). */
export function cpuMsOf(pid: number): number | null {
  const stat = statOf(pid);
  return stat && (stat.own * 1000) / CLOCK_TICKS;
}

/** The pids of a process's children (Linux). */
function childrenOf(pid: number): number[] {
  try {
    // Every thread's list, not only the main thread's; PostgreSQL's processes have one thread each.
    return readdirSync(`/proc/${pid}/task`).flatMap((task) =>
      readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim().split(' ').filter(Boolean).map(Number),
    );
  } catch {
    return [];
  }
}

/**
 * The CPU time used so far by a PostgreSQL server on this machine, in ms: its postmaster and
 * every process the postmaster started (backends, background workers), plus, through the
 * postmaster's count of waited-for children, those that have exited, so the total only grows
 * and only a difference of two readings means anything. A backend that exits between the
 * reading of the postmaster and its own would be missed: the reading is taken again (a few
 * times at most, under constant churn) until the set of processes stays the same. Null once
 * the postmaster is gone.
 */
export function postgresCpuMs(postmaster: number): number | null {
  for (let attempt = 1; ; attempt++) {
    const pids = childrenOf(postmaster);
    const server = statOf(postmaster);
    if (server?.command !== 'postgres') return null;
    let ticks = server.own + server.children;
    for (const pid of pids) ticks += statOf(pid)?.own ?? 0;
    const after = childrenOf(postmaster);
    const stable = after.length === pids.length && after.every((pid, i) => pid === pids[i]);
    if (stable || attempt === 10) return (ticks * 1000) / CLOCK_TICKS;
  }
}

/** The postmaster of a backend's pid, if that backend runs on this machine. */
export function postmasterOf(backend: number): number | null {
  const stat = statOf(backend);
  return stat?.command === 'postgres' && statOf(stat.parent)?.command === 'postgres' ? stat.parent : null;
}

/** Samples a process's RSS every 100 ms until stopped; returns the peak. */
export function sampleRss(pid: number): { stop(): number | null } {
  let peak: number | null = rssOf(pid);
  const timer = setInterval(() => {
    const rss = rssOf(pid);
    if (rss !== null && (peak === null || rss > peak)) peak = rss;
  }, 100);
  return {
    stop() {
      clearInterval(timer);
      return peak;
    },
  };
}

export interface Server {
  name: string;
  pid: number;
  url: string;
  /** From spawn to the first 200 from the ready path. */
  startupMs: number;
  stop(): Promise<void>;
}

const READY_TIMEOUT_MS = 120_000;

/**
 * Starts `node <args>` with the given environment and waits until GET <readyPath> answers
 * 200. The output is kept (the last lines) to explain a failed start.
 */
export async function startServer(name: string, args: string[], env: NodeJS.ProcessEnv, port: number, readyPath = '/readyz'): Promise<Server> {
  const url = `http://127.0.0.1:${port}`;
  const started = performance.now();
  const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const tail: string[] = [];
  const keep = (chunk: Buffer) => {
    tail.push(...chunk.toString().split('\n').filter(Boolean));
    tail.splice(0, Math.max(0, tail.length - 40));
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  let exited: number | null | undefined;
  const exit = new Promise<void>((resolve) =>
    child.once('exit', (code) => {
      exited = code;
      resolve();
    }),
  );
  const fail = (why: string) => {
    child.kill('SIGKILL');
    return new Error(`${name} ${why}\n${tail.map((l) => `  | ${l}`).join('\n')}`);
  };

  for (;;) {
    if (exited !== undefined) throw fail(`exited with code ${exited} before it was ready`);
    if (performance.now() - started > READY_TIMEOUT_MS) throw fail(`was not ready after ${READY_TIMEOUT_MS / 1000} s`);
    const ok = await fetch(url + readyPath, { signal: AbortSignal.timeout(1000) }).then(
      (res) => res.status === 200,
      () => false,
    );
    if (ok) break;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  const startupMs = performance.now() - started;

  return {
    name,
    pid: child.pid!,
    url,
    startupMs,
    async stop() {
      if (exited !== undefined) return;
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exit;
      clearTimeout(killer);
    },
  };
}

/** The environment of a child: the harness's own, less anything that would configure Patron. */
export function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^(PATRON_|DATABASE_URL$|PORT$|HOST$|BENCH_)/.test(key)) env[key] = value;
  }
  return { ...env, ...extra };
}

export const ADMIN_TOKEN = 'bench-admin-token-0123456789';

export interface PatronOptions {
  /** Under `--cpu-prof`, a profile per start in this directory, written when it stops. */
  cpuProfDir?: string;
  /** Another build's entry point than dist/cli.js (bench/compare.ts). */
  cli?: string;
  /** What errors and logs call this server. */
  name?: string;
}

/** `node dist/cli.js serve`, as a user runs it. */
export async function startPatron(store: { env: Record<string, string> }, options: PatronOptions = {}): Promise<Server> {
  const port = await freePort();
  const env = childEnv({ ...store.env, PORT: String(port), HOST: '127.0.0.1', PATRON_ADMIN_TOKEN: ADMIN_TOKEN, PATRON_LOG_LEVEL: 'warn' });
  const profile = options.cpuProfDir ? ['--cpu-prof', '--cpu-prof-dir', options.cpuProfDir] : [];
  return startServer(options.name ?? 'patron', [...profile, options.cli ?? 'dist/cli.js', 'serve'], env, port);
}

/** A ceiling server: bench/ceilings/<name>.ts under tsx. */
export async function startCeiling(name: string, env: Record<string, string>): Promise<Server> {
  const port = await freePort();
  return startServer(`ceiling ${name}`, ['--import', 'tsx', `bench/ceilings/${name}.ts`], childEnv({ ...env, PORT: String(port) }), port);
}
