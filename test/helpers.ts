import { after } from 'node:test';
import type { Config } from '../src/config.js';
import { startServer, type RunningServer } from '../src/server.js';

/**
 * Tests drive a real Patron server over HTTP on a random loopback port, on the store chosen
 * by scripts/test.mjs: an in-memory PGlite per test file, or the PostgreSQL database in
 * PATRON_TEST_DATABASE_URL (shared by all files; every test works in its own tenants).
 */

export const ADMIN_TOKEN = 'test-admin-token-0123456789abcdef';
export const DB_KIND = process.env.PATRON_TEST_DB === 'postgres' ? 'postgres' : 'pglite';

export function testConfig(overrides: Partial<Config> = {}): Config {
  const url = process.env.PATRON_TEST_DATABASE_URL;
  return {
    port: 0,
    host: '127.0.0.1',
    database: DB_KIND === 'postgres' && url ? { kind: 'postgres', url, poolSize: 10 } : { kind: 'pglite', dataDir: null },
    adminToken: ADMIN_TOKEN,
    logLevel: 'silent',
    bodyLimit: 262_144,
    outboundAllow: [],
    ...overrides,
  };
}

export interface Res<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export interface RequestOptions {
  token?: string | null;
  body?: unknown;
  /** Sent as is, instead of JSON-encoding `body`. */
  raw?: string | Buffer;
  contentType?: string | null;
  headers?: Record<string, string>;
}

export class TestServer {
  constructor(readonly server: RunningServer) {}

  get url() {
    return this.server.url;
  }

  get db() {
    return this.server.database.db;
  }

  async request<T = any>(method: string, path: string, options: RequestOptions = {}): Promise<Res<T>> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    let body: string | Buffer | undefined;
    if (options.raw !== undefined) body = options.raw;
    else if (options.body !== undefined) body = JSON.stringify(options.body);
    if (body !== undefined && options.contentType !== null) headers['content-type'] = options.contentType ?? 'application/json';
    const res = await fetch(this.url + path, { method, headers, body });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      // not JSON: keep the text
    }
    return { status: res.status, headers: res.headers, body: parsed as T, text };
  }

  admin<T = any>(method: string, path: string, body?: unknown): Promise<Res<T>> {
    return this.request<T>(method, `/admin/v1${path}`, { token: ADMIN_TOKEN, body });
  }

  async createTenant(name = `tenant-${Math.random().toString(36).slice(2, 8)}`, settings?: Record<string, unknown>) {
    const res = await this.admin('POST', '/tenants', { name, ...(settings ? { settings } : {}) });
    if (res.status !== 201) throw new Error(`tenant create failed: ${res.status} ${res.text}`);
    return res.body as { id: string; number: number; name: string; status: string };
  }

  async createToken(tenantId: string, scopes: string[] = ALL_SCOPES, extra: Record<string, unknown> = {}) {
    const res = await this.admin('POST', `/tenants/${tenantId}/tokens`, { name: 'test', scopes, ...extra });
    if (res.status !== 201) throw new Error(`token create failed: ${res.status} ${res.text}`);
    return res.body as { id: string; token: string; scopes: string[] };
  }

  /** A fresh tenant with a token holding every scope, and a client bound to it. */
  async tenant(settings?: Record<string, unknown>) {
    const tenant = await this.createTenant(undefined, settings);
    const { token } = await this.createToken(tenant.id);
    return new TenantClient(this, tenant, token);
  }

  async countCustomers(tenantId: string): Promise<number> {
    const row = await this.db
      .selectFrom('customers')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('tenant_id', '=', tenantId)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  close() {
    return this.server.close();
  }
}

export const ALL_SCOPES = ['customers:read', 'customers:write', 'customers:purge'];

export class TenantClient {
  constructor(
    readonly server: TestServer,
    readonly tenant: { id: string; number: number; name: string },
    readonly token: string,
  ) {}

  request<T = any>(method: string, path: string, options: RequestOptions = {}) {
    return this.server.request<T>(method, path, { token: this.token, ...options });
  }

  get<T = any>(path: string, headers?: Record<string, string>) {
    return this.request<T>('GET', path, { headers });
  }

  post<T = any>(path: string, body?: unknown, headers?: Record<string, string>) {
    return this.request<T>('POST', path, { body, headers });
  }

  patch<T = any>(path: string, body: unknown, headers?: Record<string, string>) {
    return this.request<T>('PATCH', path, { body, headers });
  }

  put<T = any>(path: string, body: unknown, headers?: Record<string, string>) {
    return this.request<T>('PUT', path, { body, headers });
  }

  delete<T = any>(path: string, headers?: Record<string, string>) {
    return this.request<T>('DELETE', path, { headers });
  }

  /** Creates a customer through /v1 and returns it (throws unless 201). */
  async customer(body: Record<string, unknown> = {}) {
    const res = await this.post('/v1/customers', { name: 'Jane Smith', email: `jane.${Math.random().toString(36).slice(2, 10)}@example.com`, ...body });
    if (res.status !== 201) throw new Error(`customer create failed: ${res.status} ${res.text}`);
    return res.body;
  }
}

export async function startTestServer(overrides: Partial<Config> = {}): Promise<TestServer> {
  return new TestServer(await startServer(testConfig(overrides)));
}

/**
 * Starts one server for a test file (use with top-level await) and stops it once the file's
 * tests are done.
 */
export async function useServer(overrides: Partial<Config> = {}) {
  const server = await startTestServer(overrides);
  after(() => server.close());
  const client = await server.tenant();
  return { server, client };
}
