import { Type, type Static } from 'typebox';
import { PROJECT_NAME_PATTERN } from '../../domain/projects.js';
import { FRAMEWORKS, StringEnum } from './enums.js';

/** A project's framework: Vercel's closed list, or null (vercel-contract.md §10.8). */
export const Framework = Type.Union([StringEnum(FRAMEWORKS), Type.Null()]);

/**
 * A project in the minimal shape Stockroom models: the fields of Vercel's project that matter to
 * stores and env vars. Timestamps are epoch milliseconds.
 */
export const Project = Type.Object({
  /** `prj_…` */
  id: Type.String(),
  name: Type.String(),
  /** The owning team (`team_…`). */
  accountId: Type.String(),
  framework: Framework,
  createdAt: Type.Integer(),
  updatedAt: Type.Integer(),
});
export type Project = Static<typeof Project>;

/** Body of `POST /v11/projects`. Other keys of Vercel's body (git, build settings…) are ignored. */
export const CreateProjectBody = Type.Object(
  {
    name: Type.String({ pattern: PROJECT_NAME_PATTERN, description: 'up to 100 lowercase letters, digits, `.`, `_` and `-`; never `---`' }),
    framework: Type.Optional(Framework),
  },
  { additionalProperties: true },
);
export type CreateProjectBody = Static<typeof CreateProjectBody>;
