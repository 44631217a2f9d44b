import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { ADMIN_TOKEN, DB_KIND, startTestServer, type TestServer } from '../helpers.js';

/**
 * `patron brands …` as a real process, directly on the database and with --server (see
 * cli.test.ts for the harness). Every spawn costs seconds: keep their number low.
 */

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const PG_URL = process.env.PATRON_TEST_DATABASE_URL;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function patron(args: string[], env: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], { cwd: ROOT, env, timeout: 120_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

async function patronJson<T = any>(args: string[], env: NodeJS.ProcessEnv): Promise<T> {
  const run = await patron(args, env);
  assert.equal(run.code, 0, `patron ${args.join(' ')} failed:\n${run.stderr}`);
  return JSON.parse(run.stdout) as T;
}

function baseEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, PATRON_LOG_LEVEL: 'silent' };
  for (const key of ['DATABASE_URL', 'PATRON_DATA_DIR', 'PATRON_ADMIN_TOKEN', 'PATRON_URL', 'PORT', 'HOST']) delete env[key];
  return env;
}

describe('seed 003: patron brands, directly on the database', () => {
  let dataDir: string | null = null;
  let env: NodeJS.ProcessEnv;
  let tenantId: string;
  let brandId: number;

  before(async () => {
    env = baseEnv();
    if (DB_KIND === 'postgres' && PG_URL) {
      env.DATABASE_URL = PG_URL;
    } else {
      dataDir = await mkdtemp(join(tmpdir(), 'patron-cli-brands-'));
      env.PATRON_DATA_DIR = dataDir;
    }
    tenantId = (await patronJson(['tenants', 'create', '--name', 'Brand Owner', '--json'], env)).id;
  });
  after(async () => {
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  test('brands create --crm-lookup-url --search-customers-by-channel --json prints the brand', async () => {
    const brand = await patronJson(['brands', 'create', tenantId, '--name', 'Acme', '--crm-lookup-url', 'https://crm.example.com/lookup', '--search-customers-by-channel', '--json'], env);
    assert.ok(Number.isSafeInteger(brand.id));
    assert.equal(brand.name, 'Acme');
    assert.equal(brand.crmLookupUrl, 'https://crm.example.com/lookup');
    assert.equal(brand.searchCustomersByChannel, true);
    brandId = brand.id;
  });

  test('brands update --no-crm-lookup-url --no-search-customers-by-channel --name changes it; brands list (table) shows it', async () => {
    const updated = await patronJson(['brands', 'update', tenantId, String(brandId), '--name', 'Acme Two', '--no-crm-lookup-url', '--no-search-customers-by-channel', '--json'], env);
    assert.equal(updated.id, brandId);
    assert.equal(updated.name, 'Acme Two');
    assert.equal(updated.crmLookupUrl, null);
    assert.equal(updated.searchCustomersByChannel, false);
    const list = await patron(['brands', 'list', tenantId], env);
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /^id\s+name\s+crmLookupUrl\s+searchCustomersByChannel\n/);
    assert.match(list.stdout, new RegExp(`^${brandId}\\s+Acme Two\\s+-\\s+false$`, 'm'));
  });

  test('brands create with an ftp: URL exits non-zero naming crmLookupUrl, and creates nothing', async () => {
    const run = await patron(['brands', 'create', tenantId, '--name', 'Bad', '--crm-lookup-url', 'ftp://crm.example.com/', '--json'], env);
    assert.notEqual(run.code, 0);
    assert.match(run.stderr, /crmLookupUrl/);
    assert.match(run.stderr, /invalid_url/);
    assert.equal(run.stdout.trim(), '');
    const server: TestServer = await startTestServer(dataDir ? { database: { kind: 'pglite', dataDir } } : {});
    try {
      const rows = await server.db.selectFrom('brands').selectAll().where('tenant_id', '=', tenantId).execute();
      assert.equal(rows.length, 1, 'only the first brand');
      assert.equal(rows[0]!.name, 'Acme Two');
      assert.equal(rows[0]!.crm_lookup_url, null);
    } finally {
      await server.close();
    }
  });
});

describe('seed 003: patron brands with --server', () => {
  let server: TestServer;
  let env: NodeJS.ProcessEnv;

  before(async () => {
    server = await startTestServer();
    env = { ...baseEnv(), PATRON_ADMIN_TOKEN: ADMIN_TOKEN };
  });
  after(() => server.close());

  test('create, update and list go through the admin API', async () => {
    const tenant = await server.createTenant();
    const brand = await patronJson(['brands', 'create', tenant.id, '--name', 'Remote', '--server', server.url, '--json'], env);
    assert.equal(brand.searchCustomersByChannel, false);
    const updated = await patronJson(['brands', 'update', tenant.id, String(brand.id), '--crm-lookup-url', 'http://crm.example.com/', '--search-customers-by-channel', '--server', server.url, '--json'], env);
    assert.equal(updated.crmLookupUrl, 'http://crm.example.com/');
    assert.equal(updated.searchCustomersByChannel, true);
    const row = await server.db.selectFrom('brands').selectAll().where('id', '=', brand.id).executeTakeFirstOrThrow();
    assert.equal(row.tenant_id, tenant.id);
    assert.equal(row.crm_lookup_url, 'http://crm.example.com/');
    const list = await patronJson(['brands', 'list', tenant.id, '--server', server.url, '--json'], env);
    assert.deepEqual(list.map((b: { id: number }) => b.id), [brand.id]);
  });

  test('another tenant’s brand id exits non-zero with the server’s 404', async () => {
    const a = await server.createTenant();
    const b = await server.createTenant();
    const brand = (await server.admin('POST', `/tenants/${a.id}/brands`, { name: 'Mine' })).body;
    const run = await patron(['brands', 'update', b.id, String(brand.id), '--name', 'Stolen', '--server', server.url, '--json'], env);
    assert.notEqual(run.code, 0);
    assert.match(run.stderr, /404/);
    const row = await server.db.selectFrom('brands').select('name').where('id', '=', brand.id).executeTakeFirstOrThrow();
    assert.equal(row.name, 'Mine');
  });
});
