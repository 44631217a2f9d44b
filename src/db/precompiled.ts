import { CompiledQuery, type Compilable, type Kysely } from 'kysely';

interface Compiled {
  sql: string;
  /** For each parameter of the statement, the index of the argument it takes. */
  slots: number[];
}

/** Builds with one placeholder per argument and finds where each placeholder went. */
function compileWithPlaceholders(arity: number, build: (placeholders: unknown[]) => Compilable<unknown>): Compiled {
  const placeholders = Array.from({ length: arity }, (_, i) => ({ placeholder: i }));
  const query = build(placeholders).compile();
  const slots = query.parameters.map((p) => placeholders.indexOf(p as { placeholder: number }));
  if (slots.includes(-1) || new Set(slots).size !== arity) throw new Error('precompiled: every parameter must be a placeholder, used at least once');
  return { sql: query.sql, slots };
}

async function run<DB, R>(db: Kysely<DB>, { sql, slots }: Compiled, args: readonly unknown[]): Promise<R[]> {
  const result = await db.executeQuery(CompiledQuery.raw(sql, slots.map((slot) => args[slot])) as CompiledQuery<R>);
  return result.rows;
}

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
  let compiled: Compiled | undefined;
  return async (db: Kysely<DB>, ...args: A): Promise<R[]> => {
    compiled ??= compileWithPlaceholders(arity, (placeholders) => build(db, ...(placeholders as A)));
    return run<DB, R>(db, compiled, args);
  };
}

/** The most shapes a precompiledShapes query keeps; beyond them a shape is built on every call. */
const MAX_SHAPES = 200;

/**
 * `precompiled` for a query whose text varies with a shape, such as a list with its own choice of
 * filters: one compiled statement per shape, keyed by `key`. `build` receives the shape and one
 * placeholder per argument, and must use them as `precompiled` does; the arguments must be laid
 * out the same way for every call of the same key. Shapes are kept up to a bound, as any client
 * can ask for a new combination of filters.
 */
export function precompiledShapes<DB, S, R>(build: (db: Kysely<DB>, shape: S, params: unknown[]) => Compilable<R>) {
  const shapes = new Map<string, Compiled>();
  return async (db: Kysely<DB>, key: string, shape: S, args: readonly unknown[]): Promise<R[]> => {
    let compiled = shapes.get(key);
    if (!compiled) {
      compiled = compileWithPlaceholders(args.length, (placeholders) => build(db, shape, placeholders));
      if (shapes.size < MAX_SHAPES) shapes.set(key, compiled);
    }
    return run<DB, R>(db, compiled, args);
  };
}
