import { sql, type ExpressionBuilder, type SelectQueryBuilder } from 'kysely';
import type { Db } from '../../db/connect.js';
import type { Database } from '../../db/database.js';
import { precompiledShapes } from '../../db/precompiled.js';
import type { Ctx } from '../context.js';
import type { CustomFieldService } from '../custom-fields/custom-field.service.js';
import { notFound, validationFailed } from '../errors.js';
import { toCustomer, toCustomerEvent, toCustomerWithChannels, type CustomerRecord, type CustomerWithChannels } from './customer.mapper.js';
import type { Customer, CustomerCategory, CustomerEvent, CustomerStatus, CustomerType } from './customer.model.js';
import { selectCustomers, toRecord, type SelectedCustomer } from './customer.repository.js';
import { resolveChannelType } from './channel-types.js';
import { channelLookupKeys, normalizePhone, phoneLookupKey } from './customer.rules.js';

/** Read-side queries: lists with filters and keyset pagination, and the timeline. */

export const SORTS = ['createdAt', '-createdAt', 'updatedAt', '-updatedAt'] as const;
export type Sort = (typeof SORTS)[number];

export interface ListCustomersQuery {
  limit: number;
  cursor?: string;
  /** Offset paging, for the vendor surfaces whose clients page that way; not combined with a cursor. */
  offset?: number;
  sort: Sort;
  status?: CustomerStatus;
  type?: CustomerType;
  category?: CustomerCategory;
  /** Case-insensitive substring of the name. */
  name?: string;
  email?: string;
  phone?: string;
  /** Any channel value, written in any form its type accepts (see channelLookupKeys). */
  channel?: string;
  /** With `channel`: only channels of this type, named as channel-types.ts allows (`telephone`, `twitter`, `4`, …). */
  channelType?: string | number;
  externalId?: string;
  companyNumber?: string;
  /** The per-tenant customer number (seed 003's integer ids). */
  number?: number;
  /**
   * Free text: customers whose name contains it (case-insensitive), whose externalId is it,
   * or who have a channel with this value (seed 003's `search`).
   */
  search?: string;
  brandId?: number;
  /** Custom field name → value, all of them matched; see CustomFieldService.filters for how values compare. */
  customFields?: Record<string, string>;
  createdAfter?: Date;
  createdBefore?: Date;
  updatedAfter?: Date;
  updatedBefore?: Date;
  deleted: 'exclude' | 'include' | 'only';
  /**
   * `active`: live (not deleted) with status active; `inactive`: everything else — deleted,
   * or any other status. The two-valued view some vendors' APIs show (seed 004).
   */
  activity?: 'active' | 'inactive';
}

/** The filters of a list, without its order and paging. */
export type ListFilters = Omit<ListCustomersQuery, 'limit' | 'cursor' | 'offset' | 'sort'>;

export interface Page<T> {
  items: T[];
  hasMore: boolean;
  nextCursor: string | null;
}

interface CustomerCursor {
  s: Sort;
  v: string;
  id: string;
}

function encodeCursor(cursor: object): string {
  return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

function decodeCursor<T>(raw: string, valid: (c: T) => boolean): T {
  try {
    const parsed = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as T;
    if (valid(parsed)) return parsed;
  } catch {
    // fall through to the error below
  }
  throw validationFailed([{ field: 'cursor', message: 'is not a cursor this list returned (or was issued for another sort order)', code: 'invalid_cursor' }]);
}

function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (c) => `\\${c}`);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type CustomerQuery = SelectQueryBuilder<Database, 'customers', any>;

/**
 * One filter of a list. `key` names its form (the column, how many values) and so, with the
 * other keys, the statement's text; `values` are its parameters, constants included (every
 * bound value must be one); `where` adds it to a query, given one placeholder per value (of
 * any type: they stand for the values). A list is built by Kysely once per combination of
 * keys (precompiledShapes), not on every request.
 */
interface Condition {
  key: string;
  values: unknown[];
  where(q: CustomerQuery, placeholders: any[]): CustomerQuery;
}

/** The customer's channels having one of `values` (of one of `types`, with `label`, when given). */
function channelsMatching(eb: ExpressionBuilder<Database, 'customers'>, values: unknown[], types: unknown[] = [], label?: unknown) {
  let q = eb
    .selectFrom('customer_channels as ch')
    .select('ch.id')
    .whereRef('ch.tenant_id', '=', 'customers.tenant_id')
    .whereRef('ch.customer_id', '=', 'customers.id')
    .where('ch.normalized', 'in', values as string[]);
  if (types.length > 0) q = q.where('ch.type', 'in', types as never[]);
  if (label !== undefined) q = q.where('ch.label', '=', label as string);
  return q;
}

interface PageShape {
  conditions: Condition[];
  column: 'created_at' | 'updated_at';
  direction: 'asc' | 'desc';
  offset: boolean;
}

/** Adds the conditions to `q`, each with its placeholders, from p[1] on; returns the index of the next placeholder. */
function withConditions(q: CustomerQuery, conditions: Condition[], p: unknown[]): [CustomerQuery, number] {
  let i = 1;
  for (const c of conditions) q = c.where(q, p.slice(i, (i += c.values.length)));
  return [q, i];
}

// Arguments: the tenant, every condition's values in order, then the limit (and the offset).
const pageStatement = precompiledShapes((db: Db, shape: PageShape, p: unknown[]) => {
  let [q, i] = withConditions(selectCustomers(db, p[0] as string), shape.conditions, p);
  q = q.orderBy(`customers.${shape.column}`, shape.direction).orderBy('customers.id', shape.direction).limit(p[i++] as number);
  return shape.offset ? q.offset(p[i] as number) : q;
});

// Arguments: the tenant, then every condition's values in order.
const countStatement = precompiledShapes((db: Db, conditions: Condition[], p: unknown[]) => {
  const [q] = withConditions(db.selectFrom('customers').where('customers.tenant_id', '=', p[0] as string), conditions, p);
  return q.select((eb) => eb.fn.countAll<string>().as('n'));
});

export class CustomerQueries {
  constructor(
    private readonly db: Db,
    private readonly customFields: CustomFieldService,
  ) {}

  async list(ctx: Ctx, query: ListCustomersQuery): Promise<Page<Customer>> {
    return this.page(ctx, query, toCustomer);
  }

  /** A list whose customers also carry their channel records (ids included). */
  async listWithChannels(ctx: Ctx, query: ListCustomersQuery): Promise<Page<CustomerWithChannels>> {
    return this.page(ctx, query, toCustomerWithChannels);
  }

  /**
   * The live customers having a channel with this value, written in any form its type accepts
   * (of `channelType` only, when given: Patron's or seed 003's names and numbers), oldest first,
   * at most `limit` (100). Other list filters (`brandId`, …) narrow it further.
   */
  async findByChannel(ctx: Ctx, value: string, options: Partial<Omit<ListCustomersQuery, 'channel' | 'cursor'>> = {}): Promise<CustomerWithChannels[]> {
    const page = await this.page(ctx, { limit: 100, sort: 'createdAt', deleted: 'exclude', ...options, channel: value }, toCustomerWithChannels);
    return page.items;
  }

  /** How many customers match the filters, whatever the paging (seed 003's `itemTotal`). */
  async count(ctx: Ctx, query: ListFilters): Promise<number> {
    const conditions = await this.conditions(ctx, query);
    const key = ['count', ...conditions.map((c) => c.key)].join('|');
    const [row] = await countStatement(this.db, key, conditions, [ctx.tenant.id, ...conditions.flatMap((c) => c.values)]);
    return Number(row!.n);
  }

  private async page<T>(ctx: Ctx, query: ListCustomersQuery, map: (record: CustomerRecord) => T): Promise<Page<T>> {
    const column = query.sort.endsWith('createdAt') ? 'created_at' : 'updated_at';
    const descending = query.sort.startsWith('-');
    const conditions = await this.conditions(ctx, query);
    if (query.cursor) {
      const c = decodeCursor<CustomerCursor>(query.cursor, (c) => c.s === query.sort && typeof c.v === 'string' && !Number.isNaN(Date.parse(c.v)) && UUID.test(c.id));
      const at = new Date(c.v);
      const after = descending ? '<' : '>';
      // Keyset pagination on (timestamp, id): the id breaks ties between rows written in the
      // same millisecond, so no row is skipped or repeated between pages.
      conditions.push({
        key: 'after',
        values: [at, at, c.id],
        where: (q, [at1, at2, id]) =>
          q.where((eb) => eb.or([eb(`customers.${column}`, after, at1), eb.and([eb(`customers.${column}`, '=', at2), eb('customers.id', after, id)])])),
      });
    }
    const offset = query.offset !== undefined && query.offset > 0 ? query.offset : undefined;
    const key = ['page', query.sort, offset === undefined ? '' : 'offset', ...conditions.map((c) => c.key)].join('|');
    const args = [ctx.tenant.id, ...conditions.flatMap((c) => c.values), query.limit + 1, ...(offset === undefined ? [] : [offset])];
    const rows = (await pageStatement(this.db, key, { conditions, column, direction: descending ? 'desc' : 'asc', offset: offset !== undefined }, args)) as SelectedCustomer[];

    const hasMore = rows.length > query.limit;
    const items = rows.slice(0, query.limit).map(toRecord);
    const last = items.at(-1);
    return {
      items: items.map(map),
      hasMore,
      nextCursor: hasMore && last && query.offset === undefined ? encodeCursor({ s: query.sort, v: last[column].toISOString(), id: last.id } satisfies CustomerCursor) : null,
    };
  }

  /** Every filter of the query, in a fixed order (see Condition). */
  private async conditions(ctx: Ctx, query: ListFilters): Promise<Condition[]> {
    const out: Condition[] = [];
    const add = (key: string, values: unknown[], where: Condition['where']) => out.push({ key, values, where });

    if (query.deleted === 'exclude') add('live', [], (q) => q.where('customers.deleted_at', 'is', null));
    if (query.deleted === 'only') add('deleted', [], (q) => q.where('customers.deleted_at', 'is not', null));
    if (query.status) add('status', [query.status], (q, [v]) => q.where('customers.status', '=', v));
    if (query.activity === 'active') add('active', ['active'], (q, [active]) => q.where('customers.deleted_at', 'is', null).where('customers.status', '=', active));
    if (query.activity === 'inactive') add('inactive', ['active'], (q, [active]) => q.where((eb) => eb.or([eb('customers.deleted_at', 'is not', null), eb('customers.status', '!=', active)])));
    if (query.type) add('type', [query.type], (q, [v]) => q.where('customers.type', '=', v));
    if (query.category) add('category', [query.category], (q, [v]) => q.where('customers.category', '=', v));
    if (query.name !== undefined) add('name', [`%${escapeLike(query.name.trim().toLowerCase())}%`], (q, [v]) => q.where(sql<string>`lower(customers.name)`, 'like', v));
    if (query.externalId !== undefined) add('externalId', [query.externalId.trim()], (q, [v]) => q.where('customers.external_id', '=', v));
    if (query.companyNumber !== undefined) add('companyNumber', [query.companyNumber.trim()], (q, [v]) => q.where('customers.company_number', '=', v));
    if (query.brandId !== undefined) add('brandId', [query.brandId], (q, [v]) => q.where('customers.brand_id', '=', v));
    if (query.number !== undefined) add('number', [query.number], (q, [v]) => q.where('customers.number', '=', v));
    if (query.search !== undefined) {
      const text = query.search.trim();
      const keys = channelLookupKeys(text, ctx.tenant.settings);
      add(`search:${keys.length}`, [`%${escapeLike(text.toLowerCase())}%`, text, ...keys], (q, [pattern, exact, ...keys]) =>
        q.where((eb) =>
          eb.or([
            eb(sql<string>`lower(customers.name)`, 'like', pattern),
            eb('customers.external_id', '=', exact),
            ...(keys.length > 0 ? [eb.exists(channelsMatching(eb, keys))] : []),
          ]),
        ),
      );
    }
    if (query.customFields && Object.keys(query.customFields).length > 0) {
      // The name is a bound parameter like the value (and was checked against the name pattern).
      for (const filter of await this.customFields.filters(ctx, query.customFields)) {
        if ('json' in filter) add('custom:json', [filter.name, filter.json], (q, [name, json]) => q.where(sql<boolean>`customers.custom_fields -> ${name}::text = ${json}::jsonb`));
        else add('custom:text', [filter.name, filter.text], (q, [name, text]) => q.where(sql<boolean>`customers.custom_fields ->> ${name}::text = ${text}`));
      }
    }
    if (query.createdAfter) add('createdAfter', [query.createdAfter], (q, [v]) => q.where('customers.created_at', '>', v));
    if (query.createdBefore) add('createdBefore', [query.createdBefore], (q, [v]) => q.where('customers.created_at', '<', v));
    if (query.updatedAfter) add('updatedAfter', [query.updatedAfter], (q, [v]) => q.where('customers.updated_at', '>', v));
    if (query.updatedBefore) add('updatedBefore', [query.updatedBefore], (q, [v]) => q.where('customers.updated_at', '<', v));

    const channelMatches: { types: string[]; label?: string; values: string[] }[] = [];
    if (query.email !== undefined) channelMatches.push({ types: ['email'], values: [query.email.trim().toLowerCase()] });
    if (query.phone !== undefined) {
      const phone = normalizePhone(query.phone, ctx.tenant.settings.defaultPhoneCountry);
      if (phone === null) throw validationFailed([{ field: 'phone', message: 'is not a phone number', code: 'invalid_phone' }]);
      channelMatches.push({ types: ['phone', 'whatsapp'], values: [phoneLookupKey(phone)] });
    }
    if (query.channel !== undefined) {
      // `handle` alone: a handle on any network.
      const kind = query.channelType === undefined ? undefined : query.channelType === 'handle' ? { type: 'handle' as const, label: '' } : resolveChannelType(query.channelType, null, 'channelType');
      const values = channelLookupKeys(query.channel, ctx.tenant.settings, kind?.type);
      if (kind && values.length === 0) throw validationFailed([{ field: 'channel', message: `is not a valid ${kind.label || kind.type} value`, code: 'invalid' }]);
      channelMatches.push({ types: kind ? [kind.type] : [], label: kind?.label || undefined, values });
    } else if (query.channelType !== undefined) {
      throw validationFailed([{ field: 'channelType', message: 'needs `channel`', code: 'invalid' }]);
    }
    for (const { values, types, label } of channelMatches) {
      if (values.length === 0) {
        add('nothing', [], (q) => q.where(sql<boolean>`false`));
        continue;
      }
      const labels = label === undefined ? [] : [label];
      add(`channel:${values.length}:${types.length}:${labels.length}`, [...values, ...types, ...labels], (q, v) =>
        q.where((eb) => eb.exists(channelsMatching(eb, v.slice(0, values.length), v.slice(values.length, values.length + types.length), v[values.length + types.length]))),
      );
    }
    return out;
  }
  /**
   * The customer's timeline, in the order written (system and external events together; an
   * external event's `occurredAt` is as its client gave it). `type`: only events whose type
   * starts with it (`external.`, `customer.channel_`). Deleted and purged customers keep theirs.
   */
  async events(ctx: Ctx, customerId: string, page: { limit: number; cursor?: string; offset?: number; type?: string }): Promise<Page<CustomerEvent>> {
    let q = await this.eventsOf(ctx, customerId, page.type);
    if (page.cursor) {
      const c = decodeCursor<{ after: string }>(page.cursor, (c) => typeof c.after === 'string' && UUID.test(c.after));
      q = q.where('id', '>', c.after);
    }
    // Event ids are UUIDv7: ordering by id is ordering by time of writing.
    const rows = await q
      .orderBy('id')
      .limit(page.limit + 1)
      .$if(page.offset !== undefined && page.offset > 0, (qb) => qb.offset(page.offset!))
      .execute();
    const hasMore = rows.length > page.limit;
    const items = rows.slice(0, page.limit);
    return {
      items: items.map(toCustomerEvent),
      hasMore,
      nextCursor: hasMore && page.offset === undefined ? encodeCursor({ after: items.at(-1)!.id }) : null,
    };
  }

  /** How many events the customer's timeline holds (of `type` only, as in `events`). */
  async countEvents(ctx: Ctx, customerId: string, type?: string): Promise<number> {
    const row = await (await this.eventsOf(ctx, customerId, type)).clearSelect().select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    return Number(row.n);
  }

  private async eventsOf(ctx: Ctx, customerId: string, type: string | undefined) {
    const exists = await this.db.selectFrom('customers').select('id').where('tenant_id', '=', ctx.tenant.id).where('id', '=', customerId).executeTakeFirst();
    if (!exists) throw notFound();
    return this.db
      .selectFrom('customer_events')
      .selectAll()
      .where('tenant_id', '=', ctx.tenant.id)
      .where('customer_id', '=', customerId)
      .$if(type !== undefined, (q) => q.where('type', 'like', `${escapeLike(type!)}%`));
  }
}
