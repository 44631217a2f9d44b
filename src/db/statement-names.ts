/**
 * Names for the statements Patron sends, so that each connection parses (and, once PostgreSQL
 * settles on a generic plan, plans) a statement once instead of on every call. For the list
 * queries that is most of the database's work per request: parsing and planning the look-up by
 * e-mail took about 1 ms, running it 0.15 ms (docs/performance.md).
 *
 * A name stands for one SQL text for the life of the process (node-postgres refuses a name
 * reused with another text). Only statements with parameters are named: a statement without
 * any goes over the simple protocol, which is what migrations' multi-statement scripts need.
 * The registry is bounded, because every named statement is kept by every connection (and, on
 * PGlite, inside this process): the statements the service sends are a few dozen shapes, and
 * the filters of a list combine into more only under unusual queries, which then run unnamed.
 */

const MAX_NAMED = 500;
const DATA_STATEMENT = /^\s*(select|insert|update|delete|with)\b/i;

const names = new Map<string, string>();

export function statementName(text: string, values: readonly unknown[] | undefined): string | undefined {
  if (!values || values.length === 0) return undefined;
  const known = names.get(text);
  if (known !== undefined || names.size >= MAX_NAMED || !DATA_STATEMENT.test(text)) return known;
  const name = `patron_${names.size + 1}`;
  names.set(text, name);
  return name;
}
