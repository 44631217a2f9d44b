import { DEFAULT_MIGRATION_TABLE, Migrator, sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import * as m0001 from './migrations/0001_core.js';
import * as m0002 from './migrations/0002_surfaces.js';
import * as m0003 from './migrations/0003_brands_custom_fields.js';
import * as m0004 from './migrations/0004_channels_timeline.js';

/** Migrations are listed here, in order, so the built service needs no file-system scan. */
const migrations: Record<string, Migration> = {
  '0001_core': m0001,
  '0002_surfaces': m0002,
  '0003_brands_custom_fields': m0003,
  '0004_channels_timeline': m0004,
};

const provider: MigrationProvider = { getMigrations: async () => migrations };

/**
 * Brings the schema up to date. Safe to run twice and from several processes at once:
 * Kysely takes an advisory lock while it migrates.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function migrateToLatest(db: Kysely<any>): Promise<string[]> {
  if (await upToDate(db)) return [];
  const migrator = new Migrator({ db, provider });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error;
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/**
 * Whether every migration has run: one query, where Kysely's migrator makes several (its tables,
 * its lock, the list) before it finds nothing to do, a few hundred milliseconds of every start on
 * the embedded store. Any doubt (no table yet, another list) is left to the migrator.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function upToDate(db: Kysely<any>): Promise<boolean> {
  try {
    const { rows } = await sql<{ name: string }>`select name from ${sql.table(DEFAULT_MIGRATION_TABLE)} order by name`.execute(db);
    const done = rows.map((r) => r.name);
    const all = Object.keys(migrations).sort();
    return done.length === all.length && done.every((name, i) => name === all[i]);
  } catch {
    return false;
  }
}
