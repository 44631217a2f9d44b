import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { ADMIN_TOKEN, DB_KIND, startTestServer, type TestServer } from '../helpers.js';

/**
 * The `patron` CLI, run as a real process (`node --import tsx src/cli.ts …`): directly against
 * the database (a temporary PGlite data dir, or the PostgreSQL test database), and with
 * --server against a running test server. Every spawn costs seconds: keep their number low.
 */

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const PG_URL = process.env.PATRON_TEST_DATABASE_URL;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function patron(args: string[], env: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'src/cli.ts', ...args],
      { cwd: ROOT, env, maxBuffer: 256 * 1024 * 1024, timeout: 120_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout: String(stdout), stderr: String(stderr) });
      },
    );
  });
}

/** Runs and expects success with JSON on stdout. */
async function patronJson<T = any>(args: string[], env: NodeJS.ProcessEnv): Promise<T> {
  const run = await patron(args, env);
  assert.equal(run.code, 0, `patron ${args.join(' ')} failed:\n${run.stderr}`);
  try {
    return JSON.parse(run.stdout) as T;
  } catch {
    assert.fail(`patron ${args.join(' ')} did not print JSON:\n${run.stdout}`);
  }
}

function baseEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, PATRON_LOG_LEVEL: 'silent' };
  for (const key of ['DATABASE_URL', 'PATRON_DATA_DIR', 'PATRON_ADMIN_TOKEN', 'PATRON_URL', 'PORT', 'HOST']) delete env[key];
  return env;
}

describe('patron CLI, directly on the database', () => {
  let dataDir: string | null = null;
  let env: NodeJS.ProcessEnv;

  before(async () => {
    env = baseEnv();
    if (DB_KIND === 'postgres' && PG_URL) {
      env.DATABASE_URL = PG_URL;
    } else {
      dataDir = await mkdtemp(join(tmpdir(), 'patron-cli-'));
      env.PATRON_DATA_DIR = dataDir;
    }
  });
  after(async () => {
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  let tenant: { id: string; number: number; name: string; status: string };
  let created: { id: string; token: string; scopes: string[] };

  test('migrate brings the schema up to date, and running it again is harmless', async () => {
    const first = await patron(['migrate'], env);
    assert.equal(first.code, 0, first.stderr);
    if (DB_KIND === 'pglite') assert.match(first.stdout, /Applied: .*0001_core/);
    else assert.match(first.stdout, /Applied: |Already up to date\./);

    const second = await patron(['migrate'], env);
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stdout, /Already up to date\./);
  });

  test('tenants create --json prints the new tenant', async () => {
    tenant = await patronJson(['tenants', 'create', '--name', 'Acme', '--json'], env);
    assert.match(tenant.id, UUID);
    assert.ok(Number.isInteger(tenant.number) && tenant.number > 0);
    assert.equal(tenant.name, 'Acme');
    assert.equal(tenant.status, 'active');
  });

  test('tenants list --json includes it', async () => {
    const list = await patronJson<{ id: string; name: string }[]>(['tenants', 'list', '--json'], env);
    assert.ok(Array.isArray(list));
    const found = list.find((t) => t.id === tenant.id);
    assert.ok(found, 'the created tenant is listed');
    assert.equal(found.name, 'Acme');
  });

  test('tenants update --status suspended --require-if-match true --json changes the tenant', async () => {
    const updated = await patronJson(['tenants', 'update', tenant.id, '--status', 'suspended', '--require-if-match', 'true', '--json'], env);
    assert.equal(updated.id, tenant.id);
    assert.equal(updated.status, 'suspended');
    assert.equal(updated.name, 'Acme');
    assert.deepEqual(updated.settings, { requireIfMatch: true });
  });

  test('tokens create --scopes customers:read,customers:write --json prints the token once, with its ptn_ secret', async () => {
    created = await patronJson(['tokens', 'create', tenant.id, '--name', 'ci', '--scopes', 'customers:read,customers:write', '--json'], env);
    assert.match(created.id, UUID);
    assert.ok(created.token.startsWith('ptn_'), created.token);
    assert.ok(created.token.length - 'ptn_'.length >= 22, 'at least 128 random bits');
    assert.deepEqual(created.scopes, ['customers:read', 'customers:write']);
  });

  test('tokens list --json lists the token without its secret', async () => {
    const run = await patron(['tokens', 'list', tenant.id, '--json'], env);
    assert.equal(run.code, 0, run.stderr);
    const list = JSON.parse(run.stdout) as Record<string, unknown>[];
    assert.equal(list.length, 1);
    assert.equal(list[0]!.id, created.id);
    assert.equal(list[0]!.name, 'ci');
    assert.equal(list[0]!.token, undefined);
    assert.equal(list[0]!.revokedAt, null);
    assert.ok(!run.stdout.includes(created.token), 'the secret is not printed');
  });

  test('tokens revoke --json prints the token with revokedAt', async () => {
    const revoked = await patronJson(['tokens', 'revoke', created.id, '--json'], env);
    assert.equal(revoked.id, created.id);
    assert.match(revoked.revokedAt, /^\d{4}-\d{2}-\d{2}T/);
    assert.equal(revoked.token, undefined);
  });

  test('tokens create with an unknown scope exits non-zero with a message naming it, and creates nothing', async () => {
    const run = await patron(['tokens', 'create', tenant.id, '--name', 'bad', '--scopes', 'customers:read,customers:fly', '--json'], env);
    assert.notEqual(run.code, 0);
    assert.match(run.stderr, /customers:fly/);
    assert.match(run.stderr, /scope/i);
    assert.equal(run.stdout.trim(), '');
  });

  test('what the CLI wrote is in the database: suspended tenant, a hashed and revoked token, nothing else', async () => {
    const server: TestServer = await startTestServer(dataDir ? { database: { kind: 'pglite', dataDir } } : {});
    try {
      const row = await server.db.selectFrom('tenants').selectAll().where('id', '=', tenant.id).executeTakeFirstOrThrow();
      assert.equal(row.status, 'suspended');
      assert.deepEqual(row.settings, { requireIfMatch: true });
      const tokens = await server.db.selectFrom('api_tokens').selectAll().where('tenant_id', '=', tenant.id).execute();
      assert.equal(tokens.length, 1, 'the refused token was not stored');
      assert.equal(tokens[0]!.id, created.id);
      assert.ok(tokens[0]!.revoked_at instanceof Date);
      assert.equal(tokens[0]!.token_hash, createHash('sha256').update(created.token).digest('hex'));
      assert.ok(!JSON.stringify(tokens[0]).includes(created.token), 'the secret is stored nowhere');
      assert.equal((await server.request('GET', '/v1/customers', { token: created.token })).status, 401);
    } finally {
      await server.close();
    }
  });
});

describe('patron CLI with --server, through a running server’s admin API', () => {
  let server: TestServer;
  let env: NodeJS.ProcessEnv;

  before(async () => {
    server = await startTestServer();
    env = { ...baseEnv(), PATRON_ADMIN_TOKEN: ADMIN_TOKEN };
  });
  after(() => server.close());

  let tenant: { id: string; number: number; name: string };
  let created: { id: string; token: string };
  const name = `Remote ${Math.random().toString(36).slice(2, 8)}`;

  test('tenants create --server creates the tenant on that server', async () => {
    tenant = await patronJson(['tenants', 'create', '--name', name, '--server', server.url, '--json'], env);
    assert.match(tenant.id, UUID);
    assert.equal(tenant.name, name);
    const row = await server.db.selectFrom('tenants').select(['name', 'number']).where('id', '=', tenant.id).executeTakeFirstOrThrow();
    assert.equal(row.name, name);
    assert.equal(row.number, tenant.number);
  });

  test('tenants list --server includes it', async () => {
    const list = await patronJson<{ id: string }[]>(['tenants', 'list', '--server', server.url, '--json'], env);
    assert.ok(list.some((t) => t.id === tenant.id));
  });

  test('tokens create --server prints a token that works on that server’s /v1/customers', async () => {
    created = await patronJson(['tokens', 'create', tenant.id, '--name', 'remote', '--scopes', 'customers:read', '--server', server.url, '--json'], env);
    assert.ok(created.token.startsWith('ptn_'));
    const res = await server.request('GET', '/v1/customers', { token: created.token });
    assert.equal(res.status, 200);
    assert.deepEqual(res.body.data, []);
  });

  test('tokens revoke --server revokes it: the token then gets 401', async () => {
    const revoked = await patronJson(['tokens', 'revoke', created.id, '--server', server.url, '--json'], env);
    assert.ok(revoked.revokedAt);
    assert.equal((await server.request('GET', '/v1/customers', { token: created.token })).status, 401);
  });

  test('a wrong admin token exits non-zero with the server’s 401', async () => {
    const run = await patron(['tenants', 'list', '--server', server.url, '--json'], { ...env, PATRON_ADMIN_TOKEN: `${ADMIN_TOKEN}-wrong` });
    assert.notEqual(run.code, 0);
    assert.match(run.stderr, /401/);
    assert.equal(run.stdout.trim(), '');
  });
});
