import type { TSchema } from '@sinclair/typebox';
import type { BillingAddress, Customer, CustomerCategory, CustomerWrite } from '../../core/customers/customer.model.js';
import { notFound, validationFailed } from '../../core/errors.js';
import { isPlainObject } from '../../core/merge-patch.js';
import { etagOf } from '../../http/conditional.js';
import type { CreateBody, CustomerResponse, CustomerTypeName, CustomerWriteResponse, PatchBody, StatusName } from './schemas.js';

/**
 * Seed 004 ⇄ the core: PascalCase fields, `Type` as the business category, `Status` with the
 * delete state folded in, `Email`/`Phone` lists as primary + additional channels. Pure
 * translation: every rule on the values themselves is the core's.
 */

export const CATEGORY_OF: Record<CustomerTypeName, CustomerCategory> = { Customer: 'customer', 'Broker/3PL': 'broker_3pl' };
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
  if (cleared.length > 0) throw validationFailed(cleared.map((field) => ({ field, message: 'cannot be cleared (null)', code: 'not_nullable' })));
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
