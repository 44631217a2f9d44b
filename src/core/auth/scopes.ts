/** Patron's scopes. `customers:write` is shorthand for create + update + delete. */
export const SCOPES = [
  'customers:read',
  'customers:create',
  'customers:update',
  'customers:delete',
  'customers:purge',
  'customers:write',
] as const;

export type Scope = (typeof SCOPES)[number];

const IMPLIES: Partial<Record<Scope, Scope[]>> = {
  'customers:write': ['customers:create', 'customers:update', 'customers:delete'],
};

export function expandScopes(granted: readonly string[]): Set<string> {
  const out = new Set<string>();
  for (const scope of granted) {
    out.add(scope);
    for (const implied of IMPLIES[scope as Scope] ?? []) out.add(implied);
  }
  return out;
}
