import type { Static } from '@sinclair/typebox';
import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CustomerWriteSchema, type Customer, type CustomerWrite } from '../../core/customers/customer.model.js';
import { normalizeState, stateForCreate } from '../../core/customers/customer.rules.js';
import { AppError, type FieldError } from '../../core/errors.js';
import type { TenantSettings } from '../../db/database.js';
import { bearerSecret } from '../../http/auth.js';
import { CreateCustomerBody, type CustomerOut } from './schemas.js';

/**
 * Seed 002 speaks FastAPI: snake_case fields, and every validation failure is a 422 whose
 * body is pydantic v2's error list, `{"detail": [{"type", "loc", "msg", "input", "ctx"?}]}`.
 * This file maps the seed's fields onto the core's CustomerWrite and back, and every error
 * (schema, core rule, JSON, auth) onto FastAPI's bodies.
 */

export type CreateBody = Static<typeof CreateCustomerBody>;
export type CustomerWire = Static<typeof CustomerOut>;

/** One entry of FastAPI's `detail` list (pydantic v2's error shape, `url` left out as FastAPI does). */
export interface DetailEntry {
  type: string;
  loc: (string | number)[];
  msg: string;
  input?: unknown;
  ctx?: Record<string, unknown>;
}

/** A 422 whose `detail` list is already written in pydantic's terms. */
export class RequestValidationError extends AppError {
  constructor(readonly detail: DetailEntry[]) {
    super(
      'validation_failed',
      'The request has invalid fields.',
      detail.map((d): FieldError => ({ field: d.loc.slice(1).join('.') || 'body', message: d.msg, code: d.type })),
    );
  }
}

/** A body that is not JSON, with the parser's own complaint (FastAPI's `json_invalid`). */
export class JsonDecodeError extends AppError {
  constructor(readonly reason: string) {
    super('malformed_json', 'The request body is not valid JSON.');
  }
}

// ---- the fields ----

const FIELD_ORDER = Object.keys(CreateCustomerBody.properties);

/** The JSON type each field is documented with, for pydantic's `<type>_type` errors. */
const WIRE_TYPE: Record<string, 'string' | 'bool'> = Object.fromEntries(FIELD_ORDER.map((f) => [f, f === 'is_active' ? 'bool' : 'string']));

/** Core field (dotted path) → the seed's field. */
const WIRE_FIELD_OF: Record<string, string> = {
  name: 'name',
  firstName: 'name',
  lastName: 'name',
  email: 'email',
  source: 'source',
  whatsapp: 'whatsapp_number',
  ip: 'ip',
  status: 'is_active',
  companyId: 'company_id',
  'location.city': 'city',
  'location.country': 'country',
  'location.description': 'location',
  'location.latitude': 'latitude',
  'location.longitude': 'longitude',
};

const wireField = (coreField: string): string | null => WIRE_FIELD_OF[coreField] ?? null;

const inputOf = (body: unknown, field: string): unknown =>
  body !== null && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>)[field] : undefined;

/** pydantic reports errors in the model's field order; so do we, body-level ones first. */
export function inFieldOrder(detail: DetailEntry[]): DetailEntry[] {
  const rank = (d: DetailEntry) => (d.loc.length < 2 ? -1 : FIELD_ORDER.indexOf(String(d.loc[1])));
  return [...detail].sort((a, b) => rank(a) - rank(b));
}

function typeError(field: string, input: unknown): DetailEntry {
  return WIRE_TYPE[field] === 'bool'
    ? { type: 'bool_type', loc: ['body', field], msg: 'Input should be a valid boolean', input }
    : { type: 'string_type', loc: ['body', field], msg: 'Input should be a valid string', input };
}

const missingBody = (input: unknown): DetailEntry => ({ type: 'missing', loc: ['body'], msg: 'Field required', input: input ?? null });
const notAnObject = (input: unknown): DetailEntry => ({
  type: 'model_attributes_type',
  loc: ['body'],
  msg: 'Input should be a valid dictionary or object to extract fields from',
  input,
});

interface AjvError {
  keyword: string;
  instancePath: string;
  message?: string;
  params: Record<string, unknown>;
}

/** The route schema's complaints (wire types, required fields) as pydantic's. */
export function detailFromSchemaErrors(errors: AjvError[], body: unknown): DetailEntry[] {
  const out = new Map<string, DetailEntry>();
  for (const error of errors) {
    const path = error.instancePath.split('/').filter(Boolean);
    if (path.length === 0 && error.keyword === 'type') {
      out.set('', body === undefined || body === null ? missingBody(body) : notAnObject(body));
      continue;
    }
    if (error.keyword === 'required') {
      const field = String(error.params.missingProperty);
      out.set(field, { type: 'missing', loc: ['body', field], msg: 'Field required', input: body });
      continue;
    }
    const field = path[0];
    if (field === undefined || out.has(field) || error.keyword === 'anyOf') continue;
    out.set(field, typeError(field, inputOf(body, field)));
  }
  // A body that is not an object has no fields to complain about.
  if (out.has('')) return [out.get('')!];
  return inFieldOrder([...out.values()]);
}

// ---- request → core ----

const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/** A coordinate as the seed sends it (a string holding a number), or a JSON number. */
function coordinate(field: 'latitude' | 'longitude', value: string | number | null | undefined, errors: DetailEntry[]): number | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'number') return value;
  const text = value.trim();
  if (DECIMAL.test(text) && Number.isFinite(Number(text))) return Number(text);
  errors.push({ type: 'float_parsing', loc: ['body', field], msg: 'Input should be a valid number, unable to parse string as a number', input: value });
  return undefined;
}

const given = <T>(value: T | null | undefined): T | undefined => (value === null ? undefined : value);

/**
 * The core write a (schema-valid) body describes, without the company (looked up
 * separately), and the list of what is wrong with its values. Only the seed's fields are
 * read: anything else in the body is ignored.
 */
export function toCoreWrite(body: CreateBody, settings: TenantSettings): { write: CustomerWrite; errors: DetailEntry[] } {
  const errors: DetailEntry[] = [];
  const latitude = coordinate('latitude', body.latitude, errors);
  const longitude = coordinate('longitude', body.longitude, errors);
  const location = Object.fromEntries(
    Object.entries({ city: given(body.city), country: given(body.country), description: given(body.location), latitude, longitude }).filter(
      ([, v]) => v !== undefined,
    ),
  );
  const write: CustomerWrite = {
    type: 'individual',
    name: body.name,
    email: body.email,
    source: body.source,
    ...(given(body.whatsapp_number) !== undefined ? { whatsapp: body.whatsapp_number } : {}),
    ...(given(body.ip) !== undefined ? { ip: body.ip } : {}),
    ...(Object.keys(location).length > 0 ? { location } : {}),
    ...(typeof body.is_active === 'boolean' ? { status: body.is_active ? 'active' : 'inactive' } : {}),
  };
  errors.push(...limitErrors(write, body));
  // The core's rules (email, IP, WhatsApp number, blank text) are run here too, without
  // writing, so that one 422 lists every bad value as pydantic would; create() runs them
  // again and stays the authority.
  const reported = new Set(errors.map((e) => e.loc[1]));
  const { errors: ruleErrors } = normalizeState(stateForCreate(write), settings);
  errors.push(...detailFromCoreErrors(ruleErrors, body).filter((e) => !reported.has(e.loc[1])));
  return { write, errors: inFieldOrder(errors) };
}

// The core's own write schema holds its limits (lengths, coordinate ranges): the mapped write
// is checked against it, exactly as /v1 checks its bodies, and the errors are put back on the
// seed's fields. The core's rules check the same limits, but only the schema's errors say
// which limit (pydantic's `ctx`: max_length, ge, le) without reading a message's text.
// Compiled at the first write through this surface, not when the service starts.
let checkCoreWrite: ValidateFunction | undefined;

function limitErrors(write: CustomerWrite, body: unknown): DetailEntry[] {
  checkCoreWrite ??= addFormats.default(new Ajv.default({ allErrors: true, strict: false, coerceTypes: false, validateSchema: false })).compile(CustomerWriteSchema);
  if (checkCoreWrite(write)) return [];
  const out = new Map<string, DetailEntry>();
  for (const error of (checkCoreWrite.errors ?? []) as AjvError[]) {
    if (error.keyword === 'anyOf' || (error.keyword === 'type' && error.params.type === 'null')) continue;
    const field = wireField(error.instancePath.split('/').filter(Boolean).join('.'));
    if (field === null || out.has(field)) continue;
    out.set(field, limitError(error, field, inputOf(body, field)));
  }
  return [...out.values()];
}

function limitError(error: AjvError, field: string, input: unknown): DetailEntry {
  const loc = ['body', field];
  const limit = error.params.limit;
  switch (error.keyword) {
    case 'maxLength':
      return { type: 'string_too_long', loc, msg: `String should have at most ${String(limit)} characters`, input, ctx: { max_length: limit } };
    case 'minLength':
      return { type: 'string_too_short', loc, msg: `String should have at least ${String(limit)} character${limit === 1 ? '' : 's'}`, input, ctx: { min_length: limit } };
    case 'minimum':
      return { type: 'greater_than_equal', loc, msg: `Input should be greater than or equal to ${String(limit)}`, input, ctx: { ge: limit } };
    case 'maximum':
      return { type: 'less_than_equal', loc, msg: `Input should be less than or equal to ${String(limit)}`, input, ctx: { le: limit } };
    default:
      return { type: 'value_error', loc, msg: `Value error, ${error.message ?? 'is invalid'}`, input };
  }
}

export function unknownCompany(input: unknown): DetailEntry {
  return {
    type: 'value_error',
    loc: ['body', 'company_id'],
    msg: 'Value error, no company (business customer) of this organization has this id',
    input,
  };
}

/** The core's field errors (its normalisation rules) as pydantic's, on the seed's fields. */
export function detailFromCoreErrors(errors: FieldError[], body: unknown): DetailEntry[] {
  const out = new Map<string, DetailEntry>();
  for (const error of errors) {
    const field = wireField(error.field);
    const key = field ?? '';
    if (out.has(key)) continue;
    const loc = field === null ? ['body'] : ['body', field];
    const input = field === null ? body : inputOf(body, field);
    out.set(key, coreError(error, loc, input));
  }
  return inFieldOrder([...out.values()]);
}

function coreError(error: FieldError, loc: string[], input: unknown): DetailEntry {
  switch (error.code) {
    case 'blank':
      return { type: 'string_too_short', loc, msg: 'String should have at least 1 character', input, ctx: { min_length: 1 } };
    case 'invalid_email':
      return { type: 'value_error', loc, msg: 'value is not a valid email address', input };
    case 'invalid_ip':
      return { type: 'ip_any_address', loc, msg: 'value is not a valid IPv4 or IPv6 address', input };
    case 'invalid_phone':
      return { type: 'value_error', loc, msg: 'Value error, value is not a valid phone number', input };
    case 'invalid_company':
      return unknownCompany(input);
    default:
      return { type: 'value_error', loc, msg: `Value error, ${error.message}`, input };
  }
}

// ---- core → response ----

const coordinateText = (value: number | null | undefined) => (value === null || value === undefined ? null : String(value));

/** The created customer as seed 002 returns it: the request's fields as the core now holds them, plus the ids. */
export function toWire(customer: Customer, organizationId: number, companyNumber: number | null): CustomerWire {
  const location = customer.location;
  return {
    id: customer.number,
    customer_id: customer.id,
    name: customer.name,
    email: customer.email,
    source: customer.source,
    whatsapp_number: customer.whatsapp,
    ip: customer.ip,
    city: location?.city ?? null,
    country: location?.country ?? null,
    location: location?.description ?? null,
    latitude: coordinateText(location?.latitude),
    longitude: coordinateText(location?.longitude),
    is_active: customer.status === 'active',
    company_id: companyNumber,
    organization_id: organizationId,
    time_created: customer.createdAt,
    time_updated: customer.updatedAt,
  };
}

// ---- errors → FastAPI's bodies ----

const UNPROCESSABLE = new Set(['validation_failed', 'malformed_json', 'unsupported_media_type']);

/** Every validation failure is FastAPI's 422, whatever status the core gives it. */
export const statusOf = (error: AppError) => (UNPROCESSABLE.has(error.code) ? 422 : error.status);

export function renderError(error: AppError, request: FastifyRequest, reply: FastifyReply) {
  reply.type('application/json; charset=utf-8');
  return reply.send(errorBody(error, request));
}

function errorBody(error: AppError, request: FastifyRequest): { detail: string | DetailEntry[] } {
  if (error instanceof RequestValidationError) return { detail: error.detail };
  switch (error.code) {
    case 'malformed_json':
      return {
        detail: [
          {
            type: 'json_invalid',
            loc: ['body'],
            msg: 'JSON decode error',
            input: {},
            ctx: { error: error instanceof JsonDecodeError ? error.reason : 'Invalid JSON' },
          },
        ],
      };
    case 'unsupported_media_type':
      return { detail: [notAnObject(null)] };
    case 'validation_failed':
      return { detail: detailFromCoreErrors(error.errors, request.body) };
    case 'unauthenticated':
      // FastAPI's HTTPBearer says exactly this when there is no bearer credential at all.
      return { detail: bearerSecret(request) === null ? 'Not authenticated' : error.message };
    case 'not_found':
      return { detail: 'Not Found' };
    case 'method_not_allowed':
      return { detail: 'Method Not Allowed' };
    case 'internal_error':
      return { detail: 'Internal Server Error' };
    default:
      return { detail: error.message };
  }
}

/** Why a body failed to parse as JSON, for `ctx.error` (the parser refuses `__proto__` keys too). */
export function jsonDecodeError(text: string): JsonDecodeError {
  try {
    JSON.parse(text);
    return new JsonDecodeError('Object contains forbidden prototype property');
  } catch (err) {
    return new JsonDecodeError(err instanceof Error ? err.message : 'Invalid JSON');
  }
}
