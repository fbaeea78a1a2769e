import { Type, type Static } from 'typebox';

/** `limit`, `since`, `until` query parameters shared by every list (semantics.md §7). */
export const PageQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
  // Epoch milliseconds, bounded so that a huge value is a 400 and not a bigint overflow (a 500 on
  // PostgreSQL, found by test/fuzz).
  since: Type.Optional(Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER })),
  until: Type.Optional(Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER })),
});
export type PageQuery = Static<typeof PageQuery>;

export const Pagination = Type.Object({
  count: Type.Integer(),
  next: Type.Union([Type.Number(), Type.Null()]),
  prev: Type.Union([Type.Number(), Type.Null()]),
});
export type Pagination = Static<typeof Pagination>;

/**
 * Builds Vercel's `pagination` from one page fetched with `limit + 1` rows, newest first:
 * `next` is the timestamp to pass as `until` for older items, `prev` the one to pass as `since`.
 */
export function paginate<T>(rows: T[], limit: number, timestampOf: (row: T) => number): { items: T[]; pagination: Pagination } {
  const items = rows.slice(0, limit);
  const hasMore = rows.length > limit;
  const last = items[items.length - 1];
  const first = items[0];
  return {
    items,
    pagination: {
      count: items.length,
      next: hasMore && last !== undefined ? timestampOf(last) : null,
      prev: first !== undefined ? timestampOf(first) : null,
    },
  };
}

export const TeamQuery = Type.Object({
  teamId: Type.Optional(Type.String()),
  slug: Type.Optional(Type.String()),
});
