import { Type, type TSchema } from '@sinclair/typebox';

/**
 * Seed 002's wire shapes. The request schema checks only the wire types and the required
 * fields; the limits (lengths, coordinate ranges) are the core's, checked against the core's
 * own CustomerWriteSchema once the body is mapped (see mapping.ts).
 */

const Optional = <T extends TSchema>(schema: T) => Type.Optional(Type.Union([schema, Type.Null()]));

/** A coordinate: the seed types it as a string holding a number; a JSON number is accepted too. */
const Coordinate = (description: string, example: string) =>
  Optional(Type.Union([Type.String(), Type.Number()], { description, examples: [example] }));

export const CreateCustomerBody = Type.Object(
  {
    name: Type.String({ description: "The customer's full name.", examples: ['Alice Johnson'] }),
    email: Type.String({ description: "The customer's email address.", examples: ['alice@example.com'] }),
    source: Type.String({ description: "Customer acquisition source (e.g., 'web', 'api', 'whatsapp').", examples: ['web'] }),
    whatsapp_number: Optional(Type.String({ description: "The customer's WhatsApp contact number.", examples: ['2348000000000'] })),
    ip: Optional(Type.String({ description: "The customer's IP address.", examples: ['192.168.1.1'] })),
    city: Optional(Type.String({ description: 'The city where the customer is located.', examples: ['Accra'] })),
    country: Optional(Type.String({ description: 'The country where the customer is located.', examples: ['Ghana'] })),
    location: Optional(Type.String({ description: 'A general location description.', examples: ['Spintex Road'] })),
    latitude: Coordinate('Geographical latitude, -90 to 90.', '5.6037'),
    longitude: Coordinate('Geographical longitude, -180 to 180.', '0.1870'),
    is_active: Optional(Type.Boolean({ description: 'Indicates if the customer account is active.', examples: [true] })),
    company_id: Optional(
      Type.String({ description: 'The externalId of a business customer of the same tenant (the company).', examples: ['CMP-A9B8'] }),
    ),
  },
  // Like a pydantic model's default: fields the seed does not define are ignored, not refused.
  { additionalProperties: true },
);

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

export const CustomerOut = Type.Object(
  {
    id: Type.Integer({ description: "The customer's per-tenant number." }),
    customer_id: Type.String({ format: 'uuid', description: "The customer's Patron id." }),
    name: Nullable(Type.String()),
    email: Nullable(Type.String()),
    source: Nullable(Type.String()),
    whatsapp_number: Nullable(Type.String()),
    ip: Nullable(Type.String()),
    city: Nullable(Type.String()),
    country: Nullable(Type.String()),
    location: Nullable(Type.String()),
    latitude: Nullable(Type.String()),
    longitude: Nullable(Type.String()),
    is_active: Type.Boolean(),
    company_id: Nullable(Type.Integer({ description: "The company's per-tenant number." })),
    organization_id: Type.Integer({ description: "The tenant's number." }),
    time_created: Type.String({ format: 'date-time' }),
    time_updated: Type.String({ format: 'date-time' }),
  },
  { additionalProperties: false },
);

export const ValidationErrorOut = Type.Object(
  {
    detail: Type.Array(
      Type.Object({
        type: Type.String(),
        loc: Type.Array(Type.Union([Type.String(), Type.Integer()])),
        msg: Type.String(),
        input: Type.Optional(Type.Unknown()),
        ctx: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
      }),
    ),
  },
  { description: 'FastAPI / pydantic v2 validation errors' },
);

export const HttpErrorOut = Type.Object({ detail: Type.String() }, { description: 'FastAPI HTTPException body' });
