#!/usr/bin/env node
import v8 from 'node:v8';
import { Command, Option } from 'commander';
import { ConfigError, loadConfig, type Config } from './config.js';
import { createToken, listTokens, revokeToken } from './core/auth/token.service.js';
import { GRANTABLE_SCOPES, isGrantable } from './core/auth/scopes.js';
import { AppError } from './core/errors.js';
import { createTenant, listTenants, updateTenant, type TenantPatch } from './core/tenants/tenant.service.js';
import { openDatabase } from './db/connect.js';
import { migrateToLatest } from './db/migrate.js';
import { oauthClientDto, tenantDto, tokenDto } from './http/routes/admin/admin.js';
import { createClient, listClients, revokeClient } from './core/auth/oauth.service.js';
import type { CreateBrand, PatchBrand } from './core/brands/brand.model.js';
import { BrandService } from './core/brands/brand.service.js';
import { describeDatabase, startServer } from './server.js';

/**
 * `patron`: the server and its administration. Admin commands work directly on the
 * database (DATABASE_URL / PATRON_DATA_DIR, as the server would), or, with --server, through
 * a running server's admin API. The embedded store can be opened by one process only, so
 * while `patron serve` runs on it, use --server.
 */

type Json = Record<string, unknown>;

interface AdminBackend {
  createTenant(body: Json): Promise<Json>;
  listTenants(): Promise<Json[]>;
  updateTenant(id: string, body: TenantPatch): Promise<Json>;
  createToken(tenantId: string, body: { name: string; scopes: string[]; expiresAt?: string }): Promise<Json>;
  listTokens(tenantId: string): Promise<Json[]>;
  revokeToken(id: string): Promise<Json>;
  createOAuthClient(tenantId: string, body: { name: string; scopes: string[] }): Promise<Json>;
  listOAuthClients(tenantId: string): Promise<Json[]>;
  revokeOAuthClient(id: string): Promise<Json>;
  createBrand(tenantId: string, body: CreateBrand): Promise<Json>;
  listBrands(tenantId: string): Promise<Json[]>;
  updateBrand(tenantId: string, brandId: number, body: PatchBrand): Promise<Json>;
  close(): Promise<void>;
}

async function directBackend(config: Config): Promise<AdminBackend> {
  const database = await openDatabase(config.database);
  await migrateToLatest(database.db);
  const db = database.db;
  const brands = new BrandService(db);
  return {
    createTenant: async (body) => tenantDto(await createTenant(db, { name: String(body.name) })),
    listTenants: async () => {
      const out: Json[] = [];
      for (let after = 0; ; ) {
        const page = await listTenants(db, { limit: 500, afterNumber: after });
        out.push(...page.map(tenantDto));
        if (page.length < 500) return out;
        after = page.at(-1)!.number;
      }
    },
    updateTenant: async (id, body) => tenantDto(await updateTenant(db, id, body)),
    createToken: async (tenantId, body) => {
      const { token, secret } = await createToken(db, tenantId, { ...body, expiresAt: body.expiresAt ? new Date(body.expiresAt) : null });
      return { ...tokenDto(token), token: secret };
    },
    listTokens: async (tenantId) => (await listTokens(db, tenantId)).map(tokenDto),
    revokeToken: async (id) => tokenDto(await revokeToken(db, id)),
    createOAuthClient: async (tenantId, body) => {
      const { client, secret } = await createClient(db, tenantId, body);
      return { ...oauthClientDto(client), clientSecret: secret };
    },
    listOAuthClients: async (tenantId) => (await listClients(db, tenantId)).map(oauthClientDto),
    revokeOAuthClient: async (id) => oauthClientDto(await revokeClient(db, id)),
    createBrand: (tenantId, body) => brands.create(tenantId, body),
    listBrands: (tenantId) => brands.list(tenantId),
    updateBrand: (tenantId, brandId, body) => brands.update(tenantId, brandId, body),
    close: () => database.close(),
  };
}

function httpBackend(server: string, adminToken: string): AdminBackend {
  const call = async (method: string, path: string, body?: unknown): Promise<Json> => {
    const res = await fetch(new URL(`/admin/v1${path}`, server), {
      method,
      headers: { authorization: `Bearer ${adminToken}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const json = (await res.json().catch(() => ({}))) as Json;
    if (!res.ok) throw new Error(`${res.status} ${String(json.detail ?? json.title ?? res.statusText)}${json.errors ? ` ${JSON.stringify(json.errors)}` : ''}`);
    return json;
  };
  return {
    createTenant: (body) => call('POST', '/tenants', body),
    listTenants: async () => {
      const out: Json[] = [];
      for (let after = 0; ; ) {
        const page = await call('GET', `/tenants?limit=100&afterNumber=${after}`);
        const data = page.data as Json[];
        out.push(...data);
        if (!page.hasMore) return out;
        after = Number(data.at(-1)!.number);
      }
    },
    updateTenant: (id, body) => call('PATCH', `/tenants/${id}`, body),
    createToken: (tenantId, body) => call('POST', `/tenants/${tenantId}/tokens`, body),
    listTokens: async (tenantId) => (await call('GET', `/tenants/${tenantId}/tokens`)).data as Json[],
    revokeToken: (id) => call('DELETE', `/tokens/${id}`),
    createOAuthClient: (tenantId, body) => call('POST', `/tenants/${tenantId}/oauth-clients`, body),
    listOAuthClients: async (tenantId) => (await call('GET', `/tenants/${tenantId}/oauth-clients`)).data as Json[],
    revokeOAuthClient: (id) => call('DELETE', `/oauth-clients/${id}`),
    createBrand: (tenantId, body) => call('POST', `/tenants/${tenantId}/brands`, body),
    listBrands: async (tenantId) => (await call('GET', `/tenants/${tenantId}/brands`)).data as Json[],
    updateBrand: (tenantId, brandId, body) => call('PATCH', `/tenants/${tenantId}/brands/${brandId}`, body),
    close: async () => {},
  };
}

function print(value: Json | Json[], json: boolean, columns: string[]) {
  if (json) {
    process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
    return;
  }
  const rows = Array.isArray(value) ? value : [value];
  if (rows.length === 0) {
    process.stdout.write('(none)\n');
    return;
  }
  const cell = (v: unknown) => (v === null || v === undefined ? '-' : Array.isArray(v) ? v.join(',') : typeof v === 'object' ? JSON.stringify(v) : String(v));
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  process.stdout.write(`${line(columns)}\n${rows.map((r) => line(columns.map((c) => cell(r[c])))).join('\n')}\n`);
}

/**
 * After a full collection V8 lets the heap grow to up to four times the live data before the
 * next one, and a server that builds a response per request fills that room with garbage: under
 * pages of 50 customers the process peaked at 200-230 MB RSS on PostgreSQL where its live heap
 * was under 50 MB. Growing by a quarter kept it near 135 MB at the same throughput
 * (docs/performance.md). V8 reads the factor at every collection, so setting it once the
 * server is up takes effect; set before, it tripled the full collections of start-up, where the
 * heap only grows.
 */
function boundHeapGrowth() {
  if (!nodeFlagGiven('heap-growing-percent')) v8.setFlagsFromString('--heap-growing-percent=25');
}

/**
 * V8 allocates straight into the old generation from an allocation site once most of the
 * objects it saw from there outlived a minor collection. Some sites Patron's request path uses
 * were so marked, so short-lived objects filled the old generation and forced a full
 * collection about once a second under load: 13 in 10 s of `GET /v1/customers/{id}`, 4-5
 * without pretenuring, each a pause of about 5 ms and some 80 ms of marking on another core
 * (docs/performance.md). Set before the server is built, so no site is marked.
 */
function noPretenuring() {
  if (!nodeFlagGiven('allocation-site-pretenuring')) v8.setFlagsFromString('--no-allocation-site-pretenuring');
}

/** A V8 flag given on node's command line is left as it is (node refuses these in NODE_OPTIONS). */
function nodeFlagGiven(name: string) {
  // V8 takes `_` and `-` alike in flag names.
  return process.execArgv.some((arg) => arg.replaceAll('_', '-').includes(name));
}

const program = new Command('patron').description('Patron: a self-hosted, multi-tenant Customers API').showHelpAfterError();

program
  .command('serve')
  .description('run the API server (migrates the database first)')
  .action(async () => {
    const config = loadConfig();
    noPretenuring();
    const server = await startServer(config);
    boundHeapGrowth();
    const lines = [`Patron listening on ${server.url} (${describeDatabase(config)})`, `API docs: ${server.url}/docs`];
    if (server.generatedAdminToken) {
      lines.push(
        '',
        'Admin token (shown once; only its hash is stored; set PATRON_ADMIN_TOKEN to choose your own):',
        `  ${server.generatedAdminToken}`,
      );
    }
    const admin = server.generatedAdminToken ?? '$PATRON_ADMIN_TOKEN';
    lines.push(
      '',
      'Create a tenant and an API token:',
      `  curl -s -X POST ${server.url}/admin/v1/tenants -H "Authorization: Bearer ${admin}" -H "Content-Type: application/json" -d '{"name":"Acme"}'`,
      `  curl -s -X POST ${server.url}/admin/v1/tenants/<tenant id>/tokens -H "Authorization: Bearer ${admin}" -H "Content-Type: application/json" -d '{"name":"dev","scopes":["customers:read","customers:write"]}'`,
      '',
    );
    process.stdout.write(`${lines.join('\n')}\n`);
    const shutdown = (signal: string) => {
      server.app.log.info({ signal }, 'shutting down: draining requests');
      server.close().then(
        () => process.exit(0),
        (err: unknown) => {
          server.app.log.error({ err }, 'shutdown failed');
          process.exit(1);
        },
      );
    };
    process.once('SIGTERM', () => shutdown('SIGTERM'));
    process.once('SIGINT', () => shutdown('SIGINT'));
  });

program
  .command('migrate')
  .description('bring the database schema up to date (safe to run again)')
  .action(async () => {
    const config = loadConfig();
    const database = await openDatabase(config.database);
    try {
      const applied = await migrateToLatest(database.db);
      process.stdout.write(applied.length ? `Applied: ${applied.join(', ')}\n` : 'Already up to date.\n');
    } finally {
      await database.close();
    }
  });

const serverOption = new Option('--server <url>', 'use a running server’s admin API instead of the database').env('PATRON_URL');
const jsonOption = new Option('--json', 'print JSON');

async function withBackend(options: { server?: string }, run: (backend: AdminBackend) => Promise<void>) {
  let backend: AdminBackend;
  if (options.server) {
    const token = process.env.PATRON_ADMIN_TOKEN;
    if (!token) throw new Error('--server needs the admin token in PATRON_ADMIN_TOKEN');
    backend = httpBackend(options.server, token);
  } else {
    backend = await directBackend(loadConfig());
  }
  try {
    await run(backend);
  } finally {
    await backend.close();
  }
}

const TENANT_COLUMNS = ['id', 'number', 'name', 'status', 'settings'];
const TOKEN_COLUMNS = ['id', 'name', 'scopes', 'hint', 'expiresAt', 'lastUsedAt', 'revokedAt'];

const tenants = program.command('tenants').description('manage tenants');
tenants
  .command('create')
  .requiredOption('--name <name>', 'the tenant’s name')
  .addOption(serverOption)
  .addOption(jsonOption)
  .action((o) => withBackend(o, async (b) => print(await b.createTenant({ name: o.name }), !!o.json, TENANT_COLUMNS)));
tenants
  .command('list')
  .addOption(serverOption)
  .addOption(jsonOption)
  .action((o) => withBackend(o, async (b) => print(await b.listTenants(), !!o.json, TENANT_COLUMNS)));
tenants
  .command('update <tenantId>')
  .option('--name <name>')
  .addOption(new Option('--status <status>').choices(['active', 'suspended']))
  .addOption(new Option('--require-if-match <bool>', 'require If-Match on writes').choices(['true', 'false']))
  .option('--default-phone-country <CC>', 'ISO country for phones written without +; "none" removes it')
  .addOption(new Option('--writes-disabled <bool>', 'maintenance: customer writes answer 503 while reads go on').choices(['true', 'false']))
  .addOption(serverOption)
  .addOption(jsonOption)
  .action((id: string, o) =>
    withBackend(o, async (b) => {
      const settings: TenantPatch['settings'] = {};
      if (o.requireIfMatch !== undefined) settings.requireIfMatch = o.requireIfMatch === 'true';
      if (o.writesDisabled !== undefined) settings.writesDisabled = o.writesDisabled === 'true';
      if (o.defaultPhoneCountry !== undefined) settings.defaultPhoneCountry = o.defaultPhoneCountry === 'none' ? null : String(o.defaultPhoneCountry).toUpperCase();
      print(await b.updateTenant(id, { name: o.name, status: o.status, settings }), !!o.json, TENANT_COLUMNS);
    }),
  );

const tokens = program.command('tokens').description('manage API tokens');
tokens
  .command('create <tenantId>')
  .requiredOption('--name <name>', 'what the token is for')
  .requiredOption('--scopes <list>', `comma-separated: ${GRANTABLE_SCOPES.join(', ')}`)
  .option('--expires-at <iso>', 'expiry time (ISO 8601)')
  .addOption(serverOption)
  .addOption(jsonOption)
  .action((tenantId: string, o) =>
    withBackend(o, async (b) => {
      const created = await b.createToken(tenantId, { name: o.name, scopes: parseScopes(o.scopes), ...(o.expiresAt ? { expiresAt: o.expiresAt } : {}) });
      print(created, !!o.json, ['id', 'name', 'scopes', 'expiresAt', 'token']);
      if (!o.json) process.stderr.write('The token is shown only now; store it safely.\n');
    }),
  );
tokens
  .command('list <tenantId>')
  .addOption(serverOption)
  .addOption(jsonOption)
  .action((tenantId: string, o) => withBackend(o, async (b) => print(await b.listTokens(tenantId), !!o.json, TOKEN_COLUMNS)));
tokens
  .command('revoke <tokenId>')
  .addOption(serverOption)
  .addOption(jsonOption)
  .action((id: string, o) => withBackend(o, async (b) => print(await b.revokeToken(id), !!o.json, TOKEN_COLUMNS)));

const OAUTH_COLUMNS = ['id', 'clientId', 'name', 'scopes', 'revokedAt'];
const parseScopes = (list: string) => {
  const scopes = String(list).split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = scopes.filter((s) => !isGrantable(s));
  if (unknown.length) throw new Error(`unknown scope(s): ${unknown.join(', ')}`);
  return scopes;
};

const oauthClients = program.command('oauth-clients').description('manage OAuth clients (client-credentials grant)');
oauthClients
  .command('create <tenantId>')
  .requiredOption('--name <name>', 'what the client is')
  .requiredOption('--scopes <list>', 'comma-separated scopes the client may request (Patron names or a seed\'s, e.g. customer:read)')
  .addOption(serverOption)
  .addOption(jsonOption)
  .action((tenantId: string, o) =>
    withBackend(o, async (b) => {
      const created = await b.createOAuthClient(tenantId, { name: o.name, scopes: parseScopes(o.scopes) });
      print(created, !!o.json, ['id', 'clientId', 'name', 'scopes', 'clientSecret']);
      if (!o.json) process.stderr.write('The client secret is shown only now; store it safely.\n');
    }),
  );
oauthClients
  .command('list <tenantId>')
  .addOption(serverOption)
  .addOption(jsonOption)
  .action((tenantId: string, o) => withBackend(o, async (b) => print(await b.listOAuthClients(tenantId), !!o.json, OAUTH_COLUMNS)));
oauthClients
  .command('revoke <id>')
  .addOption(serverOption)
  .addOption(jsonOption)
  .action((id: string, o) => withBackend(o, async (b) => print(await b.revokeOAuthClient(id), !!o.json, OAUTH_COLUMNS)));

const BRAND_COLUMNS = ['id', 'name', 'crmLookupUrl', 'searchCustomersByChannel'];
const parseBrandId = (raw: string) => {
  const id = Number(raw);
  if (!Number.isSafeInteger(id) || id < 1) throw new Error(`brand id must be a positive integer, not ${JSON.stringify(raw)}`);
  return id;
};

const brands = program.command('brands').description('manage a tenant’s brands (seed 003)');
brands
  .command('create <tenantId>')
  .requiredOption('--name <name>', 'the brand’s name')
  .option('--crm-lookup-url <url>', 'http(s) URL of the brand’s CRM look-up')
  .option('--search-customers-by-channel', 'a channel value may identify a customer instead of its external id')
  .addOption(serverOption)
  .addOption(jsonOption)
  .action((tenantId: string, o) =>
    withBackend(o, async (b) => {
      const body: CreateBrand = { name: o.name, searchCustomersByChannel: !!o.searchCustomersByChannel };
      if (o.crmLookupUrl !== undefined) body.crmLookupUrl = o.crmLookupUrl;
      print(await b.createBrand(tenantId, body), !!o.json, BRAND_COLUMNS);
    }),
  );
brands
  .command('list <tenantId>')
  .addOption(serverOption)
  .addOption(jsonOption)
  .action((tenantId: string, o) => withBackend(o, async (b) => print(await b.listBrands(tenantId), !!o.json, BRAND_COLUMNS)));
brands
  .command('update <tenantId> <brandId>')
  .option('--name <name>')
  .option('--crm-lookup-url <url>', 'http(s) URL of the brand’s CRM look-up')
  .option('--no-crm-lookup-url', 'remove the CRM look-up URL')
  .option('--search-customers-by-channel', 'turn search by channel on')
  .option('--no-search-customers-by-channel', 'turn search by channel off')
  .addOption(serverOption)
  .addOption(jsonOption)
  .action((tenantId: string, brandId: string, o) =>
    withBackend(o, async (b) => {
      const body: PatchBrand = {};
      if (o.name !== undefined) body.name = o.name;
      // Commander gives `false` for --no-crm-lookup-url: that clears the URL.
      if (o.crmLookupUrl !== undefined) body.crmLookupUrl = o.crmLookupUrl === false ? null : o.crmLookupUrl;
      if (o.searchCustomersByChannel !== undefined) body.searchCustomersByChannel = o.searchCustomersByChannel;
      print(await b.updateBrand(tenantId, parseBrandId(brandId), body), !!o.json, BRAND_COLUMNS);
    }),
  );

program.parseAsync(process.argv).catch((err: unknown) => {
  const message = err instanceof ConfigError || err instanceof AppError || err instanceof Error ? err.message : String(err);
  // Field errors as --server prints them, so both modes name the offending option's field.
  const fields = err instanceof AppError && err.errors.length > 0 ? ` ${JSON.stringify(err.errors)}` : '';
  process.stderr.write(`patron: ${message}${fields}\n`);
  process.exit(1);
});
