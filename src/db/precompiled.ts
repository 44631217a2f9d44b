import { CompiledQuery, type Compilable, type Kysely } from 'kysely';

/**
 * A query built and compiled once, at first use; each call only binds its parameters.
 * Kysely builds and compiles a fresh query tree on every execution, which a CPU profile of
 * `GET /v1/customers/{id}` showed at about a fifth of the request's cost (docs/performance.md).
 *
 * `build` receives one placeholder per parameter and must use each at least once, as a bound
 * value; the compiled statement's parameters are matched back to the arguments by identity.
 * It runs on whichever executor (pool or transaction) each call is given.
 */
export function precompiled<DB, A extends unknown[], R>(arity: A['length'], build: (db: Kysely<DB>, ...params: A) => Compilable<R>) {
  let compiled: { sql: string; slots: number[] } | undefined;
  return async (db: Kysely<DB>, ...args: A): Promise<R[]> => {
    if (!compiled) {
      const placeholders = Array.from({ length: arity }, (_, i) => ({ placeholder: i })) as unknown as A;
      const query = build(db, ...placeholders).compile();
      const slots = query.parameters.map((p) => placeholders.indexOf(p));
      if (slots.includes(-1) || new Set(slots).size !== arity) throw new Error('precompiled: every parameter must be a placeholder, used at least once');
      compiled = { sql: query.sql, slots };
    }
    const { sql, slots } = compiled;
    const result = await db.executeQuery(CompiledQuery.raw(sql, slots.map((slot) => args[slot])) as CompiledQuery<R>);
    return result.rows;
  };
}
