import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import type { BrandService } from '../brands/brand.service.js';
import type { Brand } from '../brands/brand.model.js';
import type { Ctx } from '../context.js';
import type { CustomerQueries } from '../customers/customer.queries.js';
import type { CustomerService } from '../customers/customer.service.js';
import type { Customer, CustomerWrite } from '../customers/customer.model.js';
import { resolveChannelType, type ChannelKind } from '../customers/channel-types.js';
import type { TimelineService } from '../customers/timeline.service.js';
import { AppError, notFound, validationFailed, type FieldError } from '../errors.js';
import type { SafeFetch, SafeFetchResult } from '../outbound/safe-fetch.js';

/**
 * CRM look-up (seed 003's `syncWithCRM`): a brand may name a CRM URL that knows its customers.
 * Patron asks it `GET <url>?channel=…&address=…&brandId=…` and creates or updates the customer
 * from the answer. The CRM is a stranger's server: its answer is validated like any client's
 * input, the call goes through the SSRF-safe client (outbound/safe-fetch.ts), and a CRM that
 * fails in any way changes nothing and is reported as 502 / 504 with the reason.
 */

/** What a CRM answers with (200): a subset of the /v1 customer fields. Unknown members are ignored. */
export const CrmAnswerSchema = Type.Object({
  externalId: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  name: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  firstName: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  lastName: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  email: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  phone: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  customFields: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
});
type CrmAnswer = Static<typeof CrmAnswerSchema>;

export interface CrmLookup {
  brandId: number;
  /** The channel the address belongs to: a channel type (`email`, `telephone`, 3, …) or `phoneNumber`. */
  channel: string;
  address: string;
}

export interface CrmSyncResult {
  customer: Customer;
  created: boolean;
  /** How the customer was found: by the externalId the CRM gave, by the channel value, or not at all (created). */
  matchedBy: 'externalId' | 'channel' | null;
}

/** Seed 003's example sends `phoneNumber`; these spellings name the phone channel too. */
const PHONE_ALIASES = new Set(['phone', 'phonenumber', 'phone_number', 'mobile']);
const MAX_ADDRESS = 320;

const crmError = (code: 'crm_unavailable' | 'crm_timeout' | 'crm_bad_response', brand: Brand, reason: string, errors: FieldError[] = []) =>
  new AppError(code, `The CRM of brand ${brand.id} ${reason}`, errors, { brandId: brand.id });

export class CrmService {
  constructor(
    private readonly customers: CustomerService,
    private readonly queries: CustomerQueries,
    private readonly brands: BrandService,
    private readonly timeline: TimelineService,
    private readonly fetch: SafeFetch,
  ) {}

  /** Looks the channel address up in the brand's CRM and creates or updates the customer from its answer. */
  async sync(ctx: Ctx, lookup: CrmLookup): Promise<CrmSyncResult> {
    const kind = channelKindOf(lookup.channel);
    const address = lookup.address.trim();
    if (address === '' || address.length > MAX_ADDRESS) throw validationFailed([{ field: 'address', message: `must be 1–${MAX_ADDRESS} characters`, code: 'invalid' }]);
    const brand = await this.brands.get(ctx, lookup.brandId);
    if (!brand.crmLookupUrl) throw new AppError('crm_not_configured', `Brand ${brand.id} has no CRM look-up URL; set one with PATCH /admin/v1/tenants/{tenantId}/brands/${brand.id}.`);
    const answer = await this.ask(brand, brand.crmLookupUrl, lookup.channel.trim(), address);
    const result = await this.apply(ctx, brand, kind, address, answer);
    await this.timeline.recordSystemEvent(ctx, result.customer.id, 'customer.crm_synced', { brandId: brand.id, created: result.created, matchedBy: result.matchedBy });
    return result;
  }

  /**
   * After a create through a brand with a CRM (unless the client said noSync): looks the new
   * customer's e-mail (else phone) up. Best effort: the create has already succeeded, so a
   * failure is recorded on the customer's timeline and never thrown.
   */
  async syncAfterCreate(ctx: Ctx, customer: Customer): Promise<void> {
    if (customer.brandId === null) return;
    const channel = customer.email ? 'email' : customer.phone ? 'telephone' : null;
    const address = customer.email ?? customer.phone;
    if (!channel || !address) return;
    try {
      const brand = await this.brands.get(ctx, customer.brandId);
      if (!brand.crmLookupUrl) return;
      await this.sync(ctx, { brandId: brand.id, channel, address });
    } catch (err) {
      const reason = err instanceof AppError ? { code: err.code, message: err.message } : { code: 'internal_error', message: 'The CRM look-up failed.' };
      await this.timeline.recordSystemEvent(ctx, customer.id, 'customer.crm_sync_failed', { brandId: customer.brandId, ...reason }).catch(() => {});
    }
  }

  /** The CRM's answer, validated; a 404 from the CRM is a 404 here. */
  private async ask(brand: Brand, base: string, channel: string, address: string): Promise<CrmAnswer> {
    let url: URL;
    try {
      url = new URL(base);
    } catch {
      throw crmError('crm_unavailable', brand, 'look-up URL is not a valid URL.');
    }
    url.searchParams.set('channel', channel);
    url.searchParams.set('address', address);
    url.searchParams.set('brandId', String(brand.id));
    const res: SafeFetchResult = await this.fetch(url, { headers: { accept: 'application/json' } });
    if (!res.ok) {
      if (res.kind === 'timeout') throw crmError('crm_timeout', brand, `did not answer in time: ${res.reason}.`);
      if (res.kind === 'too_large' || res.kind === 'redirect') throw crmError('crm_bad_response', brand, `answered unusably: ${res.reason}.`);
      throw crmError('crm_unavailable', brand, `could not be reached: ${res.reason}.`);
    }
    if (res.status === 404) throw notFound('CRM customer');
    if (res.status !== 200) throw crmError('crm_unavailable', brand, `answered HTTP ${res.status}.`);
    let body: unknown;
    try {
      body = JSON.parse(res.body);
    } catch {
      throw crmError('crm_bad_response', brand, 'answered with a body that is not JSON.');
    }
    if (!Value.Check(CrmAnswerSchema, body) || typeof body !== 'object' || body === null || Array.isArray(body)) {
      const errors = [...Value.Errors(CrmAnswerSchema, body)].slice(0, 10).map((e) => ({ field: e.path.slice(1).replaceAll('/', '.') || '(body)', message: e.message, code: 'invalid' }));
      throw crmError('crm_bad_response', brand, 'answered with a body that is not a customer object.', errors);
    }
    return body;
  }

  /** Creates or updates the customer the answer describes: matched by its externalId, else by the looked-up channel value. */
  private async apply(ctx: Ctx, brand: Brand, kind: ChannelKind, address: string, answer: CrmAnswer): Promise<CrmSyncResult> {
    const write: CustomerWrite = { brandId: brand.id };
    for (const key of ['externalId', 'name', 'firstName', 'lastName', 'email', 'phone', 'customFields'] as const) {
      if (answer[key] !== undefined) (write as Record<string, unknown>)[key] = answer[key];
    }
    // The looked-up address is the customer's too, when the CRM did not give that channel.
    const channels = [{ op: 'add' as const, type: kind.type, label: kind.label || undefined, value: address, replace: kind.type !== 'email' && kind.type !== 'phone' }];
    try {
      if (write.externalId) {
        const { customer, created } = await this.customers.upsertByExternalId(ctx, write.externalId, write, { channels });
        return { customer, created, matchedBy: created ? null : 'externalId' };
      }
      const matches = await this.queries.findByChannel(ctx, address, { brandId: brand.id, channelType: kind.label || kind.type });
      if (matches.length > 1) throw new AppError('duplicate', `${matches.length} customers of brand ${brand.id} have this ${kind.label || kind.type}; the CRM answer names no externalId to tell them apart.`);
      const match = matches[0];
      if (match) return { customer: await this.customers.update(ctx, match.id, write, { requireIfMatch: false, channels }), created: false, matchedBy: 'channel' };
      return { customer: await this.customers.create(ctx, write, { channels }), created: true, matchedBy: null };
    } catch (err) {
      // The CRM's data failing Patron's rules is the CRM's fault, not the caller's.
      if (err instanceof AppError && err.code === 'validation_failed') throw crmError('crm_bad_response', brand, 'answered with fields Patron refuses.', err.errors);
      throw err;
    }
  }
}

function channelKindOf(channel: string): ChannelKind {
  const name = channel.trim().toLowerCase();
  try {
    return resolveChannelType(PHONE_ALIASES.has(name) ? 'phone' : name, null, 'channel');
  } catch (err) {
    if (err instanceof AppError && /^[a-z][a-z0-9_]{0,31}$/.test(name)) return { type: 'handle', label: name };
    throw err;
  }
}
