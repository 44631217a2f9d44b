import type { ChannelType } from '../../db/database.js';
import { validationFailed } from '../errors.js';
import { CHANNEL_TYPES, HANDLE_NETWORK } from './customer.model.js';

/**
 * The one registry of channel types. Patron stores a channel as (type, label): `email`,
 * `phone`, `whatsapp`, or `handle` with the network as its label. Seed 003 names channel types
 * (`telephone`, `facebook`, …) or numbers them; both map onto Patron's pairs here, and nowhere
 * else. The numbers are part of the contract (docs/api.md): never renumber, only append.
 */
export const SEED_CHANNEL_TYPES = [
  { id: 1, name: 'email', type: 'email', label: '' },
  { id: 2, name: 'telephone', type: 'phone', label: '' },
  { id: 3, name: 'facebook', type: 'handle', label: 'facebook' },
  { id: 4, name: 'twitter', type: 'handle', label: 'twitter' },
  { id: 5, name: 'whatsapp', type: 'whatsapp', label: '' },
] as const satisfies readonly { id: number; name: string; type: ChannelType; label: string }[];

export type SeedChannelType = (typeof SEED_CHANNEL_TYPES)[number];

const NETWORK = new RegExp(HANDLE_NETWORK);

/** The names a channel type may be given by (besides the seed's numbers): Patron's types and the seed's names. */
export const CHANNEL_TYPE_NAMES = [...new Set<string>([...CHANNEL_TYPES, ...SEED_CHANNEL_TYPES.map((t) => t.name)])];

export interface ChannelKind {
  type: ChannelType;
  /** The handle's network; '' for the other types. */
  label: string;
}

/**
 * A channel type as a client names it → Patron's (type, label). `label` is only for `handle`
 * (the network, required); a seed name that implies a network accepts only that network.
 * Anything unknown is a 400 naming `field`.
 */
export function resolveChannelType(given: string | number, label: string | null | undefined, field = 'type', labelField = 'label'): ChannelKind {
  const name = typeof given === 'number' ? String(given) : given.trim().toLowerCase();
  const seed = /^[0-9]{1,9}$/.test(name) ? SEED_CHANNEL_TYPES.find((t) => t.id === Number(name)) : SEED_CHANNEL_TYPES.find((t) => t.name === name);
  const type: ChannelType | undefined = seed?.type ?? CHANNEL_TYPES.find((t) => t === name);
  if (!type) {
    throw validationFailed([
      { field, message: `is not a channel type: use one of ${CHANNEL_TYPE_NAMES.join(', ')}, or a number 1–${SEED_CHANNEL_TYPES.length}`, code: 'unknown_channel_type' },
    ]);
  }
  const wanted = label ?? '';
  if (type !== 'handle') {
    if (wanted !== '') throw validationFailed([{ field: labelField, message: 'applies only to handles (it names the network)', code: 'invalid' }]);
    return { type, label: '' };
  }
  const network = seed?.label ?? wanted;
  if (seed && wanted !== '' && wanted !== seed.label) throw validationFailed([{ field: labelField, message: `must be ${seed.label} (or left out) for ${seed.name}`, code: 'invalid' }]);
  if (!NETWORK.test(network)) throw validationFailed([{ field: labelField, message: 'must name the network of a handle, matching ^[a-z][a-z0-9_]{0,31}$', code: 'invalid' }]);
  return { type, label: network };
}

/** The seed's name and number of a stored channel, or null for a network the seed has no number for. */
export function seedChannelTypeOf(kind: ChannelKind): SeedChannelType | null {
  return SEED_CHANNEL_TYPES.find((t) => t.type === kind.type && t.label === kind.label) ?? null;
}
