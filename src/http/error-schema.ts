import { Type } from 'typebox';

/** Vercel's error body, used for every 4xx/5xx response schema (docs/rules.md §7). */
export const ErrorBody = Type.Object(
  {
    error: Type.Object(
      {
        code: Type.String(),
        message: Type.String(),
      },
      { additionalProperties: true },
    ),
  },
);

/** The error answers of a route by status, each with `ErrorBody`: `errorResponses(401, 404)`. */
export function errorResponses<const S extends number>(...statuses: readonly S[]): Record<S, typeof ErrorBody> {
  return Object.fromEntries(statuses.map((status) => [status, ErrorBody])) as Record<S, typeof ErrorBody>;
}

/**
 * What every store create can answer besides its success, whichever route it came through (the
 * direct create, the CLI's auto-provision): the order of checks of docs/rules.md §1.
 */
export const STORE_CREATE_ERRORS = errorResponses(400, 401, 402, 403, 404, 409, 429, 500);
