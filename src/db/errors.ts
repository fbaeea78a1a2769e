import { StorageFailedError } from './sqlite-group-commit.js';

/*
 * Driver errors that mean something to the domain. Everything else propagates unchanged.
 */

/** The database stopped after a failed disk sync (fail-stop, docs/durability.md): answered 503. */
export function isStorageFailure(error: unknown): boolean {
  return error instanceof StorageFailedError;
}

export function isUniqueViolation(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const code = (error as { code?: unknown }).code;
  // PostgreSQL: 23505 unique_violation. SQLite: SQLITE_CONSTRAINT_UNIQUE or _PRIMARYKEY.
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/** The unique constraint (PostgreSQL) or the columns (SQLite) a violation names, for routing it. */
export function uniqueViolationTarget(error: unknown): string {
  const e = error as { constraint?: string; message?: string };
  return e.constraint ?? e.message ?? '';
}
