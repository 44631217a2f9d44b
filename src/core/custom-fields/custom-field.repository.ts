import type { CustomFieldDefinitionRow } from '../../db/database.js';
import type { Executor } from '../customers/customer.repository.js';
import type { CustomFieldOptions, CustomFieldType } from './custom-field.model.js';

/** Data access for custom field definitions: executor first, tenant second. */

export function listDefinitions(db: Executor, tenantId: string): Promise<CustomFieldDefinitionRow[]> {
  return db.selectFrom('custom_field_definitions').selectAll().where('tenant_id', '=', tenantId).orderBy('name').execute();
}

export function findDefinition(db: Executor, tenantId: string, name: string, options: { forUpdate?: boolean } = {}): Promise<CustomFieldDefinitionRow | undefined> {
  return db
    .selectFrom('custom_field_definitions')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('name', '=', name)
    .$if(!!options.forUpdate, (q) => q.forUpdate())
    .executeTakeFirst();
}

export async function countDefinitions(db: Executor, tenantId: string): Promise<number> {
  const row = await db
    .selectFrom('custom_field_definitions')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('tenant_id', '=', tenantId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export function insertDefinition(
  db: Executor,
  tenantId: string,
  values: { name: string; type: CustomFieldType; label: string | null; options: CustomFieldOptions },
): Promise<CustomFieldDefinitionRow> {
  return db
    .insertInto('custom_field_definitions')
    .values({ ...values, tenant_id: tenantId, options: JSON.stringify(values.options) })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export function updateDefinition(
  db: Executor,
  tenantId: string,
  name: string,
  set: { label: string | null; options: CustomFieldOptions; updated_at: Date },
): Promise<CustomFieldDefinitionRow> {
  return db
    .updateTable('custom_field_definitions')
    .set({ ...set, options: JSON.stringify(set.options) })
    .where('tenant_id', '=', tenantId)
    .where('name', '=', name)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function deleteDefinition(db: Executor, tenantId: string, name: string): Promise<boolean> {
  const result = await db.deleteFrom('custom_field_definitions').where('tenant_id', '=', tenantId).where('name', '=', name).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}
