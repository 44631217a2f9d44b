import formbody from '@fastify/formbody';
import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError, validationFailed, type FieldError } from '../../core/errors.js';
import { isPlainObject } from '../../core/merge-patch.js';
import { CUSTOM_PREFIX } from './schemas.js';

/**
 * Seed 003's request bodies: multipart/form-data (fields only), x-www-form-urlencoded, or JSON,
 * all made one plain object of strings before the route's schema checks it, so the three
 * encodings of a request mean exactly the same thing.
 */

export const FORM_MEDIA_TYPES = ['multipart/form-data', 'application/x-www-form-urlencoded', 'application/json'];

/** Small on purpose: the longest value the seed sends is a timeline message (5,000 characters). */
const MULTIPART_LIMITS = { fieldNameSize: 100, fieldSize: 20_000, fields: 100, files: 0, parts: 100, headerPairs: 100 };

/** Registers the form parsers inside the surface's plugin only (nowhere else takes forms). */
export async function acceptForms(app: FastifyInstance) {
  await app.register(formbody);
  await app.register(multipart, { limits: MULTIPART_LIMITS });
  app.addHook('preValidation', async (request) => {
    if (request.routeOptions.schema?.body === undefined) return;
    request.body = request.isMultipart() ? await readMultipart(request) : normalize(request.body ?? {});
  });
}

async function readMultipart(request: FastifyRequest): Promise<Record<string, string>> {
  // What the seed's examples show (a JSON-looking body under multipart/form-data) has no parts to read.
  if (!/;\s*boundary=/i.test(request.headers['content-type'] ?? '')) {
    throw validationFailed([{ field: 'body', message: 'is multipart/form-data without a boundary: send the fields as parts (curl -F), or JSON as application/json', code: 'malformed' }]);
  }
  const limit = request.routeOptions.bodyLimit ?? Number.POSITIVE_INFINITY;
  const fields: Record<string, unknown> = {};
  let size = 0;
  try {
    for await (const part of request.parts()) {
      // With `files: 0` busboy never hands a file over; it raises FST_FILES_LIMIT instead.
      if (part.type !== 'field') continue;
      if (part.valueTruncated || part.fieldnameTruncated) throw new AppError('payload_too_large', `The field "${part.fieldname}" is too long.`);
      size += part.fieldname.length + String(part.value).length;
      if (size > limit) throw new AppError('payload_too_large', 'The request body is too large.');
      add(fields, part.fieldname, part.value);
    }
  } catch (err) {
    throw multipartError(err);
  }
  return normalize(fields);
}

function multipartError(err: unknown): unknown {
  if (err instanceof AppError) return err;
  const e = err as { code?: string; statusCode?: number };
  if (e.code === 'FST_FILES_LIMIT') return new AppError('unsupported_media_type', 'File uploads are not accepted: send form fields only.');
  if (e.statusCode === 413) return new AppError('payload_too_large', 'The request body has too many fields or parts.');
  return new AppError('validation_failed', 'The multipart/form-data body is malformed.', [{ field: 'body', message: 'is not valid multipart/form-data', code: 'malformed' }]);
}

/** A repeated field is kept as a list, so that normalize can refuse it by name. */
function add(fields: Record<string, unknown>, name: string, value: unknown) {
  if (!(name in fields)) fields[name] = value;
  else fields[name] = [...(Array.isArray(fields[name]) ? fields[name] : [fields[name]]), value];
}

/**
 * Strings stay as they are, numbers and booleans become their text (a JSON client sends
 * `"brand_id": 1`). An empty value, or a JSON `null`, is a field not sent — forms send their
 * empty inputs — except for `custom_<name>`, where it removes the custom field. A list or an
 * object is refused by name, and so is a field given twice.
 */
export function normalize(body: unknown): Record<string, string> {
  if (!isPlainObject(body)) throw validationFailed([{ field: 'body', message: 'must be a form or a JSON object of fields', code: 'type' }]);
  const out: Record<string, string> = {};
  const errors: FieldError[] = [];
  for (const [name, raw] of Object.entries(body)) {
    let value: string;
    if (raw === null || raw === undefined) value = '';
    else if (typeof raw === 'string') value = raw;
    else if (typeof raw === 'number' || typeof raw === 'boolean') value = String(raw);
    else {
      errors.push(Array.isArray(raw) ? { field: name, message: 'is given more than once', code: 'repeated' } : { field: name, message: 'must be text, a number or a boolean', code: 'type' });
      continue;
    }
    if (value === '' && !name.startsWith(CUSTOM_PREFIX)) continue;
    out[name] = value;
  }
  if (errors.length > 0) throw validationFailed(errors);
  return out;
}
