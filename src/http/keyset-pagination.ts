import { Type, type Static } from 'typebox';
import type { KeysetPosition, KeysetPageQuery } from '../db/keyset.js';
import { ApiError } from '../errors.js';
import { PageQuery } from './pagination.js';

/**
 * Lists that must stay exact and fast at any size (a team with 100 000 stores) page on
 * `(created_at, id)`, not on `created_at` alone.
 *
 * Vercel's `until` is a millisecond: "items created before it". Rows created in the same
 * millisecond as the last item of a page would be skipped by `until = last.createdAt`, and
 * repeated by `until = last.createdAt + 1`. Two things keep paging exact:
 *
 * 1. `pagination.next` stays Vercel's number and is tie-safe: when the page ends inside a group of
 *    rows sharing one millisecond, the page stops *before* that group and `next` is the group's
 *    millisecond + 1, so `until = next` starts the next page at the group (the page is then
 *    shorter than `limit`, which Vercel's clients accept: they follow `next` until it is null).
 *    Only when a whole page is one millisecond (more than `limit` rows at once) can `until`
 *    not move past it without skipping; then `next` is that millisecond.
 * 2. `pagination.nextCursor` (Stockroom's extension) is an opaque position `(createdAt, id)`;
 *    passing it back as `?cursor=` continues exactly after the last item, whatever the ties.
 *    Vercel's clients ignore it; ours should prefer it.
 *
 * Both read the index `(team_id, created_at, id)` from a position: no offset, no count.
 */
export const KeysetQuery = Type.Object({
  ...PageQuery.properties,
  cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: "Stockroom's exact continuation: a previous page's `pagination.nextCursor`" })),
});
export type KeysetQuery = Static<typeof KeysetQuery>;

/** Vercel's `pagination` plus `nextCursor`. */
export const KeysetPagination = Type.Object({
  count: Type.Integer({ minimum: 0 }),
  next: Type.Union([Type.Integer(), Type.Null()]),
  prev: Type.Union([Type.Integer(), Type.Null()]),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
});
export type KeysetPagination = Static<typeof KeysetPagination>;

export const DEFAULT_LIMIT = 20;

/** The query a list reads, from the request's `limit`, `since`, `until` and `cursor`. */
export function keysetPageQuery(query: KeysetQuery): KeysetPageQuery {
  const limit = query.limit ?? DEFAULT_LIMIT;
  if (query.cursor !== undefined && query.until !== undefined) {
    throw new ApiError('bad_request', 'Pass either `cursor` or `until`, not both: the cursor already says where the page starts.', { param: 'cursor' });
  }
  return {
    limit,
    ...(query.since !== undefined ? { since: query.since } : {}),
    ...(query.until !== undefined ? { until: query.until } : {}),
    ...(query.cursor !== undefined ? { after: decodeCursor(query.cursor) } : {}),
  };
}

/**
 * Builds a page from the `limit + 1` rows a keyset query returned, newest first (see above for
 * how `next` avoids skipping rows that share a millisecond).
 */
export function keysetPage<T>(rows: readonly T[], limit: number, positionOf: (row: T) => KeysetPosition): { items: T[]; pagination: KeysetPagination } {
  let items = rows.slice(0, limit);
  const following = rows[limit];
  let next: number | null = null;
  let nextCursor: string | null = null;
  const last = items[items.length - 1];
  if (following !== undefined && last !== undefined) {
    const lastAt = positionOf(last).createdAt;
    next = lastAt;
    if (positionOf(following).createdAt === lastAt) {
      const before = items.filter((row) => positionOf(row).createdAt !== lastAt);
      if (before.length > 0) {
        items = before;
        next = lastAt + 1;
      }
    }
    nextCursor = encodeCursor(positionOf(items[items.length - 1] as T));
  }
  const first = items[0];
  return { items, pagination: { count: items.length, next, prev: first !== undefined ? positionOf(first).createdAt : null, nextCursor } };
}

export function encodeCursor(position: KeysetPosition): string {
  return Buffer.from(JSON.stringify([position.createdAt, position.id]), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): KeysetPosition {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(value) && value.length === 2 && Number.isSafeInteger(value[0]) && typeof value[1] === 'string') {
      return { createdAt: value[0] as number, id: value[1] };
    }
  } catch {
    // Falls through to the same answer as a well-formed but wrong value.
  }
  throw new ApiError('bad_request', 'Invalid request: `cursor` is not a cursor this server gave out.', { param: 'cursor' });
}
