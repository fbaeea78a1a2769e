import { Type, type Static } from 'typebox';

/** `limit`, `since`, `until` query parameters shared by every list (docs/rules.md §7). */
export const PageQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
  // Epoch milliseconds, bounded so that a huge value is a 400 and not a bigint overflow (a 500 on
  // PostgreSQL, found by test/fuzz).
  since: Type.Optional(Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER })),
  until: Type.Optional(Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER })),
});
export type PageQuery = Static<typeof PageQuery>;

export const TeamQuery = Type.Object({
  teamId: Type.Optional(Type.String()),
  slug: Type.Optional(Type.String()),
});
