import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { CreateCustomFieldSchema, CustomFieldDefinitionSchema, CustomFieldNameParams, PatchCustomFieldSchema } from '../../../core/custom-fields/custom-field.model.js';
import type { Services } from '../../../services.js';
import { ctxOf } from '../../auth.js';

const Problem = Type.Ref('Problem');
const errors = { '4xx': Problem, '5xx': Problem };
const tags = ['custom fields'];
const Definition = Type.Ref(CustomFieldDefinitionSchema);

/** The tenant's custom field definitions. Changing them needs `custom_fields:write`, which `customers:write` does not grant. */
export const v1CustomFieldRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  const { customFields } = services;

  app.get(
    '/custom-fields',
    { config: { scope: 'customers:read' }, schema: { tags, summary: 'List the tenant’s custom field definitions', response: { 200: Type.Object({ data: Type.Array(Definition) }), ...errors } } },
    async (request) => ({ data: await customFields.list(ctxOf(request)) }),
  );

  app.post(
    '/custom-fields',
    {
      config: { scope: 'custom_fields:write' },
      schema: {
        tags,
        summary: 'Define a custom field',
        description: 'Once a tenant has any definition, every `customFields` key a customer write sets must be defined, and its value must fit the type.',
        body: CreateCustomFieldSchema,
        response: { 201: Definition, ...errors },
      },
    },
    async (request, reply) => {
      const definition = await customFields.create(ctxOf(request), request.body);
      return reply.code(201).header('location', `/v1/custom-fields/${definition.name}`).send(definition);
    },
  );

  app.get(
    '/custom-fields/:name',
    { config: { scope: 'customers:read' }, schema: { tags, summary: 'Get a custom field definition', params: CustomFieldNameParams, response: { 200: Definition, ...errors } } },
    async (request) => customFields.get(ctxOf(request), request.params.name),
  );

  app.patch(
    '/custom-fields/:name',
    {
      config: { scope: 'custom_fields:write' },
      schema: {
        tags,
        summary: 'Change a custom field’s label or options',
        description: 'The type can’t change. Values customers already hold are not checked again.',
        params: CustomFieldNameParams,
        body: PatchCustomFieldSchema,
        response: { 200: Definition, ...errors },
      },
    },
    async (request) => customFields.update(ctxOf(request), request.params.name, request.body),
  );

  app.delete(
    '/custom-fields/:name',
    {
      config: { scope: 'custom_fields:write' },
      schema: {
        tags,
        summary: 'Remove a custom field definition',
        description: 'Values customers hold under this name are kept (and no longer checked).',
        params: CustomFieldNameParams,
        response: { 204: Type.Null({ description: 'Removed' }), ...errors },
      },
    },
    async (request, reply) => {
      await customFields.delete(ctxOf(request), request.params.name);
      return reply.code(204).send(null);
    },
  );
};
