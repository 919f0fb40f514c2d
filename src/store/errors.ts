/** Recognizes a unique-constraint violation from either database, so a lost race still answers 409. */
export function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: string } | null;
  return e?.code === 'SQLITE_CONSTRAINT_UNIQUE' || e?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || e?.code === '23505';
}

/**
 * A deadlock or serialization failure (PostgreSQL 40P01, 40001): the database gave up on the transaction to let
 * another finish, and the same work run again will do.
 */
export function isTransientConflict(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '40P01' || code === '40001';
}
