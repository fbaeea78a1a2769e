import type { Dialect } from './database.js';

/**
 * The query with `FOR UPDATE` on PostgreSQL: the rows it reads stay locked until the transaction
 * ends, so a concurrent transaction waits instead of acting on what is about to change. SQLite
 * has no row locks and needs none (it runs one write transaction at a time), and would refuse
 * the clause, so there the query is returned as is. Callers use this instead of branching on the
 * dialect themselves.
 */
export function lockedForUpdate<Q extends { forUpdate(): Q }>(query: Q, dialect: Dialect): Q {
  return dialect === 'postgres' ? query.forUpdate() : query;
}

/**
 * The query with `FOR SHARE` on PostgreSQL: the rows it reads cannot be changed or deleted until
 * the transaction ends, but other transactions may share the lock, so readers that only need the
 * row to stay as it is do not wait for one another. As is on SQLite, like `lockedForUpdate`.
 */
export function lockedForShare<Q extends { forShare(): Q }>(query: Q, dialect: Dialect): Q {
  return dialect === 'postgres' ? query.forShare() : query;
}
