/**
 * Patron's scopes. `customers:write` is shorthand for create + update + delete.
 * `custom_fields:write` (define the tenant's custom fields) is apart on purpose: it changes what
 * every customer write of the tenant accepts, so a customer-writing client doesn't get it.
 */
export const SCOPES = [
  'customers:read',
  'customers:create',
  'customers:update',
  'customers:delete',
  'customers:purge',
  'customers:write',
  'custom_fields:write',
] as const;

export type Scope = (typeof SCOPES)[number];

/**
 * The seeds' own scope names, so a client can ask for (and a token can be granted) the names
 * its vendor documented: seed 004's singular `customer:*`, seed 003's permissions.
 */
export const SCOPE_ALIASES: Record<string, Scope[]> = {
  'customer:read': ['customers:read'],
  'customer:create': ['customers:create'],
  'customer:update': ['customers:update'],
  'customer:delete': ['customers:delete'],
  CUSTOMER_READ: ['customers:read'],
  // Seed 003 lists itemPurgeData among the CUSTOMER_CUD endpoints.
  CUSTOMER_CUD: ['customers:create', 'customers:update', 'customers:delete', 'customers:purge'],
};

/** Every scope name a token or OAuth client may be granted. */
export const GRANTABLE_SCOPES = [...SCOPES, ...Object.keys(SCOPE_ALIASES)];

const IMPLIES: Partial<Record<Scope, Scope[]>> = {
  'customers:write': ['customers:create', 'customers:update', 'customers:delete'],
};

/** The Patron scopes a list of granted names stands for. */
export function expandScopes(granted: readonly string[]): Set<string> {
  const out = new Set<string>();
  const add = (scope: string) => {
    out.add(scope);
    for (const implied of IMPLIES[scope as Scope] ?? []) out.add(implied);
  };
  for (const name of granted) {
    add(name);
    for (const alias of SCOPE_ALIASES[name] ?? []) add(alias);
  }
  return out;
}

export function isGrantable(name: string): boolean {
  return (GRANTABLE_SCOPES as string[]).includes(name);
}
