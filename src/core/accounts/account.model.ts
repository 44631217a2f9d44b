import { Type, type Static } from '@sinclair/typebox';

/** Accounts a customer holds elsewhere (e.g. wallets), each with addresses on a network. */

export const NETWORK_PATTERN = '^[a-z0-9][a-z0-9_.-]{0,31}$';

export const AccountAddressInputSchema = Type.Object(
  {
    network: Type.String({ pattern: NETWORK_PATTERN, description: 'The chain or network, lower case: `ethereum`, `bitcoin`, `tron`…' }),
    address: Type.String({ minLength: 1, maxLength: 200, pattern: '^\\S+$', description: 'The address on that network, without spaces.' }),
  },
  { additionalProperties: false },
);

export const CreateAccountSchema = Type.Object(
  {
    name: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 100 }), Type.Null()])),
    addresses: Type.Optional(Type.Array(AccountAddressInputSchema, { maxItems: 50 })),
  },
  { additionalProperties: false },
);

export const AccountAddressSchema = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    network: Type.String(),
    address: Type.String(),
    createdAt: Type.String({ format: 'date-time' }),
  },
  { $id: 'AccountAddress', additionalProperties: false },
);

export const AccountSchema = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    customerId: Type.String({ format: 'uuid' }),
    name: Type.Union([Type.String(), Type.Null()]),
    addresses: Type.Array(Type.Ref(AccountAddressSchema)),
    createdAt: Type.String({ format: 'date-time' }),
  },
  { $id: 'Account', additionalProperties: false },
);

export type AccountAddressInput = Static<typeof AccountAddressInputSchema>;
export type CreateAccount = Static<typeof CreateAccountSchema>;
export type AccountAddress = Static<typeof AccountAddressSchema>;
export interface Account {
  id: string;
  customerId: string;
  name: string | null;
  addresses: AccountAddress[];
  createdAt: string;
}
