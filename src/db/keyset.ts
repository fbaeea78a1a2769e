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
