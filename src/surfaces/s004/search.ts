import type { Ctx } from '../../core/context.js';
import type { CustomerQueries, ListCustomersQuery } from '../../core/customers/customer.queries.js';
import { validationFailed } from '../../core/errors.js';
import { CATEGORY_OF, toCustomerResponse } from './mapping.js';
import { MAX_RESULT_WINDOW, type CustomerResponse, type SearchBody, type StatusName } from './schemas.js';

/** Seed 004's POST /customers/search over the core's list query. */

const MILLISECOND = 1;
const shift = (iso: string, ms: number) => new Date(Date.parse(iso) + ms);

/** One page of a search: one core list query (Status maps to the core's `activity` view). */
export async function searchCustomers(queries: CustomerQueries, ctx: Ctx, body: SearchBody) {
  const { Page: page, PageSize: size } = body;
  const offset = page * size;
  if (offset + size > MAX_RESULT_WINDOW) {
    throw validationFailed([{ field: 'Page', message: `(Page + 1) × PageSize must be at most ${MAX_RESULT_WINDOW}; narrow the filters to reach further`, code: 'maximum' }]);
  }
  let wanted = new Set<StatusName>(body.Statuses?.length ? body.Statuses : ['Active', 'Inactive']);
  if (body.Status) wanted = new Set([...wanted].filter((s) => s === body.Status));
  const empty = { Page: page, PageSize: size, HasMore: false, Items: [] as CustomerResponse[] };
  if (wanted.size === 0) return empty;

  const range = body.CreatedDateRange;
  const base: Omit<ListCustomersQuery, 'limit' | 'deleted'> = {
    sort: '-createdAt',
    ...(body.Type ? { category: CATEGORY_OF[body.Type] } : {}),
    name: body.Name,
    companyNumber: body.CompanyNumber,
    externalId: body.ExternalId,
    email: body.Email,
    phone: body.Phone,
    // The core's bounds are exclusive and its timestamps millisecond-exact.
    createdAfter: range?.Start ? shift(range.Start, -MILLISECOND) : undefined,
    createdBefore: range?.End ? shift(range.End, MILLISECOND) : undefined,
  };
  const activity = wanted.size === 2 ? undefined : wanted.has('Active') ? ('active' as const) : ('inactive' as const);
  const result = await queries.list(ctx, { ...base, deleted: 'include', ...(activity ? { activity } : {}), limit: size, offset });
  return { ...empty, HasMore: result.hasMore, Items: result.items.map(toCustomerResponse) };
}
