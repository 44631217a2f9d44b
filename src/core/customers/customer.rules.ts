import { isIP } from 'node:net';
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';
import type { ChannelType, TenantSettings } from '../../db/database.js';
import type { FieldError } from '../errors.js';
import { applyMergePatch, isPlainObject } from '../merge-patch.js';
import { LIMITS, type BillingAddress, type CustomerCategory, type CustomerStatus, type CustomerType, type CustomerWrite, type Location } from './customer.model.js';

/**
 * The business rules of a customer's fields: defaults, name derivation, normalisation of
 * channels, and the checks a JSON schema cannot express. Every surface's write ends here.
 */

/** Every writable field present: the complete, normalised state of a customer. */
export interface CustomerState {
  name: string | null;
  firstName: string | null;
  lastName: string | null;
  type: CustomerType;
  category: CustomerCategory;
  status: CustomerStatus;
  companyId: string | null;
  brandId: number | null;
  externalId: string | null;
  companyNumber: string | null;
  email: string | null;
  phone: string | null;
  additionalEmails: string[];
  additionalPhones: string[];
  whatsapp: string | null;
  handles: Record<string, string>;
  fax: string | null;
  billingAddress: BillingAddress | null;
  location: Location | null;
  ip: string | null;
  source: string | null;
  value: number | null;
  autoPayment: boolean | null;
  notes: string | null;
  customFields: Record<string, unknown>;
}

export const EMPTY_STATE: CustomerState = {
  name: null,
  firstName: null,
  lastName: null,
  type: 'individual',
  category: 'customer',
  status: 'active',
  companyId: null,
  brandId: null,
  externalId: null,
  companyNumber: null,
  email: null,
  phone: null,
  additionalEmails: [],
  additionalPhones: [],
  whatsapp: null,
  handles: {},
  fax: null,
  billingAddress: null,
  location: null,
  ip: null,
  source: null,
  value: null,
  autoPayment: null,
  notes: null,
  customFields: {},
};

export const STATE_FIELDS = Object.keys(EMPTY_STATE) as (keyof CustomerState)[];

/** The state a create request describes: defaults, then the request's fields as given. */
export function stateForCreate(input: CustomerWrite): CustomerState {
  const state: Record<string, unknown> = { ...EMPTY_STATE };
  for (const [key, value] of Object.entries(input)) {
    if (value !== undefined) state[key] = value ?? (EMPTY_STATE as unknown as Record<string, unknown>)[key];
  }
  return deriveNames(state as unknown as CustomerState, input);
}

/**
 * The state after an RFC 7396 merge patch. Objects (addresses, handles, custom fields)
 * merge key by key; arrays and scalars are replaced; `null` clears.
 */
export function stateForPatch(current: CustomerState, patch: CustomerWrite): CustomerState {
  const merged = applyMergePatch(current, patch) as Record<string, unknown>;
  for (const key of STATE_FIELDS) {
    if (merged[key] === undefined) merged[key] = EMPTY_STATE[key];
  }
  return deriveNames(merged as unknown as CustomerState, patch);
}

/**
 * name ⇄ firstName/lastName: a request that gives only one side has the other derived from
 * it; a request that gives both keeps both as given; one that gives neither changes neither.
 */
function deriveNames(state: CustomerState, given: CustomerWrite): CustomerState {
  const gaveName = given.name !== undefined;
  const gaveParts = given.firstName !== undefined || given.lastName !== undefined;
  if (gaveName && !gaveParts) {
    const words = (state.name ?? '').trim().split(/\s+/).filter(Boolean);
    return { ...state, firstName: words[0] ?? null, lastName: words.length > 1 ? words.slice(1).join(' ') : null };
  }
  if (gaveParts && !gaveName) {
    const joined = [state.firstName, state.lastName].map((p) => p?.trim()).filter(Boolean).join(' ');
    return { ...state, name: joined || null };
  }
  return state;
}

/**
 * Length limits are enforced here, not only in /v1's schema, so that no surface can store
 * more than the model allows.
 */
const TEXT_LIMITS = {
  name: LIMITS.name,
  firstName: LIMITS.personName,
  lastName: LIMITS.personName,
  externalId: LIMITS.externalId,
  companyNumber: LIMITS.companyNumber,
  source: LIMITS.source,
} as const;

// WHATWG's e-mail grammar, with at least one dot in the domain: an address without a TLD
// is almost always a typo in customer data.
const EMAIL = /^[a-z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/;
const CUSTOM_FIELD_KEY = /^[A-Za-z][A-Za-z0-9_]*$/;

export function normalizeEmail(raw: string): string | null {
  const value = raw.trim().toLowerCase();
  return value.length <= LIMITS.email && EMAIL.test(value) ? value : null;
}

const PHONE_CHARACTERS = /^\+?[0-9][0-9 ().\-/]*(\s*(?:x|ext\.?)\s*[0-9]+)?$/i;

/**
 * A phone as Patron keeps it: E.164 whenever the number can be read as complete (written
 * internationally, or nationally with the tenant's default country) — "possible" (right
 * length) rather than "valid" (assigned range), since customer data is full of numbers such
 * as +1 800 123-4567 that are dialled every day but fail the stricter check. Anything else
 * that is still plainly a phone number (3–20 digits, phone punctuation only: a local
 * "555-1234", which seed 004's own example sends) is kept as written rather than refused.
 */
export function normalizePhone(raw: string, defaultCountry?: string): string | null {
  const value = raw.trim();
  const parsed = parsePhoneNumberFromString(value, { defaultCountry: defaultCountry as CountryCode | undefined });
  if (parsed && parsed.isPossible()) return parsed.number;
  const digits = value.replace(/\D/g, '').length;
  return PHONE_CHARACTERS.test(value) && digits >= 3 && digits <= 20 ? value : null;
}

/** What a phone is found by: its E.164 form, or for a number kept as written, its digits. */
export function phoneLookupKey(stored: string): string {
  return stored.startsWith('+') && /^\+\d+$/.test(stored) ? stored : stored.replace(/\D/g, '');
}

/**
 * WhatsApp numbers are always international; WhatsApp itself writes them as bare digits
 * (`2348000000000`), so a bare 8–15 digit number is read as if it had a leading +.
 */
export function normalizeWhatsapp(raw: string, defaultCountry?: string): string | null {
  const bare = raw.trim();
  return normalizePhone(/^\d{8,15}$/.test(bare) ? `+${bare}` : bare, defaultCountry);
}

/**
 * Values people type when they have no company number. Company numbers are unique in a
 * tenant, so one such value would block every other customer without a number.
 */
export const PLACEHOLDER_COMPANY_NUMBERS = new Set([
  '-', '--', '---', '.', '0', '00', '000', '0000', 'n/a', 'na', 'n.a.', 'n.a', 'none', 'null', 'nil', 'unknown', 'tbd', 'tba', 'todo', 'pending', 'x', 'xx', 'xxx', '?', '??', 'test', 'no', 'not applicable', 'not available',
]);

export function isPlaceholderCompanyNumber(value: string): boolean {
  return PLACEHOLDER_COMPANY_NUMBERS.has(value.trim().toLowerCase());
}

export function normalizeHandle(raw: string): string {
  return raw.trim().replace(/^@/, '').toLowerCase();
}

/** What a stored channel value is found by (its `normalized` column). */
export function channelLookupKey(type: ChannelType, value: string): string {
  return type === 'phone' || type === 'whatsapp' ? phoneLookupKey(value) : value;
}

/**
 * The look-up keys of a channel value as a client writes it ("+1 (212) 555-0100", "@Jane",
 * "Jane@Example.com"): one per type it reads as, or only for `type`; empty when it reads as none.
 */
export function channelLookupKeys(raw: string, settings: TenantSettings, type?: ChannelType): string[] {
  const types: ChannelType[] = type ? [type] : ['email', 'phone', 'whatsapp', 'handle'];
  const keys = types.flatMap((t) => {
    const result = normalizeChannelValue(t, raw, settings);
    return 'code' in result ? [] : [channelLookupKey(t, result.value)];
  });
  return [...new Set(keys)];
}

/**
 * One channel value of the given type, normalised as normalizeState normalises the customer
 * field it belongs to, or why it cannot be. Channel operations use it to name the offending
 * field and compare values before the state (normalised again) is written.
 */
export function normalizeChannelValue(type: ChannelType, raw: string, settings: TenantSettings): { value: string } | { code: string; message: string } {
  if (raw.trim() === '') return { code: 'blank', message: 'must not be blank' };
  switch (type) {
    case 'email': {
      const value = normalizeEmail(raw);
      return value === null ? { code: 'invalid_email', message: 'is not a valid email address' } : { value };
    }
    case 'phone':
    case 'whatsapp': {
      if (raw.length > LIMITS.phone) return { code: 'too_long', message: `must be at most ${LIMITS.phone} characters` };
      const value = type === 'phone' ? normalizePhone(raw, settings.defaultPhoneCountry) : normalizeWhatsapp(raw, settings.defaultPhoneCountry);
      return value === null ? { code: 'invalid_phone', message: 'is not a phone number' } : { value };
    }
    case 'handle': {
      const value = normalizeHandle(raw);
      if (value === '') return { code: 'blank', message: 'must not be blank' };
      return value.length > LIMITS.handle ? { code: 'too_long', message: `must be at most ${LIMITS.handle} characters` } : { value };
    }
  }
}

/**
 * Normalises a state in place of the raw one, or returns the list of field errors.
 * Normalising an already normal state changes nothing, so it is safe on every write.
 */
export function normalizeState(state: CustomerState, settings: TenantSettings): { state: CustomerState; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const fail = (field: string, message: string, code = 'invalid') => errors.push({ field, message, code });

  const text = (field: keyof typeof TEXT_LIMITS, value: string | null): string | null => {
    if (value === null) return null;
    const trimmed = value.trim();
    if (trimmed === '') {
      fail(field, 'must not be blank; send null to clear it', 'blank');
      return null;
    }
    if (trimmed.length > TEXT_LIMITS[field]) fail(field, `must be at most ${TEXT_LIMITS[field]} characters`, 'too_long');
    return trimmed;
  };

  const email = (field: string, value: string): string | null => {
    const n = normalizeEmail(value);
    if (n === null) fail(field, 'is not a valid email address', 'invalid_email');
    return n;
  };
  const phone = (field: string, value: string): string | null => {
    const n = normalizePhone(value, settings.defaultPhoneCountry);
    if (n === null)
      fail(field, 'is not a phone number', 'invalid_phone');
    return n;
  };
  const whatsapp = (value: string): string | null => {
    const n = normalizeWhatsapp(value, settings.defaultPhoneCountry);
    if (n === null) fail('whatsapp', 'is not a phone number', 'invalid_phone');
    return n;
  };
  const dedupe = (values: (string | null)[], primary: string | null) =>
    [...new Set(values.filter((v): v is string => v !== null))].filter((v) => v !== primary);

  const primaryEmail = state.email === null ? null : email('email', state.email);
  const primaryPhone = state.phone === null ? null : phone('phone', state.phone);

  const handles: Record<string, string> = {};
  for (const [network, value] of Object.entries(state.handles ?? {})) {
    if (value === null) continue;
    const n = normalizeHandle(value);
    if (n === '') fail(`handles.${network}`, 'must not be blank', 'blank');
    else handles[network] = n;
  }

  let ip: string | null = null;
  if (state.ip !== null) {
    ip = state.ip.trim().toLowerCase();
    if (isIP(ip) === 0) fail('ip', 'is not an IPv4 or IPv6 address', 'invalid_ip');
  }

  let billingAddress = compactObject(state.billingAddress);
  if (billingAddress?.country) billingAddress = { ...billingAddress, country: billingAddress.country.toUpperCase() };
  const location = compactObject(state.location);

  if (state.value !== null && !Number.isFinite(state.value)) fail('value', 'must be a finite number');
  if (state.notes !== null && state.notes.length > LIMITS.notes) fail('notes', `must be at most ${LIMITS.notes} characters`, 'too_long');
  for (const [network, handle] of Object.entries(handles)) {
    if (handle.length > LIMITS.handle) fail(`handles.${network}`, `must be at most ${LIMITS.handle} characters`, 'too_long');
  }
  checkMembers('billingAddress', billingAddress, { line1: 200, line2: 200, city: 100, state: 100, postalCode: 20, country: 2 }, fail);
  checkMembers('location', location, { city: 100, country: 100, description: 500 }, fail);
  if (billingAddress?.country && !/^[A-Z]{2}$/.test(billingAddress.country)) fail('billingAddress.country', 'must be an ISO 3166-1 alpha-2 code', 'invalid');
  const inRange = (field: 'latitude' | 'longitude', max: number) => {
    const v = location?.[field];
    if (v !== undefined && v !== null && !(Number.isFinite(v) && Math.abs(v) <= max)) fail(`location.${field}`, `must be between -${max} and ${max}`, 'out_of_range');
  };
  inRange('latitude', 90);
  inRange('longitude', 180);

  const customFields = state.customFields ?? {};
  const keys = Object.keys(customFields);
  if (keys.length > LIMITS.customFieldCount) fail('customFields', `must have at most ${LIMITS.customFieldCount} keys`, 'too_many');
  let total = 0;
  for (const key of keys) {
    if (!CUSTOM_FIELD_KEY.test(key) || key.length > LIMITS.customFieldKey)
      fail(`customFields.${key}`, `key must match ^[A-Za-z][A-Za-z0-9_]*$ and be at most ${LIMITS.customFieldKey} characters`, 'invalid_key');
    const size = Buffer.byteLength(JSON.stringify(customFields[key]) ?? 'null');
    total += size;
    if (size > LIMITS.customFieldValueBytes) fail(`customFields.${key}`, `value must be at most ${LIMITS.customFieldValueBytes} bytes of JSON`, 'too_long');
  }
  if (total > LIMITS.customFieldsTotalBytes) fail('customFields', `must be at most ${LIMITS.customFieldsTotalBytes} bytes of JSON in all`, 'too_long');

  if (state.companyNumber !== null && isPlaceholderCompanyNumber(state.companyNumber)) {
    fail('companyNumber', 'is a placeholder, not a company number; send null when there is none', 'placeholder');
  }

  const normalized: CustomerState = {
    ...state,
    name: text('name', state.name),
    firstName: text('firstName', state.firstName),
    lastName: text('lastName', state.lastName),
    externalId: text('externalId', state.externalId),
    companyNumber: text('companyNumber', state.companyNumber),
    email: primaryEmail,
    phone: primaryPhone,
    additionalEmails: dedupe((state.additionalEmails ?? []).map((v, i) => email(`additionalEmails.${i}`, v)), primaryEmail),
    additionalPhones: dedupe((state.additionalPhones ?? []).map((v, i) => phone(`additionalPhones.${i}`, v)), primaryPhone),
    whatsapp: state.whatsapp === null ? null : whatsapp(state.whatsapp),
    handles,
    fax: state.fax === null ? null : phone('fax', state.fax),
    billingAddress,
    location,
    ip,
    source: text('source', state.source),
    notes: state.notes,
    customFields,
  };
  return { state: normalized, errors };
}

function checkMembers(field: string, value: object | null, limits: Record<string, number>, fail: (field: string, message: string, code: string) => void) {
  for (const [key, max] of Object.entries(limits)) {
    const member = (value as Record<string, unknown> | null)?.[key];
    if (typeof member === 'string' && member.length > max) fail(`${field}.${key}`, `must be at most ${max} characters`, 'too_long');
  }
}

/** Drops null members; an object left empty becomes null. */
function compactObject<T extends object>(value: T | null): T | null {
  if (!isPlainObject(value)) return null;
  const out = Object.fromEntries(Object.entries(value).filter(([, v]) => v !== null && v !== undefined));
  return Object.keys(out).length > 0 ? (out as T) : null;
}

/** Per changed field, `{from, to}`: what the timeline records of a write. */
export function diffStates(before: CustomerState | null, after: CustomerState): Record<string, { from: unknown; to: unknown }> {
  const changes: Record<string, { from: unknown; to: unknown }> = {};
  for (const key of STATE_FIELDS) {
    const from = before ? before[key] : EMPTY_STATE[key];
    const to = after[key];
    if (JSON.stringify(from) !== JSON.stringify(to)) changes[key] = { from: before ? from : null, to };
  }
  return changes;
}
