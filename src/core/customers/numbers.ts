import type { Db } from '../../db/connect.js';

/**
 * Per-tenant customer numbers, handed to each process in blocks (like a PostgreSQL
 * sequence with CACHE). Taking a number inside the create transaction would make every
 * create in a tenant wait on one counter row until commit; a block costs one short write
 * per BLOCK creates instead. Numbers stay unique per tenant; across processes or restarts
 * they may leave gaps and are not strictly in creation order.
 */
const BLOCK = 20;

export class NumberAllocator {
  private readonly blocks = new Map<string, { next: number; end: number }>();
  private readonly refills = new Map<string, Promise<void>>();

  constructor(private readonly db: Db) {}

  async next(tenantId: string): Promise<number> {
    for (;;) {
      const block = this.blocks.get(tenantId);
      if (block && block.next <= block.end) return block.next++;
      // One refill per tenant at a time; concurrent callers wait for it and try again.
      let refill = this.refills.get(tenantId);
      if (!refill) {
        refill = this.fetchBlock(tenantId)
          .then((fresh) => void this.blocks.set(tenantId, fresh))
          .finally(() => this.refills.delete(tenantId));
        this.refills.set(tenantId, refill);
      }
      await refill;
    }
  }

  private async fetchBlock(tenantId: string) {
    const row = await this.db
      .insertInto('counters')
      .values({ tenant_id: tenantId, name: 'customer', value: BLOCK })
      .onConflict((oc) => oc.columns(['tenant_id', 'name']).doUpdateSet((eb) => ({ value: eb('counters.value', '+', BLOCK) })))
      .returning('value')
      .executeTakeFirstOrThrow();
    return { next: row.value - BLOCK + 1, end: row.value };
  }
}
