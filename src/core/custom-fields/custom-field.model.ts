import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { LIMITS } from '../customers/customer.model.js';

/**
 * Custom field definitions: a tenant may declare the custom fields its customers carry, each
 * with a type. A tenant with none keeps free-form `customFields`.
 */

export const CUSTOM_FIELD_TYPES = ['string', 'number', 'boolean', 'date', 'enum'] as const;
export type CustomFieldType = (typeof CUSTOM_FIELD_TYPES)[number];

/** The customFields key rule (LIMITS.customFieldKey long at most), as a definition's name. */
export const CUSTOM_FIELD_NAME = /^[a-zA-Z][a-zA-Z0-9_]{0,63}$/;

export const CUSTOM_FIELD_LIMITS = {
  /** Per tenant: every write that sets custom fields is checked against all of them. */
  definitions: 200,
  label: 200,
  enumValues: 100,
  enumValue: 200,
  /** A string field's maxLength can't exceed what any custom field value may hold. */
  maxLength: LIMITS.customFieldValueBytes,
} as const;

const NameSchema = Type.String({ pattern: CUSTOM_FIELD_NAME.source, description: 'The customFields key: a letter, then letters, digits or `_`; at most 64 characters.' });
const TypeSchema = Type.Union(CUSTOM_FIELD_TYPES.map((t) => Type.Literal(t)));
const Label = Type.String({ maxLength: CUSTOM_FIELD_LIMITS.label });

const option = {
  values: Type.Array(Type.String({ minLength: 1, maxLength: CUSTOM_FIELD_LIMITS.enumValue }), {
    minItems: 1,
    maxItems: CUSTOM_FIELD_LIMITS.enumValues,
    uniqueItems: true,
    description: 'enum only, required: the allowed values.',
  }),
  maxLength: Type.Integer({ minimum: 1, maximum: CUSTOM_FIELD_LIMITS.maxLength, description: 'string only: the longest value, in characters.' }),
  min: Type.Number({ description: 'number only: the smallest value allowed.' }),
  max: Type.Number({ description: 'number only: the largest value allowed.' }),
};

export const CustomFieldOptionsSchema = Type.Object(
  { values: Type.Optional(option.values), maxLength: Type.Optional(option.maxLength), min: Type.Optional(option.min), max: Type.Optional(option.max) },
  { additionalProperties: false },
);

export const CustomFieldDefinitionSchema = Type.Object(
  {
    name: Type.String(),
    type: TypeSchema,
    label: Type.Union([Type.String(), Type.Null()]),
    options: CustomFieldOptionsSchema,
    createdAt: Type.String({ format: 'date-time' }),
    updatedAt: Type.String({ format: 'date-time' }),
  },
  { $id: 'CustomFieldDefinition', additionalProperties: false },
);

export const CreateCustomFieldSchema = Type.Object(
  {
    name: NameSchema,
    type: TypeSchema,
    label: Type.Optional(Type.Union([Label, Type.Null()])),
    options: Type.Optional(CustomFieldOptionsSchema),
  },
  { additionalProperties: false },
);

const orNull = <T extends TSchema>(schema: T) => Type.Optional(Type.Union([schema, Type.Null()]));

export const PatchCustomFieldSchema = Type.Object(
  {
    type: Type.Optional(TypeSchema),
    label: Type.Optional(Type.Union([Label, Type.Null()])),
    options: Type.Optional(
      Type.Object(
        { values: Type.Optional(Type.Union([option.values, Type.Null()])), maxLength: orNull(option.maxLength), min: orNull(option.min), max: orNull(option.max) },
        { additionalProperties: false, description: 'Merged into the current options (RFC 7396): `null` removes one.' },
      ),
    ),
  },
  { additionalProperties: false },
);

export const CustomFieldNameParams = Type.Object({ name: NameSchema }, { additionalProperties: false });

export type CustomFieldOptions = Static<typeof CustomFieldOptionsSchema>;
export type CustomFieldDefinition = Static<typeof CustomFieldDefinitionSchema>;
export type CreateCustomField = Static<typeof CreateCustomFieldSchema>;
export type PatchCustomField = Static<typeof PatchCustomFieldSchema>;
