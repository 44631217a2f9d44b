import type { Static } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Customer, CustomerStatus, CustomerWrite } from '../../core/customers/customer.model.js';
import { notFound, validationFailed, type AppError, type FieldError } from '../../core/errors.js';
import { ENUM_FIELDS, type CreateBody, type UpdateBody, type WireCustomerSchema, type WireStatus } from './schemas.js';

/** Seed 000 ⇄ core: the one place where the two meet (docs/surfaces/000.md, "Field mapping"). */

export type WireCustomer = Static<typeof WireCustomerSchema>;

/** The seed's defaults for a customer's `value` and `autoPayment` (its example response). */
const DEFAULT_VALUE = 0;
const DEFAULT_AUTO_PAYMENT = false;

/** The core has a fourth status, `suspended`; this surface knows three words and shows it as `blocked`. */
export const statusToWire = (status: CustomerStatus): WireStatus => (status === 'suspended' ? 'blocked' : status);

export function toWire(customer: Customer): WireCustomer {
  return {
    _id: customer.id,
    id: customer.id,
    firstName: customer.firstName,
    lastName: customer.lastName,
    name: customer.name,
    email: customer.email,
    phone: customer.phone,
    status: statusToWire(customer.status),
    type: customer.type,
    value: customer.value ?? DEFAULT_VALUE,
    autoPayment: customer.autoPayment ?? DEFAULT_AUTO_PAYMENT,
    notes: customer.notes,
    createdAt: customer.createdAt,
    updatedAt: customer.updatedAt,
  };
}

/** The fields of a request body this surface writes; anything else in the body is ignored. */
const WRITABLE = ['name', 'firstName', 'lastName', 'email', 'phone', 'status', 'type', 'value', 'autoPayment', 'notes'] as const;

function known(body: Static<typeof UpdateBody>): CustomerWrite {
  const out: Record<string, unknown> = {};
  for (const key of WRITABLE) if (body[key] !== undefined) out[key] = body[key];
  return out as CustomerWrite;
}

/** A create: the known fields, with the seed's defaults stored for `value` and `autoPayment`. */
export function createInput(body: Static<typeof CreateBody>): CustomerWrite {
  return { ...known(body), value: body.value ?? DEFAULT_VALUE, autoPayment: body.autoPayment ?? DEFAULT_AUTO_PAYMENT };
}

/**
 * A partial update as a merge patch of the known fields present in the body. Where one
 * word of this surface stands for several core values (`blocked` for blocked and suspended,
 * 0 for an unset value, false for an unset autoPayment), sending back what the customer
 * already shows is no change, so a GET–edit–PUT round trip rewrites nothing it did not edit.
 * `name` and `email` are required by the seed: `null` is refused unless the customer has none.
 */
export function updatePatch(body: Static<typeof UpdateBody>, current: Customer): CustomerWrite {
  const patch = known(body);
  const shown = toWire(current);
  if (patch.status !== undefined && patch.status === shown.status) delete patch.status;
  if (patch.value !== undefined && patch.value === shown.value) delete patch.value;
  if (patch.autoPayment !== undefined && patch.autoPayment === shown.autoPayment) delete patch.autoPayment;
  const errors: FieldError[] = [];
  for (const field of ['name', 'email'] as const) {
    if (patch[field] !== null) continue;
    if (current[field] === null) delete patch[field];
    else errors.push({ field, message: 'is required and cannot be removed', code: 'required' });
  }
  if (errors.length > 0) throw validationFailed(errors);
  return patch;
}

/** A customer this surface can see: deleted (and purged) customers are gone from it. */
export function visible(customer: Customer): Customer {
  if (customer.deletedAt !== null) throw notFound();
  return customer;
}

// ---- errors ----

interface WireError {
  status: number;
  code: string;
  message: string;
  details: { field: string; message: string }[];
}

/**
 * How an error looks on this surface. Every authentication failure is a 403 (the seed lists
 * missing, invalid and expired tokens under 403); a deleted or purged customer is a 404
 * like an unknown one, since this surface cannot see deleted customers.
 */
export function present(error: AppError): WireError {
  if (error.code === 'customer_deleted' || error.code === 'customer_purged') return present(notFound());
  const status = error.code === 'unauthenticated' ? 403 : error.status;
  return { status, code: error.code, message: error.message, details: error.errors.map(detail) };
}

function detail(error: FieldError): { field: string; message: string } {
  const allowed = ENUM_FIELDS[error.field];
  if (allowed && (error.code === 'const' || error.code === 'enum')) return { field: error.field, message: `must be one of: ${allowed.join(', ')}` };
  if (error.code === 'required') return { field: error.field, message: error.message.startsWith('must have required') ? 'is required' : error.message };
  return { field: error.field, message: error.message };
}

export const statusOf = (error: AppError) => present(error).status;

/** `{"success": false, "error": {code, message, details, requestId}}`: the body of every error. */
export function renderError(error: AppError, request: FastifyRequest, reply: FastifyReply) {
  const { code, message, details } = present(error);
  return reply.type('application/json; charset=utf-8').send({ success: false, error: { code, message, details, requestId: request.id } });
}
