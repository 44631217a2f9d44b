import type { Db } from '../../db/connect.js';
import type { Ctx } from '../context.js';
import { AppError, assertWritable, notFound, validationFailed, type FieldError } from '../errors.js';
import { toCustomerEvent, toTicketLink } from './customer.mapper.js';
import { EVENT_TYPE_PATTERN, TIMELINE_LIMITS, type CustomerEvent, type ExternalEventInput, type TicketLink } from './customer.model.js';
import { customerExists, deleteTicket, holdCustomer, insertEvents, insertTicket, selectTickets, type Executor } from './customer.repository.js';

/**
 * What clients add to a customer's timeline beside changing the customer: external events
 * (an order, a marketing mail) and links to helpdesk tickets. Neither changes the customer, so
 * neither bumps its version or needs If-Match; each is recorded as an event. A deleted
 * customer accepts them (its history goes on: a late order, a ticket about the deletion); a
 * purged one refuses them (409 customer_purged), since they would be new personal data.
 */

const EVENT_TYPE = new RegExp(EVENT_TYPE_PATTERN);
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

/** A ticket id as stored: trimmed, 1–100 characters, no control characters. */
export function ticketIdOf(raw: string | number, field = 'ticketId'): string {
  const id = String(raw).trim();
  if (id === '' || id.length > TIMELINE_LIMITS.ticketId || CONTROL.test(id)) {
    throw validationFailed([{ field, message: `must be 1–${TIMELINE_LIMITS.ticketId} characters, without control characters`, code: 'invalid' }]);
  }
  return id;
}

function checkExternalEvent(input: ExternalEventInput): { type: string; details: { initiatedBy: string; message: string; sourceUrl: string | null }; at: Date } {
  const errors: FieldError[] = [];
  const fail = (field: string, message: string, code = 'invalid') => errors.push({ field, message, code });
  if (!EVENT_TYPE.test(input.type)) fail('type', `must match ${EVENT_TYPE_PATTERN}`, 'pattern');
  const text = (field: 'initiatedBy' | 'message', value: string) => {
    const trimmed = value.trim();
    if (trimmed === '') fail(field, 'must not be blank', 'blank');
    else if (trimmed.length > TIMELINE_LIMITS[field]) fail(field, `must be at most ${TIMELINE_LIMITS[field]} characters`, 'too_long');
    return trimmed;
  };
  const initiatedBy = text('initiatedBy', input.initiatedBy);
  const message = text('message', input.message);
  let sourceUrl: string | null = null;
  if (input.sourceUrl !== undefined && input.sourceUrl !== null) {
    sourceUrl = input.sourceUrl.trim();
    let url: URL | null = null;
    try {
      url = new URL(sourceUrl);
    } catch {
      // reported below
    }
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || !url.hostname) fail('sourceUrl', 'must be an absolute http(s) URL', 'invalid_url');
    else if (sourceUrl.length > TIMELINE_LIMITS.sourceUrl) fail('sourceUrl', `must be at most ${TIMELINE_LIMITS.sourceUrl} characters`, 'too_long');
  }
  const at = input.occurredAt === undefined ? new Date() : new Date(input.occurredAt);
  if (Number.isNaN(at.getTime())) fail('occurredAt', 'must be an ISO 8601 date-time', 'format');
  if (errors.length > 0) throw validationFailed(errors);
  return { type: `external.${input.type}`, details: { initiatedBy, message, sourceUrl }, at };
}

export class TimelineService {
  constructor(private readonly db: Db) {}

  /** Appends an external event (stored as `external.<type>`, so it can never pose as a system event). */
  async appendEvent(ctx: Ctx, customerId: string, input: ExternalEventInput): Promise<CustomerEvent> {
    const event = checkExternalEvent(input);
    return this.write(ctx, customerId, async (trx) => {
      const [row] = await insertEvents(trx, ctx.tenant.id, customerId, [{ type: event.type, actor: ctx.actor, changes: {}, details: event.details, at: event.at }]);
      return toCustomerEvent(row!);
    });
  }

  /** Links the customer to a ticket; linking it again changes nothing (`created: false`, the existing link). */
  async linkTicket(ctx: Ctx, customerId: string, rawTicketId: string | number): Promise<{ link: TicketLink; created: boolean }> {
    const ticketId = ticketIdOf(rawTicketId);
    return this.write(ctx, customerId, async (trx) => {
      const at = new Date();
      const inserted = await insertTicket(trx, ctx.tenant.id, customerId, ticketId, at);
      if (!inserted) return { link: toTicketLink((await selectTickets(trx, ctx.tenant.id, customerId, ticketId))[0]!), created: false };
      await insertEvents(trx, ctx.tenant.id, customerId, [{ type: 'customer.ticket_linked', actor: ctx.actor, changes: {}, details: { ticketId }, at }]);
      return { link: toTicketLink(inserted), created: true };
    });
  }

  async unlinkTicket(ctx: Ctx, customerId: string, rawTicketId: string | number): Promise<void> {
    const ticketId = ticketIdOf(rawTicketId);
    await this.write(ctx, customerId, async (trx) => {
      if (!(await deleteTicket(trx, ctx.tenant.id, customerId, ticketId))) throw notFound('Ticket link');
      await insertEvents(trx, ctx.tenant.id, customerId, [{ type: 'customer.ticket_unlinked', actor: ctx.actor, changes: {}, details: { ticketId }, at: new Date() }]);
    });
  }

  /**
   * The customer's ticket history: the tickets it is linked to, oldest link first (what seed
   * 003's timeline returns with its ticket flag). Unlinked tickets are on the timeline
   * (`customer.ticket_unlinked`), not here.
   */
  async tickets(ctx: Ctx, customerId: string): Promise<TicketLink[]> {
    if (!(await customerExists(this.db, ctx.tenant.id, customerId))) throw notFound();
    return (await selectTickets(this.db, ctx.tenant.id, customerId)).map(toTicketLink);
  }

  /** Records something Patron did for a customer without changing it (a CRM look-up's outcome). */
  async recordSystemEvent(ctx: Ctx, customerId: string, type: `customer.${string}`, details: Record<string, unknown>): Promise<void> {
    await this.write(ctx, customerId, (trx) => insertEvents(trx, ctx.tenant.id, customerId, [{ type, actor: ctx.actor, changes: {}, details, at: new Date() }]));
  }

  private async write<T>(ctx: Ctx, customerId: string, change: (trx: Executor) => Promise<T>): Promise<T> {
    assertWritable(ctx.tenant.settings);
    return this.db.transaction().execute(async (trx) => {
      const customer = await holdCustomer(trx, ctx.tenant.id, customerId);
      if (!customer) throw notFound();
      if (customer.purged_at) throw new AppError('customer_purged', 'The customer has been purged; nothing can be added to it.');
      return change(trx);
    });
  }
}
