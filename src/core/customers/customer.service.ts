
import { uuidv7 } from '../ids.js';
import type { Db } from '../../db/connect.js';
import { isUniqueViolation, violatedConstraint } from '../../db/errors.js';
import { findBrand } from '../brands/brand.repository.js';
import type { Ctx } from '../context.js';
import type { CustomFieldService } from '../custom-fields/custom-field.service.js';
import { AppError, assertWritable, duplicate, notFound, validationFailed } from '../errors.js';
import { applyChannelOp, type ChannelIds, type ChannelOp, type ChannelRef } from './channels.js';
import { channelKey, channelsFromState, columnsFromState, planChannels, stateFromRecord, toChannel, toCustomer, type CustomerRecord } from './customer.mapper.js';
import type { Channel, ChannelCreate, ChannelUpdate, Customer, CustomerWrite } from './customer.model.js';
import { deleteAccounts, deleteStoredResponses, deleteTickets, findCompany, findCustomer, findCustomerByExternalId, findCustomerIdBy, findCustomerIdByNameAndPostalCode, insertCustomer, lockCustomer, redactEvents, updateCustomer, type Executor, type NewEvent } from './customer.repository.js';
import { ticketIdOf } from './timeline.service.js';
import { diffStates, normalizeState, stateForCreate, stateForPatch, type CustomerState } from './customer.rules.js';
import type { NumberAllocator } from './numbers.js';

/** A parsed If-Match: the versions the client will accept, or `*` (any current version). */
export type IfMatch = number[] | '*';

export interface WriteOptions {
  ifMatch?: IfMatch;
  /** Refuse the write without If-Match (428). Defaults to the tenant's `requireIfMatch` setting. */
  requireIfMatch?: boolean;
  /** Also refuse a second customer with the same name and billing postal code (seed 004's rule). */
  uniqueNameAndPostalCode?: boolean;
}

export interface CreateOptions extends Pick<WriteOptions, 'uniqueNameAndPostalCode'> {
  /** Create the customer already deleted (seed 001 lets a client create one with status "deleted"). */
  deleted?: boolean;
  /** Channels to add on top of the input's fields (`add` operations only; errors name `channels.N.*`). */
  channels?: ChannelOp[];
  /** Ticket ids to link the new customer to, in the same statement (seed 003's `ticket_id`). */
  tickets?: string[];
}

export interface UpdateOptions extends WriteOptions {
  /** Channel operations applied after the patch, in the same write (seed 003's `customerChannelType_N`). */
  channels?: ChannelOp[];
}

/** One change of a customer's state, recorded as one event: a merge patch or a channel operation. */
interface Step {
  apply(state: CustomerState, ids: ChannelIds): { state: CustomerState; event: string; target?: ChannelRef | null; removedId?: string | null; created?: boolean };
}

interface StepResult {
  /** The channel the step left behind (channel operations), as stored after the write. */
  channel: Channel | null;
  created: boolean;
}

const UNIQUE_FIELDS: Record<string, { field: 'externalId' | 'companyNumber'; column: 'external_id' | 'company_number' }> = {
  customers_external_id_key: { field: 'externalId', column: 'external_id' },
  customers_company_number_key: { field: 'companyNumber', column: 'company_number' },
};

export class CustomerService {
  constructor(
    private readonly db: Db,
    private readonly numbers: NumberAllocator,
    private readonly customFields: CustomFieldService,
  ) {}

  async create(ctx: Ctx, input: CustomerWrite, options: CreateOptions = {}): Promise<Customer> {
    assertWritable(ctx.tenant.settings);
    let state = await this.normalize(this.db, ctx, null, stateForCreate(input));
    if (options.channels?.length) {
      const ops = options.channels;
      ops.forEach((op, i) => {
        if (op.op !== 'add') throw validationFailed([{ field: `channels.${i}`, message: 'a new customer’s channels can only be added', code: 'invalid' }]);
        state = applyChannelOp(state, new Map(), op, ctx.tenant.settings, `channels.${i}.`).state;
      });
      state = await this.normalize(this.db, ctx, null, state);
    }
    const tickets = [...new Set((options.tickets ?? []).map((t, i) => ticketIdOf(t, `tickets.${i}`)))];
    await this.assertConsistent(this.db, ctx, null, state, null, options);
    // Taken outside the write: see numbers.ts.
    const number = await this.numbers.next(ctx.tenant.id);
    const id = uuidv7();
    const now = new Date();
    const events: NewEvent[] = [{ type: 'customer.created', actor: ctx.actor, changes: diffStates(null, state), at: now }];
    for (const ticketId of tickets) events.push({ type: 'customer.ticket_linked', actor: ctx.actor, changes: {}, details: { ticketId }, at: now });
    if (options.deleted) events.push({ type: 'customer.deleted', actor: ctx.actor, changes: { deletedAt: { from: null, to: now.toISOString() } }, at: now });
    // One statement writes the customer, its channels and its events: no transaction needed.
    const record = await this.translateConflicts(ctx, () =>
      guardUnique(state, () =>
        insertCustomer(
          this.db,
          ctx.tenant.id,
          { id, number, ...columnsFromState(state), version: 1, created_at: now, updated_at: now, deleted_at: options.deleted ? now : null },
          channelsFromState(state),
          events,
          tickets.map((ticketId) => ({ ticketId, at: now })),
        ),
      ),
    );
    return toCustomer(record);
  }

  async get(ctx: Ctx, id: string): Promise<Customer> {
    const record = await findCustomer(this.db, ctx.tenant.id, id);
    if (!record) throw notFound();
    return toCustomer(record);
  }

  async getByExternalId(ctx: Ctx, externalId: string): Promise<Customer> {
    const record = await findCustomerByExternalId(this.db, ctx.tenant.id, externalId.trim());
    if (!record) throw notFound();
    return toCustomer(record);
  }

  /** Applies an RFC 7396 merge patch (then `options.channels`, if any) to a live (not deleted) customer. */
  async update(ctx: Ctx, id: string, patch: CustomerWrite, options: UpdateOptions = {}): Promise<Customer> {
    return this.mutate(ctx, id, options, async (trx, record) => {
      assertLive(record);
      return (await this.writeSteps(trx, ctx, record, stepsOf(ctx, patch, options.channels), options)).customer;
    });
  }

  /** The customer's channels, in order, with the customer (for its ETag). */
  async channels(ctx: Ctx, id: string): Promise<{ customer: Customer; channels: Channel[] }> {
    const record = await findCustomer(this.db, ctx.tenant.id, id);
    if (!record) throw notFound();
    return { customer: toCustomer(record), channels: record.channels.map((c) => toChannel(record.id, c)) };
  }

  /**
   * Adds a channel to a live customer: a change of its email / phone / whatsapp / handles
   * fields, written like a PATCH of them. A value it already has is not added again
   * (`created: false`, only `primary` applied).
   */
  async addChannel(ctx: Ctx, id: string, input: ChannelCreate & { replace?: boolean }, options: WriteOptions = {}): Promise<{ customer: Customer; channel: Channel; created: boolean }> {
    return this.channelWrite(ctx, id, { op: 'add', ...input }, options);
  }

  /** Changes a channel's value, network (handles) or primary flag; it keeps its id. */
  async updateChannel(ctx: Ctx, id: string, channelId: string, input: ChannelUpdate, options: WriteOptions = {}): Promise<{ customer: Customer; channel: Channel }> {
    return this.channelWrite(ctx, id, { op: 'update', channelId, ...input }, options);
  }

  /** Removes a channel; removing the primary email (phone) makes the next one primary. */
  async removeChannel(ctx: Ctx, id: string, channelId: string, options: WriteOptions = {}): Promise<Customer> {
    return (await this.channelWrite(ctx, id, { op: 'remove', channelId }, options)).customer;
  }

  /** Soft delete: the record stays (readable, restorable, purgeable) with `deletedAt` set. */
  async delete(ctx: Ctx, id: string, options: WriteOptions = {}): Promise<Customer> {
    return this.mutate(ctx, id, options, async (trx, record) => {
      assertLive(record);
      return toCustomer(await this.setLifecycle(trx, ctx, record, 'customer.deleted', { deleted_at: new Date() }));
    });
  }

  /**
   * Undoes a delete. With `patch`, the restored customer is also merge-patched in the same
   * transaction (seeds 001 and 004 restore by writing a status), so a failing patch leaves it deleted.
   */
  async restore(ctx: Ctx, id: string, options: WriteOptions & { patch?: CustomerWrite } = {}): Promise<Customer> {
    return this.mutate(ctx, id, options, async (trx, record) => {
      if (record.purged_at) throw purgedError();
      if (!record.deleted_at) throw new AppError('customer_not_deleted', 'The customer is not deleted.');
      const restored = await this.setLifecycle(trx, ctx, record, 'customer.restored', { deleted_at: null });
      return options.patch ? this.applyPatch(trx, ctx, restored, options.patch, options) : toCustomer(restored);
    });
  }

  /**
   * GDPR erasure: every personal field is cleared, channels removed, and the timeline keeps
   * which fields changed but none of their values. The tombstone keeps the id, number,
   * externalId and companyNumber (other systems' keys, still reserved) and the timestamps.
   * Purging twice is harmless.
   */
  async purge(ctx: Ctx, id: string, options: WriteOptions = {}): Promise<Customer> {
    return this.mutate(ctx, id, { requireIfMatch: false, ...options }, async (trx, record) => {
      if (record.purged_at) return toCustomer(record);
      const now = new Date();
      const before = stateFromRecord(record);
      const tombstone: CustomerState = { ...stateForCreate({}), type: before.type, status: before.status, brandId: before.brandId, externalId: before.externalId, companyNumber: before.companyNumber };
      await deleteAccounts(trx, ctx.tenant.id, id);
      await deleteTickets(trx, ctx.tenant.id, id);
      await redactEvents(trx, ctx.tenant.id, id);
      // A stored Idempotency-Key response is a copy of the customer as it was.
      await deleteStoredResponses(trx, ctx.tenant.id, id);
      const purged = await updateCustomer(
        trx,
        ctx.tenant.id,
        record,
        { ...columnsFromState(tombstone), deleted_at: record.deleted_at ?? now, purged_at: now, updated_at: now, version: record.version + 1 },
        planChannels(record.channels, [], now),
        [{ type: 'customer.purged', actor: ctx.actor, changes: {}, at: now }],
      );
      return toCustomer(purged);
    });
  }

  /**
   * Creates the customer with this externalId, or merge-patches the existing one: the sync
   * primitive. Concurrent upserts of a new externalId settle on one record: the loser of the
   * insert race retries as an update.
   */
  async upsertByExternalId(ctx: Ctx, rawExternalId: string, input: CustomerWrite, options: UpdateOptions = {}): Promise<{ customer: Customer; created: boolean }> {
    const externalId = rawExternalId.trim();
    if (externalId === '') throw validationFailed([{ field: 'externalId', message: 'must not be blank', code: 'blank' }]);
    if (input.externalId !== undefined && input.externalId?.trim() !== externalId) {
      throw validationFailed([{ field: 'externalId', message: 'must equal the externalId in the path (or be left out)', code: 'mismatch' }]);
    }
    for (let attempt = 0; ; attempt++) {
      const id = await findCustomerIdBy(this.db, ctx.tenant.id, 'external_id', externalId);
      if (id) {
        const customer = await this.mutate(ctx, id, { requireIfMatch: false, ...options }, async (trx, record) => {
          assertLive(record);
          return (await this.writeSteps(trx, ctx, record, stepsOf(ctx, { ...input, externalId }, options.channels), options)).customer;
        });
        return { customer, created: false };
      }
      if (options.ifMatch !== undefined) throw new AppError('precondition_failed', 'If-Match was given but no customer has this externalId.');
      try {
        return { customer: await this.create(ctx, { ...input, externalId }, options), created: true };
      } catch (err) {
        const lostRace = err instanceof AppError && err.code === 'duplicate' && err.extra.field === 'externalId';
        if (!lostRace || attempt > 0) throw err;
      }
    }
  }

  // ---- internals ----

  /** The normalised state, or a 400 listing every field error, the tenant's custom field definitions' included. */
  private async normalize(db: Executor, ctx: Ctx, before: CustomerState | null, state: CustomerState): Promise<CustomerState> {
    const { state: normalized, errors } = normalizeState(state, ctx.tenant.settings);
    errors.push(...(await this.customFields.writeErrors(db, ctx.tenant.id, before?.customFields ?? {}, normalized.customFields)));
    if (errors.length > 0) throw validationFailed(errors);
    return normalized;
  }

  /** Loads the customer under a row lock, checks If-Match, then runs the change. */
  private async mutate<T>(ctx: Ctx, id: string, options: WriteOptions, change: (trx: Executor, record: CustomerRecord) => Promise<T>): Promise<T> {
    assertWritable(ctx.tenant.settings);
    return this.transact(ctx, async (trx) => {
      // Lock first, read second: under READ COMMITTED a statement that waited for the lock
      // sees the latest customers row but its channel subquery would still read the old
      // snapshot, and the write would put stale channels back.
      if (!(await lockCustomer(trx, ctx.tenant.id, id))) throw notFound();
      const record = (await findCustomer(trx, ctx.tenant.id, id))!;
      checkPrecondition(record.version, options, ctx.tenant.settings.requireIfMatch ?? false);
      return change(trx, record);
    });
  }

  private async applyPatch(trx: Executor, ctx: Ctx, record: CustomerRecord, patch: CustomerWrite, options: WriteOptions): Promise<Customer> {
    return (await this.writeSteps(trx, ctx, record, [patchStep(patch)], options)).customer;
  }

  /** One channel operation on a live customer, and the channel it leaves behind. */
  private async channelWrite(ctx: Ctx, id: string, op: ChannelOp, options: WriteOptions): Promise<{ customer: Customer; channel: Channel; created: boolean }> {
    return this.mutate(ctx, id, options, async (trx, record) => {
      assertLive(record);
      const { customer, results } = await this.writeSteps(trx, ctx, record, [channelStep(ctx, op)], options);
      return { customer, channel: results[0]!.channel!, created: results[0]!.created };
    });
  }

  /**
   * The one path every change of a customer's fields takes: each step (a merge patch, a channel
   * operation) transforms the normalised state and records its own event with its diff; the
   * final state is checked and written once (one version, one statement), its channel rows
   * reconciled so that unchanged channels keep their ids. Nothing changed: nothing written.
   */
  private async writeSteps(trx: Executor, ctx: Ctx, record: CustomerRecord, steps: Step[], options: WriteOptions): Promise<{ customer: Customer; results: StepResult[] }> {
    const before = stateFromRecord(record);
    const ids: ChannelIds = new Map(record.channels.map((c) => [c.id, { type: c.type, label: c.label, value: c.value }]));
    const now = new Date();
    let state = before;
    const changed: { type: string; changes: Record<string, unknown>; target?: ChannelRef | null; removedId?: string | null }[] = [];
    const outcomes: { target: ChannelRef | null; created: boolean }[] = [];
    for (const step of steps) {
      const out = step.apply(state, ids);
      const next = await this.normalize(trx, ctx, state, out.state);
      const changes = diffStates(state, next);
      const didChange = Object.keys(changes).length > 0;
      if (didChange) changed.push({ type: out.event, changes, target: out.target, removedId: out.removedId });
      outcomes.push({ target: out.target ?? null, created: (out.created ?? false) && didChange });
      // A channel a patch removed can no longer be named by a later operation.
      const present = new Set(channelsFromState(next).map(channelKey));
      for (const [id, ref] of ids) if (!present.has(channelKey(ref))) ids.delete(id);
      state = next;
    }
    let stored = record;
    if (changed.length > 0) {
      await this.assertConsistent(trx, ctx, before, state, record.id, options);
      const drafts = channelsFromState(state);
      // A stored channel keeps its id under the value an operation gave it; one it removed is deleted.
      const identities = new Map(record.channels.map((c) => [c.id, ids.has(c.id) ? channelKey(ids.get(c.id)!) : null]));
      const plan = JSON.stringify(drafts) !== JSON.stringify(channelsFromState(before)) ? planChannels(record.channels, drafts, now, identities) : null;
      const after = plan?.channels ?? record.channels;
      // A channel event names its channel (never its value, which is in the diff).
      const detailsOf = (e: (typeof changed)[number]) => {
        if (e.target === undefined) return null;
        const channel = e.removedId ? record.channels.find((c) => c.id === e.removedId) : e.target && after.find((c) => channelKey(c) === channelKey(e.target!));
        return channel ? { channel: { id: channel.id, type: channel.type, label: channel.label } } : null;
      };
      const events: NewEvent[] = changed.map((e) => ({ type: e.type, actor: ctx.actor, changes: e.changes, details: detailsOf(e), at: now }));
      stored = await guardUnique(state, () =>
        updateCustomer(trx, ctx.tenant.id, record, { ...columnsFromState(state), version: record.version + 1, updated_at: now }, plan, events),
      );
    }
    const results = outcomes.map(({ target, created }) => {
      const channel = target && stored.channels.find((c) => channelKey(c) === channelKey(target));
      return { channel: channel ? toChannel(record.id, channel) : null, created };
    });
    return { customer: toCustomer(stored), results };
  }

  private async setLifecycle(trx: Executor, ctx: Ctx, record: CustomerRecord, type: string, set: { deleted_at: Date | null }): Promise<CustomerRecord> {
    const now = new Date();
    const changes = { deletedAt: { from: record.deleted_at?.toISOString() ?? null, to: set.deleted_at?.toISOString() ?? null } };
    return updateCustomer(trx, ctx.tenant.id, record, { ...set, version: record.version + 1, updated_at: now }, null, [{ type, actor: ctx.actor, changes, at: now }]);
  }

  /**
   * The rules that need the database and no constraint enforces: a company link to a business
   * customer of the same tenant, a brand of the same tenant (the foreign key would refuse another
   * tenant's too, but not with a 400 naming the field), and (seed 004) one customer per name and
   * billing postal code.
   * Unique identifiers are left to their constraints (see translateConflicts). On an update only
   * what the update changes is checked: a link made earlier stays valid.
   */
  private async assertConsistent(db: Executor, ctx: Ctx, before: CustomerState | null, state: CustomerState, selfId: string | null, options: WriteOptions) {
    const changed = (...fields: (keyof CustomerState)[]) => before === null || fields.some((f) => JSON.stringify(before[f]) !== JSON.stringify(state[f]));
    const postalCode = state.billingAddress?.postalCode;
    if (options.uniqueNameAndPostalCode && state.name && postalCode && changed('name', 'billingAddress')) {
      const holder = await findCustomerIdByNameAndPostalCode(db, ctx.tenant.id, state.name, postalCode);
      if (holder && holder !== selfId) throw duplicate('name', holder, 'name and billing postal code');
    }
    if (state.companyId !== null && changed('companyId')) {
      const company = await findCompany(db, ctx.tenant.id, state.companyId);
      if (!company || company.id === selfId) {
        throw validationFailed([{ field: 'companyId', message: 'must be the id of another business customer of this tenant', code: 'invalid_company' }]);
      }
    }
    if (state.brandId !== null && changed('brandId') && !(await findBrand(db, ctx.tenant.id, state.brandId))) {
      throw validationFailed([{ field: 'brandId', message: 'must be the id of a brand of this tenant', code: 'invalid_brand' }]);
    }
  }

  /** Runs a transaction; see translateConflicts. */
  private transact<T>(ctx: Ctx, fn: (trx: Executor) => Promise<T>): Promise<T> {
    return this.translateConflicts(ctx, () => this.db.transaction().execute(fn));
  }

  /**
   * A unique identifier taken by another customer becomes a 409 naming the field and its
   * holder, looked up once the failed statement (and its transaction) has ended. The constraint
   * is the only check: a look-up before the write would cost a round trip and still race.
   */
  private async translateConflicts<T>(ctx: Ctx, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (err) {
      if (!(err instanceof UniqueConflict)) throw err;
      const holder = await findCustomerIdBy(this.db, ctx.tenant.id, UNIQUE_FIELDS[err.constraint]!.column, err.value);
      throw duplicate(err.field, holder ?? null);
    }
  }
}

class UniqueConflict extends Error {
  constructor(
    readonly constraint: string,
    readonly field: string,
    readonly value: string,
  ) {
    super(`unique violation on ${constraint}`);
  }
}

async function guardUnique<T>(state: CustomerState, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    const constraint = isUniqueViolation(err) ? (violatedConstraint(err) ?? '') : '';
    const unique = UNIQUE_FIELDS[constraint];
    const value = unique ? state[unique.field] : null;
    if (!unique || value === null) throw err;
    throw new UniqueConflict(constraint, unique.field, value);
  }
}

const patchStep = (patch: CustomerWrite): Step => ({ apply: (state) => ({ state: stateForPatch(state, patch), event: 'customer.updated' }) });

const channelStep = (ctx: Ctx, op: ChannelOp, prefix = ''): Step => ({ apply: (state, ids) => applyChannelOp(state, ids, op, ctx.tenant.settings, prefix) });

/** A merge patch, then channel operations (errors named `channels.N.…`), as the steps of one write. */
const stepsOf = (ctx: Ctx, patch: CustomerWrite, channels: ChannelOp[] = []): Step[] => [patchStep(patch), ...channels.map((op, i) => channelStep(ctx, op, `channels.${i}.`))];

function assertLive(record: CustomerRecord) {
  if (record.purged_at) throw purgedError();
  if (record.deleted_at) throw new AppError('customer_deleted', 'The customer is deleted; restore it first.', [], { customerId: record.id });
}

const purgedError = () => new AppError('customer_purged', 'The customer has been purged; its data cannot be changed.');

function checkPrecondition(version: number, options: WriteOptions, tenantRequires: boolean) {
  if (options.ifMatch === undefined) {
    if (options.requireIfMatch ?? tenantRequires) throw new AppError('precondition_required', 'This request requires an If-Match header with the customer\'s current ETag.');
    return;
  }
  if (options.ifMatch !== '*' && !options.ifMatch.includes(version)) {
    throw new AppError('precondition_failed', 'The customer has changed since the ETag in If-Match was read.');
  }
}

