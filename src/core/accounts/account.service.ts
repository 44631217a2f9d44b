import { jsonArrayFrom } from 'kysely/helpers/postgres';
import { uuidv7 } from '../ids.js';
import type { Db } from '../../db/connect.js';
import { isUniqueViolation } from '../../db/errors.js';
import type { Ctx } from '../context.js';
import { insertEvents, lockCustomer, type Executor } from '../customers/customer.repository.js';
import { AppError, assertWritable, notFound } from '../errors.js';
import type { Account, AccountAddress, AccountAddressInput, CreateAccount } from './account.model.js';

interface AddressRow {
  id: string;
  network: string;
  address: string;
  created_at: Date | string;
}

function toAddress(row: AddressRow): AccountAddress {
  return { id: row.id, network: row.network, address: row.address, createdAt: new Date(row.created_at).toISOString() };
}

/**
 * Accounts a customer holds (e.g. wallets), each with addresses. Changes are recorded on the
 * customer's timeline; a deleted customer's accounts can be read but not changed, and a purge
 * removes them.
 */
export class AccountService {
  constructor(private readonly db: Db) {}

  async list(ctx: Ctx, customerId: string): Promise<Account[]> {
    await this.assertCustomer(this.db, ctx, customerId, { forWrite: false });
    const rows = await this.db
      .selectFrom('customer_accounts as a')
      .select(['a.id', 'a.customer_id', 'a.name', 'a.created_at'])
      .select((eb) =>
        jsonArrayFrom(
          eb
            .selectFrom('account_addresses as ad')
            .select(['ad.id', 'ad.network', 'ad.address', 'ad.created_at'])
            .whereRef('ad.tenant_id', '=', 'a.tenant_id')
            .whereRef('ad.account_id', '=', 'a.id')
            .orderBy('ad.id'),
        ).as('addresses'),
      )
      .where('a.tenant_id', '=', ctx.tenant.id)
      .where('a.customer_id', '=', customerId)
      .orderBy('a.id')
      .execute();
    return rows.map((r) => ({
      id: r.id,
      customerId: r.customer_id,
      name: r.name,
      addresses: (r.addresses as AddressRow[]).map(toAddress),
      createdAt: r.created_at.toISOString(),
    }));
  }

  async get(ctx: Ctx, customerId: string, accountId: string): Promise<Account> {
    const account = (await this.list(ctx, customerId)).find((a) => a.id === accountId);
    if (!account) throw notFound('Account');
    return account;
  }

  /** Every address of every account of the customer, oldest first (seed 001's flat list). */
  async allAddresses(ctx: Ctx, customerId: string): Promise<AccountAddress[]> {
    await this.assertCustomer(this.db, ctx, customerId, { forWrite: false });
    const rows = await this.db
      .selectFrom('account_addresses as ad')
      .innerJoin('customer_accounts as a', (j) => j.onRef('a.tenant_id', '=', 'ad.tenant_id').onRef('a.id', '=', 'ad.account_id'))
      .select(['ad.id', 'ad.network', 'ad.address', 'ad.created_at'])
      .where('a.tenant_id', '=', ctx.tenant.id)
      .where('a.customer_id', '=', customerId)
      .orderBy('a.id')
      .orderBy('ad.id')
      .execute();
    return rows.map(toAddress);
  }

  async create(ctx: Ctx, customerId: string, input: CreateAccount): Promise<Account> {
    const id = uuidv7();
    await this.write(ctx, customerId, async (trx, at) => {
      await trx.insertInto('customer_accounts').values({ tenant_id: ctx.tenant.id, customer_id: customerId, id, name: input.name ?? null, created_at: at }).execute();
      const addresses = dedupe(input.addresses ?? []);
      if (addresses.length > 0) {
        await trx
          .insertInto('account_addresses')
          .values(addresses.map((a) => ({ tenant_id: ctx.tenant.id, account_id: id, id: uuidv7(), network: a.network, address: a.address, created_at: at })))
          .execute();
      }
      return { type: 'customer.account_created', changes: { account: { id, name: input.name ?? null, addresses } } };
    });
    return this.get(ctx, customerId, id);
  }

  async delete(ctx: Ctx, customerId: string, accountId: string): Promise<void> {
    await this.write(ctx, customerId, async (trx) => {
      const deleted = await trx.deleteFrom('customer_accounts').where('tenant_id', '=', ctx.tenant.id).where('customer_id', '=', customerId).where('id', '=', accountId).executeTakeFirst();
      if (Number(deleted.numDeletedRows) === 0) throw notFound('Account');
      return { type: 'customer.account_deleted', changes: { account: { id: accountId } } };
    });
  }

  async addAddress(ctx: Ctx, customerId: string, accountId: string, input: AccountAddressInput): Promise<AccountAddress> {
    const id = uuidv7();
    try {
      await this.write(ctx, customerId, async (trx, at) => {
        await this.assertAccount(trx, ctx, customerId, accountId);
        await trx.insertInto('account_addresses').values({ tenant_id: ctx.tenant.id, account_id: accountId, id, network: input.network, address: input.address, created_at: at }).execute();
        return { type: 'customer.account_address_added', changes: { account: { id: accountId }, address: { id, network: input.network, address: input.address } } };
      });
    } catch (err) {
      if (isUniqueViolation(err, 'account_addresses_unique')) {
        throw new AppError('duplicate', 'The account already has this address on this network.', [{ field: 'address', message: 'is already on this account', code: 'duplicate' }]);
      }
      throw err;
    }
    return (await this.get(ctx, customerId, accountId)).addresses.find((a) => a.id === id)!;
  }

  async removeAddress(ctx: Ctx, customerId: string, accountId: string, addressId: string): Promise<void> {
    await this.write(ctx, customerId, async (trx) => {
      await this.assertAccount(trx, ctx, customerId, accountId);
      const deleted = await trx.deleteFrom('account_addresses').where('tenant_id', '=', ctx.tenant.id).where('account_id', '=', accountId).where('id', '=', addressId).executeTakeFirst();
      if (Number(deleted.numDeletedRows) === 0) throw notFound('Address');
      return { type: 'customer.account_address_removed', changes: { account: { id: accountId }, address: { id: addressId } } };
    });
  }

  /** Runs a change under the customer's row lock and records it on the timeline. */
  private async write(ctx: Ctx, customerId: string, change: (trx: Executor, at: Date) => Promise<{ type: string; changes: Record<string, unknown> }>) {
    assertWritable(ctx.tenant.settings);
    await this.db.transaction().execute(async (trx) => {
      await this.assertCustomer(trx, ctx, customerId, { forWrite: true });
      const at = new Date();
      const { type, changes } = await change(trx, at);
      await insertEvents(trx, ctx.tenant.id, customerId, [{ type, actor: ctx.actor, changes, at }]);
    });
  }

  private async assertCustomer(db: Executor, ctx: Ctx, customerId: string, { forWrite }: { forWrite: boolean }) {
    if (forWrite && !(await lockCustomer(db, ctx.tenant.id, customerId))) throw notFound();
    const row = await db.selectFrom('customers').select(['deleted_at', 'purged_at']).where('tenant_id', '=', ctx.tenant.id).where('id', '=', customerId).executeTakeFirst();
    if (!row) throw notFound();
    if (forWrite && row.purged_at) throw new AppError('customer_purged', 'The customer has been purged; its data cannot be changed.');
    if (forWrite && row.deleted_at) throw new AppError('customer_deleted', 'The customer is deleted; restore it first.');
  }

  private async assertAccount(db: Executor, ctx: Ctx, customerId: string, accountId: string) {
    const row = await db.selectFrom('customer_accounts').select('id').where('tenant_id', '=', ctx.tenant.id).where('customer_id', '=', customerId).where('id', '=', accountId).executeTakeFirst();
    if (!row) throw notFound('Account');
  }
}

function dedupe(addresses: AccountAddressInput[]): AccountAddressInput[] {
  const seen = new Set<string>();
  return addresses.filter((a) => {
    const key = `${a.network}\u0000${a.address}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
