import assert from 'node:assert/strict';
import { TenantClient, type Res, type TestServer } from '../helpers.js';

/** Helpers of the seed 003 surface tests: requests in each of the seed's body encodings, with the `apiKey` header. */

export const P = '/api/v2/customer';
export type Encoding = 'multipart' | 'urlencoded' | 'json';
export const ENCODINGS: Encoding[] = ['multipart', 'urlencoded', 'json'];
export type Fields = Record<string, string | number | boolean>;

let seq = 0;
export const unique = (prefix: string) => `${prefix}${Date.now().toString(36)}${(seq++).toString(36)}`;
/** Letters only: a name the seed's pattern accepts. */
export const uniqueName = (prefix: string) => prefix + unique('').replace(/[0-9]/g, (d) => 'abcdefghij'[Number(d)]!);

export async function encode(fields: Fields, encoding: Encoding): Promise<{ raw: string | Buffer; contentType: string }> {
  if (encoding === 'json') return { raw: JSON.stringify(fields), contentType: 'application/json' };
  const entries = Object.entries(fields).map(([k, v]) => [k, String(v)] as [string, string]);
  if (encoding === 'urlencoded') return { raw: new URLSearchParams(entries).toString(), contentType: 'application/x-www-form-urlencoded' };
  const form = new FormData();
  for (const [k, v] of entries) form.append(k, v);
  const response = new Response(form);
  return { raw: Buffer.from(await response.arrayBuffer()), contentType: response.headers.get('content-type')! };
}

export class Seed003 {
  constructor(
    readonly server: TestServer,
    readonly v1: TenantClient,
    readonly key: string,
  ) {}

  get tenantId() {
    return this.v1.tenant.id;
  }

  async send(method: string, path: string, fields?: Fields, encoding: Encoding = 'multipart', key: string | null = this.key): Promise<Res> {
    const headers: Record<string, string> = key === null ? {} : { apikey: key };
    if (fields === undefined) return this.server.request(method, P + path, { headers });
    const { raw, contentType } = await encode(fields, encoding);
    return this.server.request(method, P + path, { headers, raw, contentType });
  }

  get(path: string) {
    return this.send('GET', path);
  }

  /** Creates a customer through the seed's POST and returns its id (number), reading it back. */
  async create(fields: Fields = {}, encoding: Encoding = 'multipart'): Promise<number> {
    const res = await this.send('POST', '', { firstname: uniqueName('Jane'), lastname: 'Doe', noSync: true, ...fields }, encoding);
    assert.equal(res.status, 201, res.text);
    return res.body.id as number;
  }

  /** The /v1 customer with this number. */
  async v1Customer(number: number, deleted = 'include') {
    const res = await this.v1.get(`/v1/customers?number=${number}&deleted=${deleted}`);
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.data.length, 1, `no customer ${number}`);
    return res.body.data[0];
  }

  async brand(extra: Record<string, unknown> = {}) {
    const res = await this.server.admin('POST', `/tenants/${this.tenantId}/brands`, { name: unique('Brand '), ...extra });
    assert.equal(res.status, 201, res.text);
    return res.body as { id: number; name: string; crmLookupUrl: string | null; searchCustomersByChannel: boolean };
  }
}

/** A fresh tenant, with an API token of every scope (CUSTOMER_READ + CUSTOMER_CUD, custom field definitions too). */
export async function seed003Tenant(server: TestServer): Promise<Seed003> {
  const v1 = await server.tenant();
  const { token } = await server.createToken(v1.tenant.id, ['CUSTOMER_READ', 'CUSTOMER_CUD', 'custom_fields:write']);
  return new Seed003(server, new TenantClient(server, v1.tenant, token), token);
}

/** A seed 003 error: status, `type: "error"`, the code, and (when given) exactly these fields. */
export function assertError(res: Res, status: number, code: string, fields?: string[]) {
  assert.equal(res.status, status, `expected ${status} ${code}, got ${res.status}: ${res.text}`);
  assert.equal(res.body.type, 'error', res.text);
  assert.equal(res.body.code, code, res.text);
  assert.equal(typeof res.body.message, 'string');
  assert.equal(typeof res.body.requestId, 'string');
  if (fields) assert.deepEqual(Object.keys(res.body.errors ?? {}).sort(), [...fields].sort(), res.text);
}

export function assertResult(res: Res, status: number, message: string) {
  assert.equal(res.status, status, res.text);
  assert.equal(res.body.type, 'result', res.text);
  assert.equal(res.body.message, message);
  assert.equal(typeof res.body.id, 'number');
}
