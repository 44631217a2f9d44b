import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { createPgConfig } from '@electric-sql/pglite/node-postgres';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { Config } from '../config.js';
import type { Database } from './database.js';
import { statementName } from './statement-names.js';

export type Db = Kysely<Database>;

export interface DatabaseHandle {
  db: Db;
  kind: Config['database']['kind'];
  ping(): Promise<void>;
  close(): Promise<void>;
}

// int8 comes back from pg as a string; PGlite gives a number when it is safe. Make pg agree,
// so the same query returns the same types on both stores.
const pgTypes = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === pg.types.builtins.INT8) {
      return (value: string) => {
        const n = Number(value);
        return Number.isSafeInteger(n) ? n : BigInt(value);
      };
    }
    return pg.types.getTypeParser(oid, format);
  },
};

/** Kysely sends `query(sql, values)`; each goes as a named statement when it can (statement-names.ts). */
class NamingClient extends pg.Client {
  // pg's overloads can't be restated here: the wrapper only adds `name` and passes the rest on.
  override query(...args: any[]): any {
    const [text, values, callback] = args;
    const name = typeof text === 'string' && Array.isArray(values) && callback === undefined ? statementName(text, values) : undefined;
    if (!name) return (super.query as (...a: any[]) => any)(...args);
    // Given a config object ({ name, text, values }), pg copies it property by property
    // (Object.getOwnPropertyDescriptors): 2% of a GET by id's CPU. A Query made from the text,
    // then named, is taken as it is; the promise is the one pg would have made.
    const query = new pg.Query(text, values) as pg.Query & { name: string; callback?: (err: Error | null, res: pg.QueryResult) => void };
    query.name = name;
    return new Promise((resolve, reject) => {
      query.callback = (err, res) => (err ? reject(err) : resolve(res));
      super.query(query);
    });
  }
}

/**
 * PGlite keeps PostgreSQL's shared buffers inside the process's own memory, where they count
 * against its RSS (the default 128 MB made an idle embedded store about 300 MB); the files'
 * pages are cached by the operating system anyway, which PGlite reads through. 32 MB halved the
 * idle process; 16 MB took another 10-39 MB off its peak under load, at the same CPU per request
 * and with look-ups still flat at 1M customers (docs/performance.md).
 */
const PGLITE_CONF = ['shared_buffers = 16MB'];

export async function openDatabase(database: Config['database']): Promise<DatabaseHandle> {
  if (database.kind === 'postgres') {
    const pool = new pg.Pool({
      connectionString: database.url,
      max: database.poolSize,
      types: pgTypes,
      application_name: 'patron',
      Client: NamingClient,
    });
    // A pool error on an idle client must not crash the process; the next query reconnects.
    pool.on('error', () => {});
    return handle(pool, 'postgres');
  }
  if (database.dataDir) mkdirSync(database.dataDir, { recursive: true });
  const pglite = new PGlite({ dataDir: database.dataDir ?? undefined, postgresqlconf: PGLITE_CONF });
  await pglite.waitReady;
  // PGlite is one PostgreSQL session: a pool of one client over PGlite's node-postgres adapter,
  // so both stores run the same driver, types and named statements, and callers take turns
  // (a transaction holds the session until it ends). The client is never closed while idle:
  // there is only the one session to come back to.
  const pool = new pg.Pool({ ...createPgConfig(pglite), max: 1, idleTimeoutMillis: 0, types: pgTypes, Client: NamingClient });
  pool.on('error', () => {});
  return handle(pool, 'pglite', () => pglite.close());
}

/** The Kysely handle over a pool; `closeStore` runs once the pool has ended (PGlite's own close). */
function handle(pool: pg.Pool, kind: DatabaseHandle['kind'], closeStore?: () => Promise<void>): DatabaseHandle {
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return {
    db,
    kind,
    ping: async () => void (await sql`select 1`.execute(db)),
    close: async () => {
      await db.destroy();
      await closeStore?.();
    },
  };
}
