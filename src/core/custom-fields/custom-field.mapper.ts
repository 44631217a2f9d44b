import type { CustomFieldDefinitionRow } from '../../db/database.js';
import type { CustomFieldDefinition } from './custom-field.model.js';

/** Definition rows become API objects here and nowhere else. */
export function toCustomFieldDefinition(row: CustomFieldDefinitionRow): CustomFieldDefinition {
  return {
    name: row.name,
    type: row.type,
    label: row.label,
    options: row.options ?? {},
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}
