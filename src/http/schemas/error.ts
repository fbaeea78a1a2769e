import { Type, type Static } from 'typebox';

/** One failing field of a request, e.g. of `metadata` against the product's schema (docs/rules.md §1.7). */
export const ErrorField = Type.Object({
  key: Type.String(),
  message: Type.Optional(Type.String()),
});
export type ErrorField = Static<typeof ErrorField>;

/** Rate-limit state carried by a 429 `rate_limited` (vercel-contract.md §8.1, docs/rules.md §7). */
export const RateLimit = Type.Object({
  remaining: Type.Integer({ minimum: 0 }),
  /** Epoch seconds when the window resets. */
  reset: Type.Integer(),
  /** The same instant in epoch milliseconds. */
  resetMs: Type.Integer(),
  total: Type.Integer({ minimum: 0 }),
});
export type RateLimit = Static<typeof RateLimit>;

/**
 * Every 4xx/5xx body: Vercel's `{"error":{"code","message"}}` (vercel-contract.md §8.1). The SDK never
 * parses it, but raw-HTTP clients and the CLI do. Extra keys inside `error` are allowed and are
 * serialized as they are.
 */
export const ErrorBody = Type.Object({
  error: Type.Object(
    {
      /** snake_case, one of the catalogue in `src/errors.ts`. */
      code: Type.String(),
      message: Type.String(),
      /** The request field that failed validation (docs/rules.md §1.4). */
      param: Type.Optional(Type.String()),
      /** Every failing field (docs/rules.md §1.7). */
      fields: Type.Optional(Type.Array(ErrorField)),
      /** The conflicting store (docs/rules.md §4). */
      storeId: Type.Optional(Type.String()),
      limit: Type.Optional(RateLimit),
    },
    { additionalProperties: true },
  ),
});
export type ErrorBody = Static<typeof ErrorBody>;
