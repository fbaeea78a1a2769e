import { sql, type SelectQueryBuilder } from 'kysely';

/**
 * A position in a newest-first list ordered by `(created_at, id)`: the last item a page showed.
 * Ids break ties between rows created in the same millisecond, so a position is exact.
 */
export interface KeysetPosition {
  readonly createdAt: number;
  readonly id: string;
}

/**
 * Which rows a list query reads: newest first, `created_at` in (`since`, `until`) (exclusive epoch
 * milliseconds, Vercel's parameters), strictly after `after` when given. Queries return up to
 * `limit + 1` rows so the page can tell whether more follow.
 */
export interface KeysetPageQuery {
  readonly limit: number;
  readonly since?: number;
  readonly until?: number;
  readonly after?: KeysetPosition;
}

/**
 * Narrows a newest-first list query to one page of `page`: `created_at` within (`since`, `until`),
 * strictly after the position `after`, ordered by `(created_at, id)` descending, `limit + 1` rows.
 * `table` qualifies the two columns when the query joins other tables. One definition for every
 * list, so that each pages exactly (a row-value comparison, on SQLite and PostgreSQL alike).
 */
export function keysetPageOf<QB extends SelectQueryBuilder<any, any, any>>(query: QB, page: KeysetPageQuery, table?: string): QB {
  return keysetRangeOf(query, page, table).limit(page.limit + 1) as QB;
}

/** `keysetPageOf` but the limit: the range and the order, for a query that sets its own limit. */
export function keysetRangeOf<QB extends SelectQueryBuilder<any, any, any>>(query: QB, page: Omit<KeysetPageQuery, 'limit'>, table?: string): QB {
  const createdAt = sql.ref(table ? `${table}.created_at` : 'created_at');
  const id = sql.ref(table ? `${table}.id` : 'id');
  let narrowed: SelectQueryBuilder<any, any, any> = query;
  if (page.since !== undefined) narrowed = narrowed.where(sql<boolean>`${createdAt} > ${page.since}`);
  if (page.until !== undefined) narrowed = narrowed.where(sql<boolean>`${createdAt} < ${page.until}`);
  if (page.after) narrowed = narrowed.where(sql<boolean>`(${createdAt}, ${id}) < (${page.after.createdAt}, ${page.after.id})`);
  return narrowed.orderBy(createdAt, 'desc').orderBy(id, 'desc') as QB;
}
