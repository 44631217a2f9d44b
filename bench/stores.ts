import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { postgresCpuMs, postmasterOf } from './process.js';

/**
 * The databases a benchmark runs on: a fresh PostgreSQL database the harness creates and
 * drops (on the server BENCH_DATABASE_URL names), or a fresh PGlite data directory.
 */

export type DbKind = 'pglite' | 'postgres';

export interface Store {
  kind: DbKind;
  /** What Patron's environment says about the store. */
  env: Record<string, string>;
  /** PostgreSQL: the bench database's URL. */
  url?: string;
  /** PGlite: the data directory. */
  dataDir?: string;
  /** A scratch directory that goes away with the store. */
  tmp: string;
  close(): Promise<void>;
}

/** The server to create bench databases on, and the database to connect to while doing it. */
export const serverUrl = () => process.env.BENCH_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';

/**
 * What measures the database's own CPU time for a store (postgresCpuMs): the PostgreSQL server
 * the store lives on, found through a backend of its own, when it runs on this machine.
 * PGlite's work is inside Patron's process; a server on another machine is out of sight.
 */
export async function databaseCpuMeter(store: Store): Promise<(() => number | null) | undefined> {
  if (store.kind !== 'postgres') return undefined;
  const client = new pg.Client({ connectionString: store.url });
  await client.connect();
  try {
    const { rows } = await client.query<{ pid: number }>('select pg_backend_pid() as pid');
    const postmaster = postmasterOf(rows[0]!.pid);
    return postmaster === null ? undefined : () => postgresCpuMs(postmaster);
  } finally {
    await client.end();
  }
}

let databases = 0;

export async function openStore(kind: DbKind): Promise<Store> {
  const tmp = mkdtempSync(join(tmpdir(), 'patron-bench-'));
  // Patron's data dir: the PGlite store itself, or (on PostgreSQL) unused but set, so nothing lands in ./data.
  const dataDir = join(tmp, 'data');
  if (kind === 'pglite') {
    return { kind, env: { PATRON_DATA_DIR: dataDir }, dataDir, tmp, close: async () => rmSync(tmp, { recursive: true, force: true }) };
  }
  const name = `patron_bench_${process.pid}_${++databases}`;
  await admin(`create database ${name}`);
  const url = new URL(serverUrl());
  url.pathname = `/${name}`;
  return {
    kind,
    env: { PATRON_DATA_DIR: dataDir, DATABASE_URL: url.toString() },
    url: url.toString(),
    tmp,
    close: async () => {
      rmSync(tmp, { recursive: true, force: true });
      await admin(`drop database if exists ${name} with (force)`);
    },
  };
}

async function admin(statement: string) {
  const client = new pg.Client({ connectionString: serverUrl() });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

/** A copy of a (closed) PGlite data directory, named `name` in the store's scratch directory. */
export function copyDataDir(store: Store, name: string): string {
  const copy = join(store.tmp, name);
  rmSync(copy, { recursive: true, force: true });
  cpSync(store.dataDir!, copy, { recursive: true });
  return copy;
}

export async function postgresVersion(): Promise<string> {
  const client = new pg.Client({ connectionString: serverUrl() });
  await client.connect();
  try {
    return (await client.query<{ server_version: string }>('show server_version')).rows[0]!.server_version;
  } finally {
    await client.end();
  }
}
