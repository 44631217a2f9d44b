/**
 * PostgreSQL errors, recognised by SQLSTATE code and constraint name, never by message text.
 * pg and PGlite both expose `code` and `constraint` on the error they throw.
 */
export const PG = {
  uniqueViolation: '23505',
  foreignKeyViolation: '23503',
  invalidTextRepresentation: '22P02',
  serializationFailure: '40001',
  deadlockDetected: '40P01',
} as const;

interface PgError {
  code?: unknown;
  constraint?: unknown;
}

export function pgErrorCode(err: unknown): string | undefined {
  const code = (err as PgError | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

export function isUniqueViolation(err: unknown, constraint?: string): boolean {
  if (pgErrorCode(err) !== PG.uniqueViolation) return false;
  return constraint === undefined || (err as PgError).constraint === constraint;
}

export function isForeignKeyViolation(err: unknown, constraint?: string): boolean {
  if (pgErrorCode(err) !== PG.foreignKeyViolation) return false;
  return constraint === undefined || (err as PgError).constraint === constraint;
}

export function violatedConstraint(err: unknown): string | undefined {
  const c = (err as PgError | null)?.constraint;
  return typeof c === 'string' ? c : undefined;
}
