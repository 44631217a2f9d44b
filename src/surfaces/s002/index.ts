import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Ctx } from '../../core/context.js';
import type { Customer } from '../../core/customers/customer.model.js';
import { bearerSecret, ctxOf } from '../../http/auth.js';
import type { Services } from '../../services.js';
import { wireSurface, type SurfaceOptions } from '../surface.js';
import {
  RequestValidationError,
  detailFromSchemaErrors,
  jsonDecodeError,
  renderError,
  statusOf,
  toCoreWrite,
  toWire,
  unknownCompany,
} from './mapping.js';
import { CreateCustomerBody, CustomerOut, HttpErrorOut, ValidationErrorOut } from './schemas.js';

/** `application/json`, or any `application/*+json`: what FastAPI reads as JSON. */
const JSON_MEDIA_TYPE = /^application\/(?:[\w.-]+\+)?json$/;

/**
 * Seed 002's customer API ("create an individual customer", FastAPI-style). Registered
 * twice: at the seed's literal, doubled prefix `/external/v1/external/v1` and at `/external/v1`.
 */
export const surface002: FastifyPluginAsyncTypebox<SurfaceOptions> = async (app, { services, routes }) => {
  // wireSurface checks the scope before the body is read: 401, then 403, then 422.
  wireSurface(app, services, routes, { credential: bearerSecret, renderError, statusOf });

  // Bodies are read the way FastAPI reads them: JSON when the content type is JSON (or
  // absent), and anything else kept as text, which the schema then refuses as "not an
  // object" (422, not 415). An empty body is no body ("Field required").
  app.removeContentTypeParser(['application/json', 'application/merge-patch+json']);
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.addContentTypeParser('*', { parseAs: 'string' }, (request, body, done) => {
    const contentType = request.headers['content-type'];
    const mediaType = contentType?.split(';')[0]!.trim().toLowerCase();
    const text = body as string;
    if (mediaType !== undefined && !JSON_MEDIA_TYPE.test(mediaType)) return done(null, text);
    if (text.length === 0) return done(null, undefined);
    parseJson(request, text, (err, value) => (err ? done(jsonDecodeError(text), undefined) : done(null, value)));
  });

  app.post(
    '/customers',
    {
      config: { scope: 'customers:create' },
      // Schema errors reach the handler, which answers them in pydantic's terms.
      attachValidation: true,
      schema: {
        tags: ['seed 002'],
        summary: 'Create Customer (seed 002)',
        description: 'Create a new individual customer record.',
        body: CreateCustomerBody,
        response: { 201: CustomerOut, 422: ValidationErrorOut, '4xx': HttpErrorOut, '5xx': HttpErrorOut },
      },
    },
    async (request, reply) => {
      if (request.validationError) {
        throw new RequestValidationError(detailFromSchemaErrors(request.validationError.validation, request.body));
      }
      const ctx = ctxOf(request);
      const body = request.body;
      // Values first (every bad one in one 422, as pydantic reports them), then the company.
      const { write, errors } = toCoreWrite(body, ctx.tenant.settings);
      if (errors.length > 0) throw new RequestValidationError(errors);
      const company = await findCompany(services, ctx, body.company_id);
      if (company === null) throw new RequestValidationError([unknownCompany(body.company_id)]);

      const customer = await services.customers.create(ctx, { ...write, companyId: company?.id ?? null });
      const companyNumber = await companyNumberOf(services, ctx, customer, company);
      return reply.code(201).send(toWire(customer, ctx.tenant.number, companyNumber));
    },
  );
};

/**
 * `company_id` names a company by its externalId: a live business customer of the same
 * tenant. `undefined` when the body names none, `null` when it names one that does not exist.
 */
async function findCompany(services: Services, ctx: Ctx, ref: string | null | undefined): Promise<Customer | null | undefined> {
  if (ref === null || ref === undefined) return undefined;
  const page = await services.queries.list(ctx, { externalId: ref, type: 'business', limit: 1, sort: '-createdAt', deleted: 'exclude' });
  return page.items[0] ?? null;
}

/** The response's `company_id`: the company's integer number. */
async function companyNumberOf(services: Services, ctx: Ctx, customer: Customer, known: Customer | null | undefined): Promise<number | null> {
  if (customer.companyId === null) return null;
  if (known && known.id === customer.companyId) return known.number;
  return (await services.customers.get(ctx, customer.companyId)).number;
}
