import type { FastifyInstance } from 'fastify';
import { buildApp } from './app.js';
import type { Config } from './config.js';
import { ensureAdminToken } from './core/auth/admin-token.js';
import { ensureSigningKey } from './core/auth/oauth.service.js';
import { openDatabase, type DatabaseHandle } from './db/connect.js';
import { migrateToLatest } from './db/migrate.js';
import { createSafeFetch } from './core/outbound/safe-fetch.js';
import { createServices } from './services.js';

const SWEEP_INTERVAL_MS = 60 * 60 * 1000;

export interface RunningServer {
  app: FastifyInstance;
  database: DatabaseHandle;
  url: string;
  /** The admin secret when this start generated it (first start without PATRON_ADMIN_TOKEN). */
  generatedAdminToken: string | null;
  close(): Promise<void>;
}

/** Opens the store, migrates it, and listens. Used by `patron serve` and by the tests. */
export async function startServer(config: Config): Promise<RunningServer> {
  const database = await openDatabase(config.database);
  try {
    await migrateToLatest(database.db);
    const admin = await ensureAdminToken(database.db, config.adminToken);
    const services = createServices(
      database,
      { adminTokenHash: admin.hash, signingKey: await ensureSigningKey(database.db) },
      createSafeFetch({ allowHosts: config.outboundAllow }),
    );
    const app = await buildApp({ services, logLevel: config.logLevel, bodyLimit: config.bodyLimit });
    await app.listen({ port: config.port, host: config.host });
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    const sweeper = setInterval(() => {
      services.idempotency.sweep().catch((err: unknown) => app.log.warn({ err }, 'idempotency key sweep failed'));
    }, SWEEP_INTERVAL_MS);
    sweeper.unref();
    let closing: Promise<void> | null = null;
    return {
      app,
      database,
      url: `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`,
      generatedAdminToken: admin.generated,
      close: () =>
        (closing ??= (async () => {
          clearInterval(sweeper);
          // Stops accepting, lets in-flight requests finish, then closes the pool.
          await app.close();
          await database.close();
        })()),
    };
  } catch (err) {
    await database.close().catch(() => {});
    throw err;
  }
}

export function describeDatabase(config: Config): string {
  if (config.database.kind === 'postgres') {
    const url = new URL(config.database.url);
    return `PostgreSQL at ${url.hostname}:${url.port || 5432}${url.pathname}`;
  }
  return config.database.dataDir ? `embedded PGlite in ${config.database.dataDir}` : 'embedded PGlite in memory';
}
