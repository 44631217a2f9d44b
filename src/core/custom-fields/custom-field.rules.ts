import type { FieldError } from '../errors.js';
import { CUSTOM_FIELD_LIMITS, CUSTOM_FIELD_NAME, CUSTOM_FIELD_TYPES, type CustomFieldDefinition, type CustomFieldOptions, type CustomFieldType } from './custom-field.model.js';

/** What a definition allows, and whether a value (from JSON, or from a form's text) fits it. */

type Definition = Pick<CustomFieldDefinition, 'name' | 'type' | 'options'>;
export type Definitions = ReadonlyMap<string, Definition>;

const OPTIONS_OF: Record<CustomFieldType, (keyof CustomFieldOptions)[]> = {
  string: ['maxLength'],
  number: ['min', 'max'],
  boolean: [],
  date: [],
  enum: ['values'],
};

/** The checks of a definition a schema can't express: which options go with which type, and their consistency. */
export function definitionErrors(def: { name: string; type: CustomFieldType; label: string | null; options: CustomFieldOptions }): FieldError[] {
  const errors: FieldError[] = [];
  if (!CUSTOM_FIELD_NAME.test(def.name)) errors.push({ field: 'name', message: `must match ${CUSTOM_FIELD_NAME.source}`, code: 'invalid' });
  if (!CUSTOM_FIELD_TYPES.includes(def.type)) errors.push({ field: 'type', message: `must be one of: ${CUSTOM_FIELD_TYPES.join(', ')}`, code: 'enum' });
  if (def.label !== null && def.label.trim() === '') errors.push({ field: 'label', message: 'must not be blank; send null to clear it', code: 'blank' });
  const allowed = OPTIONS_OF[def.type] ?? [];
  for (const key of Object.keys(def.options) as (keyof CustomFieldOptions)[]) {
    if (!allowed.includes(key)) errors.push({ field: `options.${key}`, message: `does not apply to a ${def.type} field`, code: 'not_applicable' });
  }
  const { values, min, max } = def.options;
  if (def.type === 'enum') {
    if (!values || values.length === 0) errors.push({ field: 'options.values', message: 'is required for an enum field: the allowed values', code: 'required' });
    else if (values.some((v) => v.trim() === '')) errors.push({ field: 'options.values', message: 'must not contain blank values', code: 'blank' });
    else if (new Set(values).size !== values.length) errors.push({ field: 'options.values', message: 'must not repeat a value', code: 'duplicate' });
  }
  if (min !== undefined && max !== undefined && min > max) errors.push({ field: 'options.min', message: 'must not be greater than options.max', code: 'out_of_range' });
  return errors;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A calendar date written YYYY-MM-DD that exists (no 2026-02-30). */
export function isRealDate(value: string): boolean {
  const m = DATE.exec(value);
  if (!m) return false;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** Why `value` does not fit the definition, or null when it does. `null` (no value) always fits. */
export function valueError(def: Definition, value: unknown): FieldError | null {
  if (value === null) return null;
  const field = `customFields.${def.name}`;
  const fail = (message: string, code: string): FieldError => ({ field, message: `"${def.name}" ${message}`, code });
  const { options } = def;
  switch (def.type) {
    case 'string':
      if (typeof value !== 'string') return fail('must be a string', 'invalid_type');
      if (options.maxLength !== undefined && value.length > options.maxLength) return fail(`must be at most ${options.maxLength} characters`, 'too_long');
      return null;
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value)) return fail('must be a number', 'invalid_type');
      if (options.min !== undefined && value < options.min) return fail(`must be at least ${options.min}`, 'out_of_range');
      if (options.max !== undefined && value > options.max) return fail(`must be at most ${options.max}`, 'out_of_range');
      return null;
    case 'boolean':
      return typeof value === 'boolean' ? null : fail('must be true or false', 'invalid_type');
    case 'date':
      return typeof value === 'string' && isRealDate(value) ? null : fail('must be a real date written YYYY-MM-DD', 'invalid_date');
    case 'enum':
      return typeof value === 'string' && options.values?.includes(value) ? null : fail(`must be one of: ${(options.values ?? []).join(', ')}`, 'invalid_option');
  }
}

/**
 * The errors of the custom fields a write changes (`changed`: name → new value), against the
 * tenant's definitions. A tenant without definitions keeps free-form custom fields.
 */
export function customFieldErrors(definitions: Definitions, changed: Record<string, unknown>): FieldError[] {
  if (definitions.size === 0) return [];
  const errors: FieldError[] = [];
  for (const [name, value] of Object.entries(changed)) {
    const def = definitions.get(name);
    if (!def) {
      errors.push({ field: `customFields.${name}`, message: `"${name}" is not a custom field of this tenant; define it first (POST /v1/custom-fields)`, code: 'unknown_custom_field' });
      continue;
    }
    const error = valueError(def, value);
    if (error) errors.push(error);
  }
  return errors;
}

/** The custom fields whose value differs between two states: what a write must have checked. */
export function changedCustomFields(before: Record<string, unknown>, after: Record<string, unknown>): Record<string, unknown> {
  const changed: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(after)) {
    if (!(name in before) || JSON.stringify(before[name]) !== JSON.stringify(value)) changed[name] = value;
  }
  return changed;
}

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const TRUE = new Set(['true', '1', 'yes', 'on']);
const FALSE = new Set(['false', '0', 'no', 'off']);

/**
 * A custom field value that arrived as text (a form field, a query string) in its
 * definition's type: "42" → 42 for a number, "true" / "false" (also 1/0, yes/no, on/off) for a
 * boolean; an empty value is null for every type but string. Text that can't be read as the
 * type is returned as it came, so the write's check names the field; without a definition the
 * text is kept as text.
 */
export function customFieldFromString(def: Pick<Definition, 'type'> | undefined, raw: string): unknown {
  if (!def || def.type === 'string') return raw;
  const text = raw.trim();
  if (text === '') return null;
  switch (def.type) {
    case 'number':
      return NUMBER.test(text) ? Number(text) : raw;
    case 'boolean': {
      const lower = text.toLowerCase();
      return TRUE.has(lower) ? true : FALSE.has(lower) ? false : raw;
    }
    default:
      return text;
  }
}

export const DEFINITION_LIMIT_ERROR: FieldError = {
  field: 'name',
  message: `a tenant can define at most ${CUSTOM_FIELD_LIMITS.definitions} custom fields`,
  code: 'too_many',
};

/** How a list filter `customFields.<name>=<raw>` compares: as typed JSON, or as text. */
export type CustomFieldFilter = { name: string; json: string } | { name: string; text: string };

/**
 * A list filter on a custom field. A defined number or boolean compares as one ("42" matches
 * 42 and 42.0); everything else, and every name on a tenant without definitions, as text.
 */
export function customFieldFilter(definitions: Definitions, name: string, raw: string): CustomFieldFilter | FieldError {
  const field = `customFields.${name}`;
  if (!CUSTOM_FIELD_NAME.test(name)) return { field, message: `the name must match ${CUSTOM_FIELD_NAME.source}`, code: 'invalid_key' };
  const def = definitions.get(name);
  if (!def && definitions.size > 0) return { field, message: `"${name}" is not a custom field of this tenant`, code: 'unknown_custom_field' };
  if (def?.type === 'number' || def?.type === 'boolean') {
    const value = customFieldFromString(def, raw);
    const fits = def.type === 'number' ? typeof value === 'number' && Number.isFinite(value) : typeof value === 'boolean';
    if (!fits) return { field, message: `"${name}" is a ${def.type} field: filter by a ${def.type}`, code: 'invalid_type' };
    return { name, json: JSON.stringify(value) };
  }
  return { name, text: def ? raw.trim() : raw };
}
