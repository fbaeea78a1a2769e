import { Type } from 'typebox';

/** Vercel's error body, used for every 4xx/5xx response schema (semantics.md §7). */
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
