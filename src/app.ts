import Fastify, { type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { SerializerSelector } from '@fastify/fast-json-stringify-compiler';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { uuidv7 } from './core/ids.js';
import { AccountAddressSchema, AccountSchema } from './core/accounts/account.model.js';
import { ChannelSchema, CustomerEventSchema, CustomerSchema, TicketLinkSchema } from './core/customers/customer.model.js';
import { BrandSchema } from './core/brands/brand.model.js';
import { CustomFieldDefinitionSchema } from './core/custom-fields/custom-field.model.js';
import { authenticateRequest, authorize, bearerSecret } from './http/auth.js';
import { registerIdempotency } from './http/idempotency.js';
import { routeNotFound, trackRoutes } from './http/method-not-allowed.js';
import { ProblemSchema, problemErrorHandler } from './http/problem.js';
import { adminRoutes } from './http/routes/admin/admin.js';
import { healthRoutes } from './http/routes/health.js';
import { v1AccountRoutes } from './http/routes/v1/accounts.js';
import { v1BrandRoutes } from './http/routes/v1/brands.js';
import { v1CustomFieldRoutes } from './http/routes/v1/custom-fields.js';
import { v1CustomerRoutes } from './http/routes/v1/customers.js';
import { v1ChannelTimelineRoutes } from './http/routes/v1/channels-timeline.js';
import { oauthRoutes } from './http/routes/oauth.js';
import { OAuthClientSchema, TenantSchema, TokenSchema } from './http/schemas/admin.js';
import type { Services } from './services.js';
import { registerSurfaces } from './surfaces/index.js';

export interface AppOptions {
  services: Services;
  logLevel?: string;
  bodyLimit?: number;
}

const REQUEST_ID = /^[\w.:-]{1,128}$/;

/**
 * Request bodies are validated strictly (no type coercion: `"12"` is not a number, and
 * unknown fields are errors, never silently dropped); query strings, params and headers
 * arrive as text and are coerced to their schema's types.
 */
function validators() {
  // validateSchema off: the schemas are Patron's own (TypeBox), and checking them against the
  // JSON Schema meta-schema meant compiling the meta-schema first, a tenth of start-up.
  const common = { allErrors: true, removeAdditional: false, useDefaults: true, strict: false, validateSchema: false } as const;
  // ajv-formats' uuid also takes a `urn:uuid:` prefix, which PostgreSQL's uuid type refuses.
  const strictUuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
  const body = addFormats.default(new Ajv.default({ ...common, coerceTypes: false })).addFormat('uuid', strictUuid);
  const text = addFormats.default(new Ajv.default({ ...common, coerceTypes: 'array' })).addFormat('uuid', strictUuid);
  return ({ schema, httpPart }: { schema: object; httpPart?: string }) => lazily(() => (httpPart === 'body' ? body : text).compile(schema));
}

/**
 * Schemas are compiled at a route's first request, not at start-up: compiling every route's
 * validators and serializers (/v1, the admin API, five surfaces) was about half of the
 * start-up's CPU time (docs/performance.md), mostly for routes a given installation never calls.
 * `errors` is copied because Fastify reads a failed validation's errors off the function.
 */
function lazily<F extends ((data: any) => any) & { errors?: any }>(compile: () => F): F {
  let compiled: F | undefined;
  const run = ((data: unknown) => {
    compiled ??= compile();
    const result = compiled(data);
    run.errors = compiled.errors;
    return result;
  }) as F;
  return run;
}

const defaultSerializers = SerializerSelector();
const lazySerializers: typeof defaultSerializers = (externalSchemas, options) => {
  const build = defaultSerializers(externalSchemas, options);
  return (route) => lazily(() => build(route));
};

export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const { services } = options;
  const app = Fastify({
    logger: { level: options.logLevel ?? 'info' },
    bodyLimit: options.bodyLimit ?? 262_144,
    requestIdHeader: false,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : uuidv7();
    },
    routerOptions: { ignoreTrailingSlash: true },
    schemaController: { compilersFactory: { buildSerializer: lazySerializers } },
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.decorateRequest('principal', null);
  app.setValidatorCompiler(validators());
  // Fastify parses text/plain by default; no Patron endpoint takes it, so it is a 415 like any other non-JSON body.
  app.removeContentTypeParser('text/plain');
  app.addContentTypeParser('application/merge-patch+json', { parseAs: 'string' }, app.getDefaultJsonParser('error', 'error'));
  for (const schema of [ProblemSchema, CustomerSchema, CustomerEventSchema, ChannelSchema, TicketLinkSchema, AccountAddressSchema, AccountSchema, TenantSchema, TokenSchema, OAuthClientSchema, BrandSchema, CustomFieldDefinitionSchema]) {
    app.addSchema(schema);
  }

  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  // While shutting down, tell keep-alive clients to go: otherwise a connection that was busy
  // when close() began stays open until the client hangs up, and the process can't exit.
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onSend', async (_request, reply) => {
    if (closing) reply.header('connection', 'close');
  });
  app.setErrorHandler(problemErrorHandler);
  const routes = trackRoutes(app);
  app.setNotFoundHandler((request, reply) => problemErrorHandler(routeNotFound(routes, request) as never, request, reply));

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Patron Customers API',
        version: '1.0.0',
        description: 'Multi-tenant customer records: create, look up, merge-patch, delete, restore and purge customers; the admin API manages tenants and tokens.',
      },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'A tenant API token (`ptn_…`), or for /admin the admin token.' },
          apiKey: { type: 'apiKey', in: 'header', name: 'apiKey', description: 'Seed 003 (/api/v2/customer): a tenant API token or an OAuth access token in the `apiKey` header.' },
        },
      },
      security: [{ bearer: [] }],
      tags: [
        { name: 'customers', description: 'The customer core (/v1)' },
        { name: 'accounts', description: 'Accounts (e.g. wallets) and their addresses, per customer (/v1)' },
        { name: 'channels', description: 'A customer’s channels (emails, phones, WhatsApp, handles) as records with stable ids (/v1)' },
        { name: 'timeline', description: 'External events on a customer’s timeline, and its ticket links (/v1)' },
        { name: 'brands', description: 'The tenant’s brands, read-only (/v1; managed through /admin/v1)' },
        { name: 'custom fields', description: 'The tenant’s custom field definitions (/v1)' },
        { name: 'oauth', description: 'OAuth 2.0 client credentials' },
        { name: 'admin', description: 'Tenants and tokens (/admin/v1, admin token)' },
        { name: 'operations', description: 'Health and readiness' },
      ],
    },
    refResolver: { buildLocalReference: (json, _base, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  await app.register(healthRoutes, { services });

  await app.register(
    async (v1) => {
      // Authentication and the scope check both come before the body is read.
      v1.addHook('onRequest', async (request) => {
        await authenticateRequest(services, request, bearerSecret(request));
        await authorize(request);
      });
      registerIdempotency(v1, services.idempotency);
      await v1.register(v1CustomerRoutes, { services });
      await v1.register(v1ChannelTimelineRoutes, { services });
      await v1.register(v1AccountRoutes, { services });
      await v1.register(v1BrandRoutes, { services });
      await v1.register(v1CustomFieldRoutes, { services });
    },
    { prefix: '/v1' },
  );

  await app.register(adminRoutes, { services, prefix: '/admin/v1' });
  await app.register(oauthRoutes, { services });
  await registerSurfaces(app, services, routes);

  return app;
}
