import { Type, type Static } from 'typebox';
import { PROJECT_NAME_PATTERN } from '../../domain/projects.js';
import { FRAMEWORKS, StringEnum } from '../../schemas/enums.js';

/** A project's framework: Vercel's closed list, or null (vercel-contract.md §10.8). */
export const Framework = Type.Union([StringEnum(FRAMEWORKS), Type.Null()]);

/** Node.js versions `@vercel/sdk` 1.28.35 accepts in a project's `nodeVersion` (a closed enum). */
export const NODE_VERSIONS = ['24.x', '22.x', '20.x', '18.x', '16.x', '14.x', '12.x', '10.x', '8.10.x'] as const;

/** Where a project's functions run by default; Stockroom runs none, so the list is empty. */
const ResourceConfig = Type.Object({ functionDefaultRegions: Type.Array(Type.String()) });

/**
 * A project as Vercel answers it, cut to the fields Stockroom models plus every field
 * `@vercel/sdk` 1.28.35 requires of a project (createProject, getProject, getProjects): without
 * `alias`, `defaultResourceConfig`, `deploymentExpiration`, `nodeVersion` and `resourceConfig` the
 * SDK throws, without `directoryListing` it invents `false`. Stockroom does not build or deploy,
 * so those carry the values of a project that never deployed (docs/projects.md). Timestamps are
 * epoch milliseconds.
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
  /** Domains of the project's deployments: Stockroom deploys nothing, so there are none. */
  alias: Type.Array(Type.Unknown(), { maxItems: 0 }),
  defaultResourceConfig: ResourceConfig,
  resourceConfig: ResourceConfig,
  /** Vercel's retention policy of old deployments; no deployments, no policy. */
  deploymentExpiration: Type.Object({}),
  directoryListing: Type.Boolean(),
  nodeVersion: StringEnum(NODE_VERSIONS),
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
