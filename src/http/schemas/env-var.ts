import { Type, type Static } from 'typebox';
import { StringEnum } from '../../schemas/enums.js';
import { Pagination } from './pagination.js';

/**
 * One env var of a project, in the shape `@vercel/sdk`'s `filterProjectEnvs` parses
 * (`securityIssues` is hard-required there, `target` a closed list of the three standard targets;
 * custom environments go to `customEnvironmentIds`). Timestamps are epoch milliseconds.
 */
export const ProjectEnv = Type.Object({
  id: Type.String(),
  key: Type.String(),
  /** The value when decrypted and readable, otherwise `""`. */
  value: Type.String(),
  decrypted: Type.Boolean(),
  target: Type.Array(StringEnum(['production', 'preview', 'development'])),
  customEnvironmentIds: Type.Array(Type.String()),
  /** `sensitive` values are write-only (never returned); `encrypted` ones can be decrypted. */
  type: StringEnum(['encrypted', 'sensitive']),
  /** The installation the value comes from. */
  configurationId: Type.String(),
  system: Type.Boolean(),
  securityIssues: Type.Array(Type.String()),
  contentHint: Type.Object({
    type: Type.Literal('integration-store-secret'),
    storeId: Type.String(),
    integrationId: Type.String(),
    integrationProductId: Type.String(),
    integrationConfigurationId: Type.String(),
  }),
  createdAt: Type.Integer(),
  updatedAt: Type.Integer(),
});
export type ProjectEnv = Static<typeof ProjectEnv>;

/** `GET /v9|v10/projects/{idOrName}/env`: every env var at once, so `next` is always null. */
export const ProjectEnvList = Type.Object({ envs: Type.Array(ProjectEnv), pagination: Pagination });
export type ProjectEnvList = Static<typeof ProjectEnvList>;

/** `GET /v3/env/pull/{projectId}/{target}`: what `vercel env pull` writes to `.env.local`. */
export const EnvPull = Type.Object({ env: Type.Record(Type.String(), Type.String()) });
export type EnvPull = Static<typeof EnvPull>;
