import { Type, type Static } from 'typebox';
import { ENV_VAR_PREFIX_PATTERN } from '../../domain/store-connections.js';

const Environments = Type.Array(Type.String({ minLength: 1, maxLength: 128 }), {
  minItems: 1,
  maxItems: 50,
  description: '`production`, `preview`, `development` or custom environment ids; all three standard ones when omitted',
});

/**
 * Body of `POST /v1/storage/stores/{storeId}/connections`, as the vercel CLI sends it
 * (partner-api.md §3.2): `{envVarEnvironments, projectId, type: "integration", envVarPrefix?}`.
 */
export const ConnectStoreBody = Type.Object(
  {
    projectId: Type.String({ minLength: 1, maxLength: 128 }),
    envVarEnvironments: Type.Optional(Environments),
    envVarPrefix: Type.Optional(Type.String({ pattern: ENV_VAR_PREFIX_PATTERN, maxLength: 64 })),
    type: Type.Optional(Type.Literal('integration')),
    makeEnvVarsSensitive: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: true },
);
export type ConnectStoreBody = Static<typeof ConnectStoreBody>;

/** Body of `connectIntegrationResourceToProject` (vercel-contract.md §5). */
export const ConnectResourceBody = Type.Object(
  {
    projectId: Type.String({ minLength: 1, maxLength: 128 }),
    envVarEnvironments: Type.Optional(Environments),
    makeEnvVarsSensitive: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: true },
);
export type ConnectResourceBody = Static<typeof ConnectResourceBody>;

/** 200 body of the CLI's connect. */
export const ConnectionResponse = Type.Object({
  connection: Type.Object({
    /** `spc_…` */
    id: Type.String(),
    projectId: Type.String(),
    environments: Type.Array(Type.String()),
    envVarPrefix: Type.Union([Type.String(), Type.Null()]),
  }),
});
export type ConnectionResponse = Static<typeof ConnectionResponse>;
