import type { Db } from '../../db/connect.js';
import { isUniqueViolation } from '../../db/errors.js';
import type { Ctx } from '../context.js';
import type { Executor } from '../customers/customer.repository.js';
import { AppError, notFound, validationFailed, type FieldError } from '../errors.js';
import { applyMergePatch } from '../merge-patch.js';
import { toCustomFieldDefinition } from './custom-field.mapper.js';
import { CUSTOM_FIELD_LIMITS, type CreateCustomField, type CustomFieldDefinition, type CustomFieldOptions, type PatchCustomField } from './custom-field.model.js';
import { countDefinitions, deleteDefinition, findDefinition, insertDefinition, listDefinitions, updateDefinition } from './custom-field.repository.js';
import {
  changedCustomFields,
  customFieldErrors,
  customFieldFilter,
  customFieldFromString,
  DEFINITION_LIMIT_ERROR,
  definitionErrors,
  type CustomFieldFilter,
  type Definitions,
} from './custom-field.rules.js';

/**
 * How long a process keeps a tenant's definitions for checking writes. Changes made through
 * this process apply at once; made through another instance, within this time.
 */
export const DEFINITIONS_CACHE_TTL_MS = 5_000;
const CACHE_MAX_TENANTS = 10_000;

/**
 * A tenant's custom field definitions, and the checks customer writes and list filters make
 * against them. Customer writes load the definitions only when they change a custom field,
 * and then from a short per-process cache: a write that leaves customFields alone costs
 * nothing more than before.
 */
export class CustomFieldService {
  private readonly cache = new Map<string, { definitions: Definitions; until: number }>();

  constructor(private readonly db: Db) {}

  async list(ctx: Ctx): Promise<CustomFieldDefinition[]> {
    return (await listDefinitions(this.db, ctx.tenant.id)).map(toCustomFieldDefinition);
  }

  async get(ctx: Ctx, name: string): Promise<CustomFieldDefinition> {
    const row = await findDefinition(this.db, ctx.tenant.id, name);
    if (!row) throw notFound('Custom field');
    return toCustomFieldDefinition(row);
  }

  async create(ctx: Ctx, input: CreateCustomField): Promise<CustomFieldDefinition> {
    const def = { name: input.name, type: input.type, label: input.label?.trim() ?? null, options: input.options ?? {} };
    const errors = definitionErrors(def);
    if (errors.length > 0) throw validationFailed(errors);
    // Not atomic with the insert: two racing creates may overshoot by one, which the limit tolerates.
    if ((await countDefinitions(this.db, ctx.tenant.id)) >= CUSTOM_FIELD_LIMITS.definitions) throw validationFailed([DEFINITION_LIMIT_ERROR]);
    try {
      const row = await insertDefinition(this.db, ctx.tenant.id, def);
      return toCustomFieldDefinition(row);
    } catch (err) {
      if (isUniqueViolation(err)) {
        throw new AppError('duplicate', `A custom field named "${def.name}" is already defined.`, [{ field: 'name', message: 'is already defined', code: 'duplicate' }], { field: 'name' });
      }
      throw err;
    } finally {
      this.cache.delete(ctx.tenant.id);
    }
  }

  /** Changes the label and options (merged, RFC 7396). The type can't change: values already stored were checked against it. */
  async update(ctx: Ctx, name: string, patch: PatchCustomField): Promise<CustomFieldDefinition> {
    try {
      return await this.db.transaction().execute(async (trx) => {
        const current = await findDefinition(trx, ctx.tenant.id, name, { forUpdate: true });
        if (!current) throw notFound('Custom field');
        if (patch.type !== undefined && patch.type !== current.type) {
          throw validationFailed([{ field: 'type', message: `cannot change (it is ${current.type}); delete the definition and create it again`, code: 'immutable' }]);
        }
        const label = patch.label === undefined ? current.label : (patch.label?.trim() ?? null);
        const options = applyMergePatch(current.options ?? {}, patch.options ?? {}) as CustomFieldOptions;
        const errors = definitionErrors({ name, type: current.type, label, options });
        if (errors.length > 0) throw validationFailed(errors);
        return toCustomFieldDefinition(await updateDefinition(trx, ctx.tenant.id, name, { label, options, updated_at: new Date() }));
      });
    } finally {
      this.cache.delete(ctx.tenant.id);
    }
  }

  /** Removes the definition. Values customers already hold under this name stay. */
  async delete(ctx: Ctx, name: string): Promise<void> {
    const deleted = await deleteDefinition(this.db, ctx.tenant.id, name);
    this.cache.delete(ctx.tenant.id);
    if (!deleted) throw notFound('Custom field');
  }

  /**
   * The tenant's definitions by name, cached for DEFINITIONS_CACHE_TTL_MS. `db` is the
   * caller's executor: inside a transaction, the transaction's (PGlite has one session).
   */
  async definitions(db: Executor, tenantId: string): Promise<Definitions> {
    const now = Date.now();
    const cached = this.cache.get(tenantId);
    if (cached && cached.until > now) return cached.definitions;
    const definitions = new Map((await listDefinitions(db, tenantId)).map((row) => [row.name, toCustomFieldDefinition(row)]));
    if (this.cache.size >= CACHE_MAX_TENANTS) this.cache.clear();
    this.cache.set(tenantId, { definitions, until: now + DEFINITIONS_CACHE_TTL_MS });
    return definitions;
  }

  /**
   * The errors of the custom fields a write changes (`before` → `after`). Only changed keys
   * are checked, so a value left from a deleted definition doesn't block unrelated writes,
   * and a write that changes none doesn't touch the database.
   */
  async writeErrors(db: Executor, tenantId: string, before: Record<string, unknown>, after: Record<string, unknown>): Promise<FieldError[]> {
    const changed = changedCustomFields(before, after);
    if (Object.keys(changed).length === 0) return [];
    return customFieldErrors(await this.definitions(db, tenantId), changed);
  }

  /**
   * Custom field values that arrived as text (seed 003's `custom_<name>` form fields), each in
   * its definition's type: see customFieldFromString. The customer write then checks them.
   * Inside a transaction, pass it as `db`.
   */
  async fromStrings(ctx: Ctx, raw: Record<string, string>, db: Executor = this.db): Promise<Record<string, unknown>> {
    if (Object.keys(raw).length === 0) return {};
    const definitions = await this.definitions(db, ctx.tenant.id);
    return Object.fromEntries(Object.entries(raw).map(([name, value]) => [name, customFieldFromString(definitions.get(name), value)]));
  }

  /** List filters `customFields.<name>=<value>` (name → raw value), typed by the definitions. */
  async filters(ctx: Ctx, raw: Record<string, string>): Promise<CustomFieldFilter[]> {
    const definitions = await this.definitions(this.db, ctx.tenant.id);
    const filters: CustomFieldFilter[] = [];
    const errors: FieldError[] = [];
    for (const [name, value] of Object.entries(raw)) {
      const filter = customFieldFilter(definitions, name, value);
      if ('field' in filter) errors.push(filter);
      else filters.push(filter);
    }
    if (errors.length > 0) throw validationFailed(errors);
    return filters;
  }
}
