import { sql } from 'kysely';
import type { Db } from '../../db/connect.js';
import type { Ctx } from '../context.js';
import { notFound, validationFailed } from '../errors.js';
import { toCustomer, toCustomerEvent, type CustomerRecord } from './customer.mapper.js';
import type { Customer, CustomerCategory, CustomerEvent, CustomerStatus, CustomerType } from './customer.model.js';
import { selectCustomers } from './customer.repository.js';
import { normalizeEmail, normalizeHandle, normalizePhone, phoneLookupKey } from './customer.rules.js';

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
  channel?: string;
  externalId?: string;
  companyNumber?: string;
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

export class CustomerQueries {
  constructor(private readonly db: Db) {}

  async list(ctx: Ctx, query: ListCustomersQuery): Promise<Page<Customer>> {
    const column = query.sort.endsWith('createdAt') ? 'created_at' : 'updated_at';
    const descending = query.sort.startsWith('-');
    let q = selectCustomers(this.db, ctx.tenant.id);

    if (query.deleted === 'exclude') q = q.where('customers.deleted_at', 'is', null);
    if (query.deleted === 'only') q = q.where('customers.deleted_at', 'is not', null);
    if (query.status) q = q.where('customers.status', '=', query.status);
    if (query.activity === 'active') q = q.where('customers.deleted_at', 'is', null).where('customers.status', '=', 'active');
    if (query.activity === 'inactive') q = q.where((eb) => eb.or([eb('customers.deleted_at', 'is not', null), eb('customers.status', '!=', 'active')]));
    if (query.type) q = q.where('customers.type', '=', query.type);
    if (query.category) q = q.where('customers.category', '=', query.category);
    if (query.name !== undefined) q = q.where(sql<string>`lower(customers.name)`, 'like', `%${escapeLike(query.name.trim().toLowerCase())}%`);
    if (query.externalId !== undefined) q = q.where('customers.external_id', '=', query.externalId.trim());
    if (query.companyNumber !== undefined) q = q.where('customers.company_number', '=', query.companyNumber.trim());
    if (query.createdAfter) q = q.where('customers.created_at', '>', query.createdAfter);
    if (query.createdBefore) q = q.where('customers.created_at', '<', query.createdBefore);
    if (query.updatedAfter) q = q.where('customers.updated_at', '>', query.updatedAfter);
    if (query.updatedBefore) q = q.where('customers.updated_at', '<', query.updatedBefore);

    const channelMatches: { types: string[]; values: string[] }[] = [];
    if (query.email !== undefined) channelMatches.push({ types: ['email'], values: [query.email.trim().toLowerCase()] });
    if (query.phone !== undefined) {
      const phone = normalizePhone(query.phone, ctx.tenant.settings.defaultPhoneCountry);
      if (phone === null) throw validationFailed([{ field: 'phone', message: 'is not a phone number', code: 'invalid_phone' }]);
      channelMatches.push({ types: ['phone', 'whatsapp'], values: [phoneLookupKey(phone)] });
    }
    if (query.channel !== undefined) {
      const raw = query.channel;
      const phone = normalizePhone(raw, ctx.tenant.settings.defaultPhoneCountry);
      const candidates = [normalizeEmail(raw), phone && phoneLookupKey(phone), normalizeHandle(raw)];
      channelMatches.push({ types: [], values: [...new Set(candidates.filter((c): c is string => !!c))] });
    }
    for (const match of channelMatches) {
      q = q.where(({ exists, selectFrom }) =>
        exists(
          selectFrom('customer_channels as ch')
            .select('ch.id')
            .whereRef('ch.tenant_id', '=', 'customers.tenant_id')
            .whereRef('ch.customer_id', '=', 'customers.id')
            .where('ch.normalized', 'in', match.values)
            .$if(match.types.length > 0, (sq) => sq.where('ch.type', 'in', match.types as never[])),
        ),
      );
    }

    if (query.cursor) {
      const c = decodeCursor<CustomerCursor>(query.cursor, (c) => c.s === query.sort && typeof c.v === 'string' && !Number.isNaN(Date.parse(c.v)) && UUID.test(c.id));
      const at = new Date(c.v);
      // Keyset pagination on (timestamp, id): the id breaks ties between rows written in the
      // same millisecond, so no row is skipped or repeated between pages.
      q = q.where((eb) =>
        eb.or([
          eb(`customers.${column}`, descending ? '<' : '>', at),
          eb.and([eb(`customers.${column}`, '=', at), eb('customers.id', descending ? '<' : '>', c.id)]),
        ]),
      );
    }
    const direction = descending ? 'desc' : 'asc';
    const rows = (await q
      .orderBy(`customers.${column}`, direction)
      .orderBy('customers.id', direction)
      .limit(query.limit + 1)
      .$if(query.offset !== undefined && query.offset > 0, (qb) => qb.offset(query.offset!))
      .execute()) as CustomerRecord[];

    const hasMore = rows.length > query.limit;
    const items = rows.slice(0, query.limit);
    const last = items.at(-1);
    return {
      items: items.map(toCustomer),
      hasMore,
      nextCursor: hasMore && last && query.offset === undefined ? encodeCursor({ s: query.sort, v: last[column].toISOString(), id: last.id } satisfies CustomerCursor) : null,
    };
  }

  /** The customer's timeline, oldest first. Deleted and purged customers keep theirs. */
  async events(ctx: Ctx, customerId: string, page: { limit: number; cursor?: string }): Promise<Page<CustomerEvent>> {
    const exists = await this.db.selectFrom('customers').select('id').where('tenant_id', '=', ctx.tenant.id).where('id', '=', customerId).executeTakeFirst();
    if (!exists) throw notFound();
    let q = this.db
      .selectFrom('customer_events')
      .selectAll()
      .where('tenant_id', '=', ctx.tenant.id)
      .where('customer_id', '=', customerId);
    if (page.cursor) {
      const c = decodeCursor<{ after: string }>(page.cursor, (c) => typeof c.after === 'string' && UUID.test(c.after));
      q = q.where('id', '>', c.after);
    }
    // Event ids are UUIDv7: ordering by id is ordering by time of writing.
    const rows = await q.orderBy('id').limit(page.limit + 1).execute();
    const hasMore = rows.length > page.limit;
    const items = rows.slice(0, page.limit);
    return {
      items: items.map(toCustomerEvent),
      hasMore,
      nextCursor: hasMore ? encodeCursor({ after: items.at(-1)!.id }) : null,
    };
  }
}
