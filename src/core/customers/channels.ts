import type { ChannelType, TenantSettings } from '../../db/database.js';
import { AppError, notFound, validationFailed } from '../errors.js';
import { resolveChannelType, type ChannelKind } from './channel-types.js';
import { channelKey } from './customer.mapper.js';
import { LIMITS } from './customer.model.js';
import { normalizeChannelValue, type CustomerState } from './customer.rules.js';

/**
 * Channel operations as transformations of a CustomerState. The channel rows are derived
 * from the state (channelsFromState), so an operation on a channel is a change of the
 * customer's `email`, `additionalEmails`, `phone`, `additionalPhones`, `whatsapp` or `handles`,
 * and goes through the same normalisation, checks and write as a PATCH of those fields: the
 * fields and the rows cannot disagree.
 */

export type ChannelOp =
  /**
   * A value the customer already has (same type, label and normalised value) is not added
   * twice: the operation then only applies `primary`, if given. A WhatsApp number, or a handle
   * on a network, when the customer already has another one: 409, unless `replace` (seed 003's
   * "add or update").
   */
  | { op: 'add'; type: string | number; value: string; label?: string | null; primary?: boolean; replace?: boolean }
  | { op: 'update'; channelId: string; value?: string; label?: string; primary?: boolean }
  | { op: 'remove'; channelId: string };

/** A channel as the operations see it: its kind and normalised value. */
export interface ChannelRef extends ChannelKind {
  value: string;
}

export type ChannelEventType = 'customer.channel_added' | 'customer.channel_updated' | 'customer.channel_removed';

export interface ChannelStep {
  state: CustomerState;
  event: ChannelEventType;
  /** The channel the operation leaves behind (added or updated); null after a remove. */
  target: ChannelRef | null;
  /** The removed channel's id (remove only). */
  removedId: string | null;
  /** Whether an `add` added a value the customer did not have. */
  created: boolean;
}

/**
 * The stored channels by id as operations go: an update moves an id to its channel's new value
 * (the id stays), a remove drops it. Seeded with the customer's stored channels.
 */
export type ChannelIds = Map<string, ChannelRef>;

/** WhatsApp is a single, primary number; handles are one per network, never primary. */
const FIXED_PRIMARY: Partial<Record<ChannelType, boolean>> = { whatsapp: true, handle: false };

/**
 * Applies one operation to the state. Errors name fields under `prefix` (`value`, `label`,
 * `primary`, `type`; `channels.2.value` in a batch).
 */
export function applyChannelOp(state: CustomerState, ids: ChannelIds, op: ChannelOp, settings: TenantSettings, prefix = ''): ChannelStep {
  const field = (name: string) => prefix + name;
  const valueOf = (type: ChannelType, raw: string) => {
    const result = normalizeChannelValue(type, raw, settings);
    if ('code' in result) throw validationFailed([{ field: field('value'), message: result.message, code: result.code }]);
    return result.value;
  };
  const checkPrimary = (type: ChannelType, primary: boolean | undefined) => {
    const fixed = FIXED_PRIMARY[type];
    if (primary !== undefined && fixed !== undefined && primary !== fixed) {
      throw validationFailed([{ field: field('primary'), message: `is always ${fixed} for a ${type} channel`, code: 'invalid' }]);
    }
  };
  const conflict = (ref: ChannelRef, on: 'type' | 'value' | 'label', message: string) => {
    const existingId = [...ids].find(([, r]) => channelKey(r) === channelKey(ref))?.[0] ?? null;
    return new AppError('duplicate', message, [{ field: field(on), message: 'is already used by another channel of this customer', code: 'duplicate' }], {
      field: field(on),
      existingId,
    });
  };

  if (op.op === 'add') {
    const kind = resolveChannelType(op.type, op.label, field('type'), field('label'));
    const value = valueOf(kind.type, op.value);
    const target = { ...kind, value };
    checkPrimary(kind.type, op.primary);
    if (kind.type === 'email' || kind.type === 'phone') {
      const list = listOf(state, kind.type);
      const exists = list.primary === value || list.others.includes(value);
      if (exists) {
        const next = op.primary === undefined ? state : withList(state, kind.type, setPrimary(list, value, op.primary));
        return { state: next, event: 'customer.channel_updated', target, removedId: null, created: false };
      }
      const makePrimary = op.primary ?? list.primary === null;
      const added = makePrimary ? { primary: value, others: list.primary === null ? list.others : [list.primary, ...list.others] } : { primary: list.primary, others: [...list.others, value] };
      if (added.others.length > LIMITS.additionalChannels) {
        throw validationFailed([{ field: field('value'), message: `would be one ${kind.type} too many: a customer has at most ${LIMITS.additionalChannels + 1}`, code: 'too_many' }]);
      }
      return { state: withList(state, kind.type, added), event: 'customer.channel_added', target, removedId: null, created: true };
    }
    const current = slotOf(state, kind);
    if (current === value) return { state, event: 'customer.channel_updated', target, removedId: null, created: false };
    if (current !== null && !op.replace) {
      throw conflict({ ...kind, value: current }, 'type', kind.type === 'whatsapp' ? 'The customer already has a WhatsApp number; update or remove that channel.' : `The customer already has a ${kind.label} handle; update or remove that channel.`);
    }
    if (kind.type === 'handle' && current === null && Object.keys(state.handles).length >= LIMITS.handles) {
      throw validationFailed([{ field: field('value'), message: `would be one handle too many: a customer has at most ${LIMITS.handles}`, code: 'too_many' }]);
    }
    return { state: withSlot(state, kind, kind, value), event: 'customer.channel_added', target, removedId: null, created: true };
  }

  const ref = ids.get(op.channelId);
  if (!ref) throw notFound('Channel');

  if (op.op === 'remove') {
    ids.delete(op.channelId);
    let next: CustomerState;
    if (ref.type === 'email' || ref.type === 'phone') {
      const list = listOf(state, ref.type);
      // The next one is promoted, so a customer with emails (phones) keeps a primary one.
      next = withList(state, ref.type, list.primary === ref.value ? { primary: list.others[0] ?? null, others: list.others.slice(1) } : { primary: list.primary, others: list.others.filter((v) => v !== ref.value) });
    } else {
      next = withSlot(state, ref, ref, null);
    }
    return { state: next, event: 'customer.channel_removed', target: null, removedId: op.channelId, created: false };
  }

  checkPrimary(ref.type, op.primary);
  const value = op.value === undefined ? ref.value : valueOf(ref.type, op.value);
  let next: CustomerState;
  let target: ChannelRef;
  if (ref.type === 'email' || ref.type === 'phone') {
    if (op.label !== undefined && op.label !== '') throw validationFailed([{ field: field('label'), message: 'applies only to handles (it names the network)', code: 'invalid' }]);
    target = { ...ref, value };
    let list = listOf(state, ref.type);
    if (value !== ref.value) {
      if (list.primary === value || list.others.includes(value)) throw conflict(target, 'value', `The customer already has this ${ref.type}.`);
      list = list.primary === ref.value ? { ...list, primary: value } : { ...list, others: list.others.map((v) => (v === ref.value ? value : v)) };
    }
    next = withList(state, ref.type, op.primary === undefined ? list : setPrimary(list, value, op.primary));
  } else {
    const kind = ref.type === 'handle' && op.label !== undefined ? resolveChannelType('handle', op.label, field('type'), field('label')) : { type: ref.type, label: ref.label };
    if (ref.type !== 'handle' && op.label !== undefined && op.label !== '') {
      throw validationFailed([{ field: field('label'), message: 'applies only to handles (it names the network)', code: 'invalid' }]);
    }
    target = { ...kind, value };
    if (kind.label !== ref.label && slotOf(state, kind) !== null) {
      throw conflict({ ...kind, value: slotOf(state, kind)! }, 'label', `The customer already has a ${kind.label} handle.`);
    }
    next = withSlot(state, ref, kind, value);
  }
  ids.set(op.channelId, target);
  return { state: next, event: 'customer.channel_updated', target, removedId: null, created: false };
}

interface ChannelList {
  primary: string | null;
  others: string[];
}

function listOf(state: CustomerState, type: 'email' | 'phone'): ChannelList {
  return type === 'email' ? { primary: state.email, others: state.additionalEmails } : { primary: state.phone, others: state.additionalPhones };
}

function withList(state: CustomerState, type: 'email' | 'phone', list: ChannelList): CustomerState {
  return type === 'email' ? { ...state, email: list.primary, additionalEmails: list.others } : { ...state, phone: list.primary, additionalPhones: list.others };
}

/** Makes `value` the primary one (the former primary takes its place) or an additional one (first of them). */
function setPrimary(list: ChannelList, value: string, primary: boolean): ChannelList {
  const isPrimary = list.primary === value;
  if (primary === isPrimary) return list;
  if (!primary) return { primary: null, others: [value, ...list.others] };
  const others = list.primary === null ? list.others.filter((v) => v !== value) : list.others.map((v) => (v === value ? list.primary! : v));
  return { primary: value, others };
}

/** The value in a single-valued slot: the WhatsApp number, or the handle on a network. */
function slotOf(state: CustomerState, kind: ChannelKind): string | null {
  return kind.type === 'whatsapp' ? state.whatsapp : (state.handles[kind.label] ?? null);
}

/** Moves the slot `from` to `to` (a handle changing network keeps its place) with `value`; null empties it. */
function withSlot(state: CustomerState, from: ChannelKind, to: ChannelKind, value: string | null): CustomerState {
  if (to.type === 'whatsapp') return { ...state, whatsapp: value };
  const handles: Record<string, string> = {};
  let placed = false;
  for (const [network, handle] of Object.entries(state.handles)) {
    if (network === from.label) {
      if (value !== null) handles[to.label] = value;
      placed = true;
    } else if (network !== to.label) {
      handles[network] = handle;
    }
  }
  if (!placed && value !== null) handles[to.label] = value;
  return { ...state, handles };
}
