import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, test } from 'node:test';
import { Validator } from '@seriousme/openapi-schema-validator';
import { ConfigError, loadConfig, type Config } from '../../src/config.js';
import { ADMIN_TOKEN, DB_KIND, startTestServer, useServer } from '../helpers.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const PG_URL = process.env.PATRON_TEST_DATABASE_URL;

const { server, client } = await useServer();

const tempDirs: string[] = [];
async function tempDir(label: string) {
  const dir = await mkdtemp(join(tmpdir(), `patron-${label}-`));
  tempDirs.push(dir);
  return dir;
}
after(async () => {
  for (const dir of tempDirs) await rm(dir, { recursive: true, force: true });
});

const pgliteIn = (dataDir: string): Config['database'] => ({ kind: 'pglite', dataDir });

// ---------------------------------------------------------------------------------------------
// Child-process helpers: `patron serve` run as a real process.

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

interface Child {
  proc: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** The environment of a child `patron`: the test's store (a data dir, or the PostgreSQL URL). */
function childEnv(extra: Record<string, string | undefined>, dataDir?: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, HOST: '127.0.0.1', PATRON_LOG_LEVEL: 'silent' };
  for (const key of ['DATABASE_URL', 'PATRON_DATA_DIR', 'PATRON_ADMIN_TOKEN', 'PATRON_URL', 'PORT']) delete env[key];
  if (DB_KIND === 'postgres' && PG_URL) env.DATABASE_URL = PG_URL;
  else if (dataDir) env.PATRON_DATA_DIR = dataDir;
  for (const [key, value] of Object.entries(extra)) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  return env;
}

function spawnPatron(args: string[], env: NodeJS.ProcessEnv): Child {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  proc.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  proc.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => proc.once('exit', (code, signal) => resolve({ code, signal })));
  after(() => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
  });
  return { proc, stdout: () => out, stderr: () => err, exited };
}

async function waitReady(child: Child, url: string, timeoutMs = 90_000) {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  void child.exited.then(() => (exited = true));
  while (Date.now() < deadline) {
    if (exited) throw new Error(`patron exited before it was ready:\n${child.stdout()}\n${child.stderr()}`);
    try {
      const res = await fetch(`${url}/readyz`);
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`patron not ready after ${timeoutMs} ms:\n${child.stdout()}\n${child.stderr()}`);
}

async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([promise, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: no result within ${ms} ms`)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

async function adminCall(url: string, adminToken: string, method: string, path: string, body?: unknown) {
  const res = await fetch(`${url}/admin/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${adminToken}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, body: (await res.json().catch(() => null)) as any };
}

// ---------------------------------------------------------------------------------------------

describe('health and readiness', () => {
  test('GET /healthz → 200 without a token', async () => {
    const res = await server.request('GET', '/healthz');
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { status: 'ok' });
  });

  test('GET /readyz → 200 {status: "ready"} while the database answers', async () => {
    const res = await server.request('GET', '/readyz');
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { status: 'ready' });
  });

  test('GET /readyz → 503 once the database is gone, while /healthz still answers', async () => {
    const own = await startTestServer();
    try {
      await own.server.database.close();
      const ready = await own.request('GET', '/readyz');
      assert.equal(ready.status, 503);
      assert.notEqual(ready.body?.status, 'ready');
      assert.equal((await own.request('GET', '/healthz')).status, 200);
    } finally {
      await own.server.app.close();
    }
  });
});

describe('request ids', () => {
  test('X-Request-Id is echoed on the response, and in a problem body', async () => {
    const ok = await server.request('GET', '/healthz', { headers: { 'x-request-id': 'trace-abc.123:xyz' } });
    assert.equal(ok.headers.get('x-request-id'), 'trace-abc.123:xyz');

    const problem = await server.request('GET', '/v1/customers', { headers: { 'x-request-id': 'req-401-check' } });
    assert.equal(problem.status, 401);
    assert.equal(problem.headers.get('x-request-id'), 'req-401-check');
    assert.equal(problem.body.requestId, 'req-401-check');

    const authed = await client.request('GET', '/v1/customers', { headers: { 'x-request-id': 'req-tenant-1' } });
    assert.equal(authed.status, 200);
    assert.equal(authed.headers.get('x-request-id'), 'req-tenant-1');
  });

  test('without X-Request-Id a fresh id is generated for each request', async () => {
    const a = await server.request('GET', '/healthz');
    const b = await server.request('GET', '/healthz');
    const idA = a.headers.get('x-request-id');
    const idB = b.headers.get('x-request-id');
    assert.ok(idA && idB);
    assert.notEqual(idA, idB);
  });

  test('an unsafe X-Request-Id is replaced by a generated one', async () => {
    const res = await server.request('GET', '/healthz', { headers: { 'x-request-id': 'x'.repeat(500) } });
    const id = res.headers.get('x-request-id');
    assert.ok(id);
    assert.notEqual(id, 'x'.repeat(500));
  });
});

describe('OpenAPI document and docs', () => {
  test('GET /openapi.json is a valid OpenAPI 3.1 document describing the API', async () => {
    const res = await server.request('GET', '/openapi.json');
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
    const doc = res.body;
    assert.match(doc.openapi, /^3\.1\./);

    const validator = new Validator();
    const result = await validator.validate(doc);
    assert.equal(result.valid, true, JSON.stringify(result.errors, null, 2));
    assert.equal(validator.version, '3.1');

    for (const path of ['/v1/customers', '/v1/customers/{id}', '/v1/customers/{id}/events', '/v1/customers/by-external-id/{externalId}', '/admin/v1/tenants']) {
      assert.ok(doc.paths[path], `documents ${path}`);
    }
    assert.ok(doc.paths['/v1/customers'].get && doc.paths['/v1/customers'].post);
    assert.ok(doc.paths['/v1/customers/{id}'].get && doc.paths['/v1/customers/{id}'].patch && doc.paths['/v1/customers/{id}'].delete);
    assert.ok(doc.paths['/v1/customers/by-external-id/{externalId}'].put);
    assert.ok(doc.paths['/admin/v1/tenants'].post && doc.paths['/admin/v1/tenants'].get);
    assert.ok(!('/openapi.json' in doc.paths), 'the document does not list itself');

    // Every $ref points inside the document and resolves.
    const refs: string[] = [];
    const walk = (node: unknown) => {
      if (Array.isArray(node)) node.forEach(walk);
      else if (node && typeof node === 'object') {
        for (const [key, value] of Object.entries(node)) {
          if (key === '$ref' && typeof value === 'string') refs.push(value);
          else walk(value);
        }
      }
    };
    walk(doc);
    for (const ref of new Set(refs)) {
      assert.ok(ref.startsWith('#/'), `local $ref: ${ref}`);
      let target: any = doc;
      for (const part of ref.slice(2).split('/')) target = target?.[decodeURIComponent(part.replace(/~1/g, '/').replace(/~0/g, '~'))];
      assert.ok(target !== undefined, `$ref ${ref} resolves`);
    }
  });

  test('GET /docs serves the interactive docs, with every asset loaded from this server', async () => {
    const res = await fetch(`${server.url}/docs`, { redirect: 'follow' });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
    const html = await res.text();
    assert.match(html, /<html/i);

    const origin = new URL(server.url).origin;
    const scripts = [...html.matchAll(/<script[^>]*\bsrc\s*=\s*["']([^"']+)["']/gi)].map((m) => m[1]!);
    const styles = [...html.matchAll(/<link[^>]*\bhref\s*=\s*["']([^"']+)["']/gi)].map((m) => m[1]!);
    assert.ok(scripts.length > 0, 'the page loads scripts');
    assert.ok(styles.some((s) => s.endsWith('.css')), 'the page loads a stylesheet');

    for (const src of [...scripts, ...styles]) {
      if (/^https?:\/\//i.test(src) || src.startsWith('//')) {
        assert.equal(new URL(src, res.url).origin, origin, `asset ${src} is served by Patron, not another host`);
      }
      const asset = await fetch(new URL(src, res.url));
      assert.equal(asset.status, 200, `asset ${src}`);
      const type = asset.headers.get('content-type') ?? '';
      if (src.endsWith('.js')) assert.match(type, /javascript/, `${src}: ${type}`);
      if (src.endsWith('.css')) assert.match(type, /text\/css/, `${src}: ${type}`);
      assert.ok((await asset.arrayBuffer()).byteLength > 0, `asset ${src} is not empty`);
    }

    // The initializer points the UI at a spec served by this server.
    const initializer = scripts.find((s) => s.includes('initializer'));
    if (initializer) {
      const js = await (await fetch(new URL(initializer, res.url))).text();
      for (const [, url] of js.matchAll(/url:\s*["']([^"']+)["']/g)) {
        const spec = await fetch(new URL(url!, res.url));
        assert.equal(spec.status, 200, `spec ${url}`);
        assert.match(((await spec.json()) as { openapi: string }).openapi, /^3\.1\./);
      }
    }
  });
});

describe('configuration', () => {
  test('defaults: PORT 8080, HOST 127.0.0.1, embedded PGlite in ./data, no admin token', () => {
    const config = loadConfig({});
    assert.equal(config.port, 8080);
    assert.equal(config.host, '127.0.0.1');
    assert.deepEqual(config.database, { kind: 'pglite', dataDir: './data' });
    assert.equal(config.adminToken, null);
  });

  test('values are read from the environment', () => {
    const config = loadConfig({ PORT: '9090', HOST: '0.0.0.0', DATABASE_URL: 'postgresql://u@db:5432/patron', PATRON_ADMIN_TOKEN: 'a'.repeat(32), PATRON_DATA_DIR: '/var/lib/x' });
    assert.equal(config.port, 9090);
    assert.equal(config.host, '0.0.0.0');
    assert.equal(config.database.kind, 'postgres');
    assert.equal(config.database.kind === 'postgres' && config.database.url, 'postgresql://u@db:5432/patron');
    assert.equal(config.adminToken, 'a'.repeat(32));
    assert.deepEqual(loadConfig({ PATRON_DATA_DIR: '/var/lib/x' }).database, { kind: 'pglite', dataDir: '/var/lib/x' });
  });

  test('PORT=abc throws a ConfigError naming PORT', () => {
    assert.throws(() => loadConfig({ PORT: 'abc' }), (err: unknown) => err instanceof ConfigError && /PORT/.test(err.message));
  });

  test('an out-of-range PORT throws a ConfigError naming PORT', () => {
    for (const PORT of ['-1', '65536']) {
      assert.throws(() => loadConfig({ PORT }), (err: unknown) => err instanceof ConfigError && /PORT/.test(err.message), PORT);
    }
  });

  test('a PORT that is not a plain integer (12.5, 1e3, true, false) is refused, not silently converted', () => {
    const accepted: string[] = [];
    for (const PORT of ['12.5', '1e3', 'true', 'false']) {
      try {
        accepted.push(`PORT=${PORT} → port ${loadConfig({ PORT }).port}`);
      } catch (err) {
        assert.ok(err instanceof ConfigError && /PORT/.test(err.message), String(err));
      }
    }
    assert.deepEqual(accepted, []);
  });

  test('DATABASE_URL that is not a PostgreSQL URL throws a ConfigError naming DATABASE_URL', () => {
    assert.throws(() => loadConfig({ DATABASE_URL: 'mysql://x' }), (err: unknown) => err instanceof ConfigError && /DATABASE_URL/.test(err.message));
  });

  test('a too-short PATRON_ADMIN_TOKEN and an unknown PATRON_LOG_LEVEL are refused', () => {
    assert.throws(() => loadConfig({ PATRON_ADMIN_TOKEN: 'short' }), (err: unknown) => err instanceof ConfigError && /PATRON_ADMIN_TOKEN/.test(err.message));
    assert.throws(() => loadConfig({ PATRON_LOG_LEVEL: 'loud' }), (err: unknown) => err instanceof ConfigError && /PATRON_LOG_LEVEL/.test(err.message));
  });
});

describe('persistence and lifecycle', () => {
  test('data survives a restart of the store', async () => {
    const database = DB_KIND === 'pglite' ? pgliteIn(await tempDir('persist')) : undefined;
    const overrides = database ? { database } : {};

    const first = await startTestServer(overrides);
    let tenantClient;
    let customer;
    try {
      tenantClient = await first.tenant();
      customer = await tenantClient.customer({ externalId: 'persist-1', customFields: { tier: 'gold' } });
      const patched = await tenantClient.patch(`/v1/customers/${customer.id}`, { notes: 'after restart?' });
      assert.equal(patched.status, 200);
      customer = patched.body;
    } finally {
      await first.close();
    }

    const second = await startTestServer(overrides);
    try {
      const res = await second.request('GET', `/v1/customers/${customer.id}`, { token: tenantClient.token });
      assert.equal(res.status, 200);
      assert.deepEqual(res.body, customer);
      const events = await second.request('GET', `/v1/customers/${customer.id}/events`, { token: tenantClient.token });
      assert.equal(events.status, 200);
      assert.deepEqual(events.body.data.map((e: { type: string }) => e.type).sort(), ['customer.created', 'customer.updated']);
      const tenant = await second.admin('GET', `/tenants/${tenantClient.tenant.id}`);
      assert.equal(tenant.status, 200);
      assert.equal(tenant.body.number, tenantClient.tenant.number);
      // Counters survive too: the next customer gets a new number.
      const next = await second.request('POST', '/v1/customers', { token: tenantClient.token, body: { name: 'Second Start' } });
      assert.equal(next.status, 201);
      assert.ok(next.body.number > customer.number);
    } finally {
      await second.close();
    }
  });

  test('first start without PATRON_ADMIN_TOKEN generates one, stores only its hash, and later starts keep it', async () => {
    const dataDir = await tempDir('admin');
    const first = await startTestServer({ adminToken: null, database: pgliteIn(dataDir) });
    const secret = first.server.generatedAdminToken;
    let tenantId: string;
    try {
      assert.equal(typeof secret, 'string');
      assert.ok(secret!.length >= 32, 'the secret is long');
      const created = await first.request('POST', '/admin/v1/tenants', { token: secret!, body: { name: 'first start' } });
      assert.equal(created.status, 201);
      tenantId = created.body.id;
      assert.equal((await first.request('GET', '/admin/v1/tenants', { token: ADMIN_TOKEN })).status, 401);

      const rows = await first.db.selectFrom('installation').selectAll().execute();
      assert.ok(rows.length >= 1);
      const hashes = rows.filter((r) => r.value === createHash('sha256').update(secret!).digest('hex'));
      assert.equal(hashes.length, 1, 'the installation table holds the hash of the secret');
      for (const row of rows) {
        assert.ok(!row.value.includes(secret!) && !row.key.includes(secret!), 'the secret itself is not stored');
      }
    } finally {
      await first.close();
    }

    const second = await startTestServer({ adminToken: null, database: pgliteIn(dataDir) });
    try {
      assert.equal(second.server.generatedAdminToken, null, 'no new secret on a later start');
      const listed = await second.request('GET', `/admin/v1/tenants/${tenantId}`, { token: secret! });
      assert.equal(listed.status, 200);
      assert.equal(listed.body.name, 'first start');
    } finally {
      await second.close();
    }

    // PATRON_ADMIN_TOKEN, when set, wins over the stored one.
    const third = await startTestServer({ adminToken: ADMIN_TOKEN, database: pgliteIn(dataDir) });
    try {
      assert.equal(third.server.generatedAdminToken, null);
      assert.equal((await third.request('GET', '/admin/v1/tenants', { token: ADMIN_TOKEN })).status, 200);
      assert.equal((await third.request('GET', '/admin/v1/tenants', { token: secret! })).status, 401);
    } finally {
      await third.close();
    }
  });
});

describe('patron serve as a process', () => {
  const adminToken = 'ops-test-admin-token-0123456789';

  test('SIGTERM stops serve: the process exits with code 0 within a few seconds', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const child = spawnPatron(['serve'], childEnv({ PORT: String(port), PATRON_ADMIN_TOKEN: adminToken }, await tempDir('serve')));
    try {
      await waitReady(child, url);
      assert.match(child.stdout(), new RegExp(`Patron listening on ${url.replace(/\./g, '\\.')}`));
      assert.ok(!child.stdout().includes(adminToken), 'a configured admin token is not printed');

      // Work through the pool first, so there is something to close.
      const tenant = await adminCall(url, adminToken, 'POST', '/tenants', { name: 'sigterm' });
      assert.equal(tenant.status, 201);
      const token = await adminCall(url, adminToken, 'POST', `/tenants/${tenant.body.id}/tokens`, { name: 'sigterm', scopes: ['customers:read'] });
      assert.equal(token.status, 201);
      const list = await fetch(`${url}/v1/customers`, { headers: { authorization: `Bearer ${token.body.token}` } });
      assert.equal(list.status, 200);
      await list.arrayBuffer();

      const signalledAt = Date.now();
      child.proc.kill('SIGTERM');
      const { code, signal } = await withTimeout(child.exited, 5_000, 'exit after SIGTERM');
      assert.equal(signal, null, child.stderr());
      assert.equal(code, 0, child.stderr());
      assert.ok(Date.now() - signalledAt < 5_000);
      await assert.rejects(fetch(`${url}/healthz`), 'no longer listening');
    } finally {
      if (child.proc.exitCode === null && child.proc.signalCode === null) child.proc.kill('SIGKILL');
    }
  });

  test('SIGTERM lets an in-flight request on a keep-alive connection finish, then exits with code 0 within a few seconds', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const child = spawnPatron(['serve'], childEnv({ PORT: String(port), PATRON_ADMIN_TOKEN: adminToken }, await tempDir('drain')));
    const socket = new Socket();
    try {
      await waitReady(child, url);
      const tenant = await adminCall(url, adminToken, 'POST', '/tenants', { name: 'drain' });
      assert.equal(tenant.status, 201);
      const token = await adminCall(url, adminToken, 'POST', `/tenants/${tenant.body.id}/tokens`, { name: 'drain', scopes: ['customers:read', 'customers:write'] });
      assert.equal(token.status, 201);

      // An in-flight request from an ordinary HTTP/1.1 (keep-alive) client: headers sent, the body
      // only half sent when SIGTERM arrives.
      const body = JSON.stringify({ name: 'In Flight', externalId: `drain-${Date.now()}` });
      await new Promise<void>((resolve, reject) => socket.once('error', reject).connect(port, '127.0.0.1', () => resolve()));
      socket.on('error', () => {});
      let response = '';
      socket.setEncoding('utf8').on('data', (d: string) => (response += d));
      socket.write(
        `POST /v1/customers HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAuthorization: Bearer ${token.body.token}\r\n` +
          `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body.slice(0, 10)}`,
      );
      await new Promise((r) => setTimeout(r, 300));

      const signalledAt = Date.now();
      child.proc.kill('SIGTERM');
      await new Promise((r) => setTimeout(r, 300));
      socket.write(body.slice(10));

      const exit = await withTimeout(child.exited, 10_000, 'exit after SIGTERM with a request in flight').catch((err: Error) => err);
      assert.match(response, /^HTTP\/1\.1 201 /, `the in-flight request completed: ${response.slice(0, 300)}`);
      assert.ok(response.includes(body.slice(10, 40)) || response.includes('"name":"In Flight"'));
      assert.ok(!(exit instanceof Error), `${exit instanceof Error ? exit.message : ''}; the response said: ${response.split('\r\n\r\n')[0]}`);
      assert.equal(exit.signal, null, child.stderr());
      assert.equal(exit.code, 0, child.stderr());
      assert.ok(Date.now() - signalledAt < 10_000);
    } finally {
      socket.destroy();
      if (child.proc.exitCode === null && child.proc.signalCode === null) child.proc.kill('SIGKILL');
    }
  });

  if (DB_KIND === 'pglite') {
    test('serve without PATRON_ADMIN_TOKEN prints the generated admin token, which works on the admin API', async () => {
      // Later starts generating none is covered in-process above (generatedAdminToken is null).
      const port = await freePort();
      const url = `http://127.0.0.1:${port}`;
      const child = spawnPatron(['serve'], childEnv({ PORT: String(port) }, await tempDir('serve-admin')));
      try {
        await waitReady(child, url);
        const printed = /Admin token[^\n]*\n\s*(\S+)/.exec(child.stdout());
        assert.ok(printed, `the admin token is printed:\n${child.stdout()}`);
        const secret = printed[1]!;
        assert.equal((await adminCall(url, secret, 'GET', '/tenants')).status, 200);
        assert.equal((await adminCall(url, `${secret}x`, 'GET', '/tenants')).status, 401);
        child.proc.kill('SIGTERM');
        assert.equal((await withTimeout(child.exited, 10_000, 'exit')).code, 0);
      } finally {
        if (child.proc.exitCode === null && child.proc.signalCode === null) child.proc.kill('SIGKILL');
      }
    });
  }

  test('a wrong environment value (PORT=abc) stops serve with a non-zero exit and a message naming PORT', async () => {
    const dataDir = await tempDir('badenv');
    const child = spawnPatron(['serve'], childEnv({ PORT: 'abc', PATRON_ADMIN_TOKEN: adminToken }, dataDir));
    const { code } = await withTimeout(child.exited, 60_000, 'exit on bad config');
    assert.notEqual(code, 0);
    assert.match(child.stderr(), /PORT/);
    assert.ok(!/at .*\.ts:\d+/.test(child.stderr()), `a clear message, not a stack trace:\n${child.stderr()}`);
  });
});
