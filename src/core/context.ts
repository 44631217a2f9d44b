import type { Actor, TenantSettings } from '../db/database.js';

export interface Tenant {
  id: string;
  number: number;
  name: string;
  status: 'active' | 'suspended';
  settings: TenantSettings;
  createdAt: Date;
  updatedAt: Date;
}

/**
 * What every tenant-scoped operation receives: the tenant whose data it may touch and who
 * is acting (recorded on every event). No operation finds its tenant anywhere else.
 */
export interface Ctx {
  tenant: Tenant;
  actor: Actor;
}
