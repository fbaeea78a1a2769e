import { Type, type Static } from 'typebox';
import {
  DISABLED_REASONS,
  INSTALLATION_TYPES,
  INTEGRATION_TAG_IDS,
  RESOURCE_STATUSES,
  SOURCES,
  StringEnum,
} from '../../schemas/enums.js';
import { ConfigurationProduct } from '../../schemas/product.js';

export { DISABLED_REASONS, INSTALLATION_TYPES, INTEGRATION_TAG_IDS, type IntegrationTagId } from '../../schemas/enums.js';

const nullableTimestamp = () => Type.Optional(Type.Union([Type.Integer(), Type.Null()]));

/**
 * The fields of an installation (integration configuration) that getConfiguration's variant 2
 * (vercel-contract.md §4.2) and getConfigurations' variant B (§4.1) share. The SDK's soft-required
 * ones are required here. Timestamps are epoch milliseconds.
 */
const configurationFields = {
  /** `icfg_…` */
  id: Type.String(),
  /** `oac_…` */
  integrationId: Type.String(),
  /** The team (or user) that owns the installation. */
  ownerId: Type.String(),
  /** The integration's slug. */
  slug: Type.String(),
  /** The user who installed it. */
  userId: Type.String(),
  createdAt: Type.Integer(),
  updatedAt: Type.Integer(),
  scopes: Type.Array(Type.String()),
  type: Type.Literal('integration-configuration'),
  acceptedPoliciesInheritedFromInstallationId: Type.Optional(Type.String()),
  completedAt: Type.Optional(Type.Integer()),
  customerDeleteRequestedAt: nullableTimestamp(),
  deletedAt: nullableTimestamp(),
  deleteRequestedAt: nullableTimestamp(),
  disabledAt: Type.Optional(Type.Integer()),
  disabledReason: Type.Optional(StringEnum(DISABLED_REASONS)),
  externalId: Type.Optional(Type.String()),
  /** Absent means `external`; Stockroom's installations are `marketplace`. */
  installationType: Type.Optional(StringEnum(INSTALLATION_TYPES)),
  /** Project ids the installation is limited to. */
  projects: Type.Optional(Type.Array(Type.String())),
  source: Type.Optional(StringEnum(SOURCES)),
  /** Absent means `ready`. */
  status: Type.Optional(StringEnum(RESOURCE_STATUSES)),
  teamId: Type.Optional(Type.Union([Type.String(), Type.Null()])),
};

/** 200 body of `GET /v1/integrations/configuration/{id}` (§4.2, variant 2: no transfer request). */
export const IntegrationConfiguration = Type.Object(configurationFields);
export type IntegrationConfiguration = Static<typeof IntegrationConfiguration>;

/**
 * Body of `PATCH /v1/integrations/configuration/{id}`, as `vercel integration update` sends it:
 * `{billingPlanId, authorizationId?}` (`--plan`) or `{projects}` (`--projects`), one of the two.
 */
export const UpdateConfigurationBody = Type.Object(
  {
    billingPlanId: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
    /** `--authorization-id`: recorded with the change's ledger rows; Stockroom authorizes the card itself. */
    authorizationId: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
    /** `"all"`, or the ids of the team's projects that may use the installation. */
    projects: Type.Optional(Type.Union([Type.Literal('all'), Type.Array(Type.String({ minLength: 1, maxLength: 128 }), { minItems: 1, maxItems: 1000 })])),
  },
);

/** The integration embedded in an account-view configuration (§4.1 variant B). */
export const ConfigurationIntegration = Type.Object({
  name: Type.String(),
  /**
   * Not in the SDK's type (its parser drops it), but `vercel integration installations` prints
   * `integration.slug` in its Integration column, and the integration id without it.
   */
  slug: Type.String(),
  /** Icon URL. */
  icon: Type.String(),
  isLegacy: Type.Boolean(),
  flags: Type.Optional(Type.Array(Type.String())),
  assignedBetaLabelAt: Type.Optional(Type.Integer()),
  tagIds: Type.Optional(Type.Array(StringEnum(INTEGRATION_TAG_IDS))),
});
export type ConfigurationIntegration = Static<typeof ConfigurationIntegration>;

/** An item of `GET /v1/integrations/configurations?view=account` (§4.1 variant B). */
export const AccountConfiguration = Type.Object({
  ...configurationFields,
  integration: ConfigurationIntegration,
});
export type AccountConfiguration = Static<typeof AccountConfiguration>;

/** Query of `GET /v1/integrations/configurations` (§4.1). `view` is required. */
export const ConfigurationsQuery = Type.Object({
  view: StringEnum(['account', 'project']),
  installationType: Type.Optional(StringEnum(['marketplace', 'external', 'provisioning'])),
  integrationIdOrSlug: Type.Optional(Type.String()),
  teamId: Type.Optional(Type.String()),
  slug: Type.Optional(Type.String()),
});
export type ConfigurationsQuery = Static<typeof ConfigurationsQuery>;

/** 200 body of `GET /v1/integrations/configurations`: a top-level JSON array, not an object (§4.1). */
export const ConfigurationsResponse = Type.Array(AccountConfiguration);
export type ConfigurationsResponse = Static<typeof ConfigurationsResponse>;

/** 200 body of `GET /v1/integrations/configuration/{id}/products` (§4.3). */
export const ConfigurationProductsResponse = Type.Object({
  configuration: Type.Object({ id: Type.String() }),
  integration: Type.Object({ id: Type.String(), slug: Type.String(), name: Type.String() }),
  products: Type.Array(ConfigurationProduct),
});
export type ConfigurationProductsResponse = Static<typeof ConfigurationProductsResponse>;
