import type { TSchema } from '@sinclair/typebox';
import type { Ctx } from '../../core/context.js';
import { CUSTOMER_STATUSES, type BillingAddress, type Customer, type CustomerCategory, type CustomerWrite } from '../../core/customers/customer.model.js';
import type { CustomerQueries, ListCustomersQuery } from '../../core/customers/customer.queries.js';
import { notFound, validationFailed } from '../../core/errors.js';
import { isPlainObject } from '../../core/merge-patch.js';
import { etagOf } from '../../http/conditional.js';
import { MAX_RESULT_WINDOW, type CreateBody, type CustomerResponse, type CustomerTypeName, type CustomerWriteResponse, type PatchBody, type SearchBody, type StatusName } from './schemas.js';

/**
 * Seed 004 ⇄ the core: PascalCase fields, `Type` as the business category, `Status` with the
 * delete state folded in, `Email`/`Phone` lists as primary + additional channels. Pure
 * translation: every rule on the values themselves is the core's.
 */

const CATEGORY_OF: Record<CustomerTypeName, CustomerCategory> = { Customer: 'customer', 'Broker/3PL': 'broker_3pl' };
const TYPE_NAME_OF: Record<CustomerCategory, CustomerTypeName> = { customer: 'Customer', broker_3pl: 'Broker/3PL' };

/** The billing address keys of the seed and of the core, in the seed's order. */
export const ADDRESS_KEYS = [
  ['Street', 'line1'],
  ['City', 'city'],
  ['State', 'state'],
  ['Zip', 'postalCode'],
] as const satisfies readonly (readonly [string, keyof BillingAddress])[];

// ---- ids ----

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const UUID_WITHOUT_DASHES = /^[0-9a-f]{32}$/i;

/**
 * The customer id in a path or query: a UUID, or the same 32 hex digits without dashes (the
 * way the vendor writes its ids). Anything else cannot name a customer: 404, without a look-up.
 */
export function parseCustomerId(raw: string): string {
  const value = raw.trim();
  if (UUID.test(value)) return value.toLowerCase();
  if (UUID_WITHOUT_DASHES.test(value)) {
    const h = value.toLowerCase();
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }
  throw notFound();
}

// ---- core → seed ----

/** A deleted customer is `Inactive`, whatever its status was; so is any status other than active. */
export function statusName(customer: Customer): StatusName {
  return customer.deletedAt === null && customer.status === 'active' ? 'Active' : 'Inactive';
}

function fields(c: Customer) {
  const address = c.billingAddress;
  return {
    Id: c.id,
    Name: c.name,
    CompanyNumber: c.companyNumber,
    Type: TYPE_NAME_OF[c.category],
    Status: statusName(c),
    BillingAddress: address ? { Street: address.line1 ?? null, City: address.city ?? null, State: address.state ?? null, Zip: address.postalCode ?? null } : null,
    Email: [c.email, ...c.additionalEmails].filter((e): e is string => e !== null),
    Phone: [c.phone, ...c.additionalPhones].filter((p): p is string => p !== null),
    Fax: c.fax,
    DateCreated: c.createdAt,
    DateModified: c.updatedAt,
    InvoicingInformation: null,
    ExternalId: c.externalId,
  };
}

export function toCustomerResponse(c: Customer): CustomerResponse {
  return { ...fields(c), SalesAgentId: null, Contacts: [], Notes: c.notes };
}

export function toCustomerWriteResponse(c: Customer): CustomerWriteResponse {
  const { Id, ...rest } = fields(c);
  return { Id, ETag: etagOf(c.version), ...rest };
}

// ---- seed → core ----

type Writable = Pick<CreateBody, 'CompanyNumber' | 'BillingAddress' | 'Email' | 'Phone' | 'Fax' | 'ExternalId'>;

/** Only the seed's writable fields are read: anything else in the body is ignored here. */
function writableFields(body: Writable): CustomerWrite {
  const out: CustomerWrite = {};
  if (body.CompanyNumber !== undefined) out.companyNumber = body.CompanyNumber;
  if (body.ExternalId !== undefined) out.externalId = body.ExternalId;
  if (body.Fax !== undefined) out.fax = body.Fax;
  if (body.BillingAddress !== undefined) {
    const given = body.BillingAddress as Record<string, string | null | undefined> | null;
    if (given === null) out.billingAddress = null;
    else {
      const address: BillingAddress = {};
      for (const [seedKey, coreKey] of ADDRESS_KEYS) if (given[seedKey] !== undefined) address[coreKey] = given[seedKey];
      out.billingAddress = address;
    }
  }
  if (body.Email !== undefined) {
    out.email = body.Email?.[0] ?? null;
    out.additionalEmails = body.Email ? body.Email.slice(1) : null;
  }
  if (body.Phone !== undefined) {
    out.phone = body.Phone?.[0] ?? null;
    out.additionalPhones = body.Phone ? body.Phone.slice(1) : null;
  }
  return out;
}

/** A `Type` is a category of business customer (a company). */
const typeFields = (type: CustomerTypeName): CustomerWrite => ({ type: 'business', category: CATEGORY_OF[type] });
const statusField = (status: StatusName): CustomerWrite => ({ status: status === 'Active' ? 'active' : 'inactive' });

export function createInput(body: CreateBody): CustomerWrite {
  return { name: body.Name, ...typeFields(body.Type), ...(body.Status ? statusField(body.Status) : {}), ...writableFields(body) };
}

/** The core merge patch for a seed merge patch; `Name`, `Type` and `Status` may not be null. */
export function patchInput(body: PatchBody): CustomerWrite {
  const cleared = (['Name', 'Type', 'Status'] as const).filter((key) => body[key] === null);
  if (cleared.length > 0) throw validationFailed(cleared.map((field) => ({ field, message: 'cannot be cleared (null)', code: 'required' })));
  return {
    ...(body.Name != null ? { name: body.Name } : {}),
    ...(body.Type != null ? typeFields(body.Type) : {}),
    ...(body.Status != null ? statusField(body.Status) : {}),
    ...writableFields(body),
  };
}

// ---- property names ----

/**
 * Property names are matched case-insensitively, as the vendor's own (.NET) API does: its
 * documented search body is camelCase (`page`, `pageSize`, `statuses`) while its write bodies
 * are PascalCase. A key spelled exactly as documented wins over another spelling of it.
 */
export function canonicalizeKeys(value: unknown, schema: TSchema): unknown {
  const objectSchema = objectSchemaOf(schema);
  if (!objectSchema || !isPlainObject(value)) return value;
  const properties = objectSchema.properties as Record<string, TSchema>;
  const byLowerCase = new Map(Object.keys(properties).map((name) => [name.toLowerCase(), name]));
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    const canonical = byLowerCase.get(key.toLowerCase());
    if (canonical === undefined || canonical === key) out[key] = v;
    else if (!(canonical in value)) out[canonical] = v;
  }
  for (const [name, sub] of Object.entries(properties)) {
    if (name in out) out[name] = canonicalizeKeys(out[name], sub);
  }
  return out;
}

function objectSchemaOf(schema: TSchema): TSchema | undefined {
  if (schema.properties) return schema;
  return (schema.anyOf as TSchema[] | undefined)?.find((s) => s.properties);
}

// ---- search ----

const ACTIVE_VARIANTS: Pick<ListCustomersQuery, 'status' | 'deleted'>[] = [{ status: 'active', deleted: 'exclude' }];
/** Inactive = deleted (any status), or live with any status but active. Disjoint parts. */
const INACTIVE_VARIANTS: Pick<ListCustomersQuery, 'status' | 'deleted'>[] = [
  { deleted: 'only' },
  ...CUSTOMER_STATUSES.filter((s) => s !== 'active').map((status) => ({ status, deleted: 'exclude' as const })),
];

const MILLISECOND = 1;
const shift = (iso: string, ms: number) => new Date(Date.parse(iso) + ms);

/** Newest first, as the core's `-createdAt` order: created_at, then id, both descending. */
function newestFirst(a: Customer, b: Customer): number {
  if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt ? 1 : -1;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

/**
 * One page of a search. A status filter of exactly `Inactive` is not one core filter (it is
 * "deleted, or not active"), so it runs as disjoint core queries merged in the same order;
 * the result window is bounded so that stays cheap.
 */
export async function searchCustomers(queries: CustomerQueries, ctx: Ctx, body: SearchBody) {
  const { Page: page, PageSize: size } = body;
  const offset = page * size;
  if (offset + size > MAX_RESULT_WINDOW) {
    throw validationFailed([{ field: 'Page', message: `(Page + 1) × PageSize must be at most ${MAX_RESULT_WINDOW}; narrow the filters to reach further`, code: 'maximum' }]);
  }
  let wanted = new Set<StatusName>(body.Statuses?.length ? body.Statuses : ['Active', 'Inactive']);
  if (body.Status) wanted = new Set([...wanted].filter((s) => s === body.Status));
  const empty = { Page: page, PageSize: size, HasMore: false, Items: [] as CustomerResponse[] };
  if (wanted.size === 0) return empty;

  const range = body.CreatedDateRange;
  const base: Omit<ListCustomersQuery, 'limit' | 'deleted'> = {
    sort: '-createdAt',
    ...(body.Type ? { category: CATEGORY_OF[body.Type] } : {}),
    name: body.Name,
    companyNumber: body.CompanyNumber,
    externalId: body.ExternalId,
    email: body.Email,
    phone: body.Phone,
    // The core's bounds are exclusive and its timestamps millisecond-exact.
    createdAfter: range?.Start ? shift(range.Start, -MILLISECOND) : undefined,
    createdBefore: range?.End ? shift(range.End, MILLISECOND) : undefined,
  };
  const variants = wanted.size === 2 ? [{ deleted: 'include' as const }] : wanted.has('Active') ? ACTIVE_VARIANTS : INACTIVE_VARIANTS;

  if (variants.length === 1) {
    const result = await queries.list(ctx, { ...base, ...variants[0]!, limit: size, offset });
    return { ...empty, HasMore: result.hasMore, Items: result.items.map(toCustomerResponse) };
  }
  const parts = await Promise.all(variants.map((v) => queries.list(ctx, { ...base, ...v, limit: offset + size, offset: 0 })));
  const merged = parts.flatMap((p) => p.items).sort(newestFirst);
  const hasMore = merged.length > offset + size || parts.some((p) => p.hasMore);
  return { ...empty, HasMore: hasMore, Items: merged.slice(offset, offset + size).map(toCustomerResponse) };
}
