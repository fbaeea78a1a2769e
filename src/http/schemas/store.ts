import { Type, type Static } from 'typebox';
import { MAX_ID_LENGTH } from '../json-limits.js';
import { BillingPlan } from './billing-plan.js';
import {
  DEPLOYMENT_TARGETS,
  FRAMEWORKS,
  GIT_PROVIDERS,
  NOTIFICATION_LEVELS,
  OWNERSHIPS,
  RESOURCE_STATUSES,
  SOURCES,
  STORE_STATUSES,
  StringEnum,
} from '../../schemas/enums.js';
import { Product, SecretRotation } from '../../schemas/product.js';

export {
  DEPLOYMENT_TARGETS,
  NOTIFICATION_LEVELS,
  OWNERSHIPS,
  RESOURCE_STATUSES,
  SOURCES,
  STORE_STATUSES,
  type DeploymentTarget,
  type ResourceStatus,
  type Source,
} from '../../schemas/enums.js';

const bool = () => Type.Optional(Type.Boolean());

/** `store.status` (vercel-contract.md §2.4): Stockroom's view of the store. `"ready"` is not in it (§10.5). */
export const StoreStatus = StringEnum(STORE_STATUSES);
export type StoreStatus = Static<typeof StoreStatus>;

/** `store.externalResourceStatus` (§2.4): the provider's own resource status, passed through (docs/rules.md §6). */
export const ExternalResourceStatus = StringEnum(RESOURCE_STATUSES);
export type ExternalResourceStatus = Static<typeof ExternalResourceStatus>;

/** A value of `metadata`, in the request (§2.2) and in `store.metadata` (§2.4). Keep it flat (§10.13). */
export const MetadataValue = Type.Union([
  Type.String(),
  Type.Number(),
  Type.Boolean(),
  Type.Array(Type.String()),
  Type.Array(Type.Number()),
]);
export type MetadataValue = Static<typeof MetadataValue>;

/** `store.metadata` / the request's `metadata`: name → {@link MetadataValue}. */
export const Metadata = Type.Record(Type.String(), MetadataValue);
export type Metadata = Static<typeof Metadata>;

/** `store.projectsMetadata[]` (§2.4): a project the store is connected to. */
export const ProjectsMetadata = Type.Object({
  /** The connection's id. */
  id: Type.String(),
  /** `prj_…` */
  projectId: Type.String(),
  name: Type.String(),
  /** Environments that receive the env vars. Any string (custom environments included) (§10.17). */
  environments: Type.Array(Type.String()),
  /** Names of the env vars added to the project. */
  environmentVariables: Type.Array(Type.String()),
  /** Soft-required and nullable: send `null` when there is no prefix. */
  envVarPrefix: Type.Union([Type.String(), Type.Null()]),
  /** Closed enum; send `null` for a framework outside it (§10.8). */
  framework: Type.Optional(Type.Union([StringEnum(FRAMEWORKS), Type.Null()])),
  latestDeployment: Type.Optional(Type.String()),
  makeEnvVarsSensitive: bool(),
  deployments: Type.Optional(
    Type.Object({
      required: Type.Boolean(),
      actions: Type.Array(Type.Object({ slug: Type.String(), environments: Type.Array(Type.String()) })),
    }),
  ),
});
export type ProjectsMetadata = Static<typeof ProjectsMetadata>;

/** `store.projectFilter` (§2.4). `providers` is a list of git providers or the string `"*"`. */
export const ProjectFilter = Type.Object({
  git: Type.Optional(
    Type.Object({
      providers: Type.Union([Type.Array(StringEnum(GIT_PROVIDERS)), Type.Literal('*')]),
      owners: Type.Optional(Type.Array(Type.String())),
      repos: Type.Optional(Type.Array(Type.String())),
    }),
  ),
});
export type ProjectFilter = Static<typeof ProjectFilter>;

/** `store.capabilities` (§2.4 StoreCapabilities): all optional. */
export const StoreCapabilities = Type.Object({
  agentTools: bool(),
  autoSensitive: bool(),
  billable: bool(),
  mcp: bool(),
  mcpReadonly: bool(),
  projects: bool(),
  secretRotation: Type.Optional(SecretRotation),
  secretsSync: bool(),
  sso: bool(),
  transferable: bool(),
  v0: bool(),
});
export type StoreCapabilities = Static<typeof StoreCapabilities>;

/** `store.protocolSettings` (§2.4). */
export const StoreProtocolSettings = Type.Object({
  authentication: Type.Optional(
    Type.Object({
      appUrls: Type.Optional(
        Type.Array(Type.Object({ target: StringEnum(DEPLOYMENT_TARGETS), url: Type.String() })),
      ),
    }),
  ),
  experimentation: Type.Optional(
    Type.Object({
      edgeConfigId: Type.Optional(Type.String()),
      edgeConfigSyncingEnabled: bool(),
      edgeConfigTokenId: Type.Optional(Type.String()),
      globalConfigId: Type.Optional(Type.String()),
      globalConfigSyncingEnabled: bool(),
    }),
  ),
});
export type StoreProtocolSettings = Static<typeof StoreProtocolSettings>;

/** A notification shown on the resource (§2.4): `store.notification`. */
export const Notification = Type.Object({
  level: StringEnum(NOTIFICATION_LEVELS),
  title: Type.String(),
  message: Type.Optional(Type.String()),
  href: Type.Optional(Type.String()),
});
export type Notification = Static<typeof Notification>;

/**
 * `store.secrets[]` (§2.4): names and lengths only, never values (§10.14, docs/rules.md §6). The
 * schema has no `value` key, so fast-json-stringify drops one even if it slipped into the object.
 */
export const SecretInfo = Type.Object({
  name: Type.String(),
  /** Length of the value, in characters. */
  length: Type.Integer({ minimum: 0 }),
  frameworkPublishable: bool(),
});
export type SecretInfo = Static<typeof SecretInfo>;

/**
 * An integration store, as the create response carries it (vercel-contract.md §2.4). Hard- and
 * soft-required fields of the SDK are required here, and so are the identity fields Stockroom adds
 * like Vercel does (`id`, `name`, `ownerId`, `createdAt`, `updatedAt`): the SDK strips them, but
 * raw-HTTP clients read `store.id` (§10.1). Timestamps are epoch milliseconds.
 */
export const Store = Type.Object({
  /** `store_…`: the resource id for connect (§5) and `GET /storage/stores/{id}` (§7.1). */
  id: Type.String(),
  name: Type.String(),
  /** The owning team (`team_…`). */
  ownerId: Type.String(),
  createdAt: Type.Integer(),
  updatedAt: Type.Integer(),
  projectsMetadata: Type.Array(ProjectsMetadata),
  projectFilter: Type.Optional(ProjectFilter),
  totalConnectedProjects: Type.Optional(Type.Integer({ minimum: 0 })),
  usageQuotaExceeded: Type.Boolean(),
  /** Soft-required and nullable: always sent, `null` only when unknown. */
  status: Type.Union([StoreStatus, Type.Null()]),
  ownership: Type.Optional(StringEnum(OWNERSHIPS)),
  capabilities: Type.Optional(StoreCapabilities),
  metadata: Type.Optional(Metadata),
  /** The provider's id for the resource; the only id SDK users see. */
  externalResourceId: Type.String(),
  externalResourceStatus: Type.Optional(Type.Union([ExternalResourceStatus, Type.Null()])),
  directPartnerConsoleUrl: Type.Optional(Type.String()),
  product: Product,
  protocolSettings: Type.Optional(StoreProtocolSettings),
  notification: Type.Optional(Notification),
  secrets: Type.Array(SecretInfo),
  /** The plan in force, echoed in full (docs/rules.md §2). */
  billingPlan: Type.Optional(BillingPlan),
  secretRotationRequestedAt: Type.Optional(Type.Integer()),
  secretRotationRequestedReason: Type.Optional(Type.String()),
  /** User or team id. */
  secretRotationRequestedBy: Type.Optional(Type.String()),
  secretRotationCompletedAt: Type.Optional(Type.Integer()),
  /** The parent resource, e.g. a sandbox's owner account resource. */
  parentId: Type.Optional(Type.String()),
  targets: Type.Optional(Type.Array(StringEnum(DEPLOYMENT_TARGETS))),
});
export type Store = Static<typeof Store>;

/**
 * 200 body of `POST /v1/storage/stores/integration/direct` (§2.3). The SDK would accept
 * `{store: null}`, but Stockroom always answers with the store (§10.2).
 */
export const CreateStoreResponse = Type.Object({ store: Store });
export type CreateStoreResponse = Static<typeof CreateStoreResponse>;

/** Product id format `iap_…` (§2.2 variant 1). */
export const PRODUCT_ID_PATTERN = '^iap_[a-zA-Z0-9_]+$';
/** Product slug format (§2.2 variant 2). Never overlaps the id format (`_` vs `-`). */
export const PRODUCT_SLUG_PATTERN = '^[a-z0-9-]+$';
/** Installation id (§2.2). No `_` or `-` after the prefix (docs/rules.md §8). */
export const INTEGRATION_CONFIGURATION_ID_PATTERN = '^icfg_[a-zA-Z0-9]+$';

/**
 * Body of `POST /v1/storage/stores/integration/direct` (vercel-contract.md §2.2, docs/rules.md §1.4).
 * Enforces what the docs state and the SDK does not check (§10.3): `name` length, the `icfg_`
 * pattern, the two product patterns and `prepaymentAmountCents` ≥ 50. Unknown top-level keys are
 * allowed. Assumes a validator without type coercion: with coercion, `42` would pass as the slug `"42"`.
 */
export const CreateStoreDirectBody = Type.Object(
  {
    /** Human-readable name of the resource. */
    name: Type.String({ minLength: 1, maxLength: 128 }),
    integrationConfigurationId: Type.String({ pattern: INTEGRATION_CONFIGURATION_ID_PATTERN }),
    /** Required by the docs although the SDK types it `any` and may omit it (§10.3). */
    integrationProductIdOrSlug: Type.Union([
      Type.String({ pattern: PRODUCT_ID_PATTERN }),
      Type.String({ pattern: PRODUCT_SLUG_PATTERN }),
    ]),
    /** Checked further against the product's `metadataSchema` (docs/rules.md §1.7). */
    metadata: Type.Optional(Metadata),
    /** Client-side dedupe handle, unique within an installation (docs/rules.md §4). */
    externalId: Type.Optional(Type.String({ maxLength: MAX_ID_LENGTH })),
    protocolSettings: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    /** The SDK sends `"marketplace"` when the caller leaves it out (§10.4). */
    source: Type.Optional(StringEnum(SOURCES, { default: 'marketplace' })),
    /** Omitted: the first free plan is used (docs/rules.md §2). */
    billingPlanId: Type.Optional(Type.String({ maxLength: MAX_ID_LENGTH })),
    /** Omitted: the team's default payment method (docs/rules.md §3). */
    paymentMethodId: Type.Optional(Type.String({ maxLength: MAX_ID_LENGTH })),
    /** Integer cents, for prepayment plans with a variable amount. */
    prepaymentAmountCents: Type.Optional(Type.Integer({ minimum: 50 })),
  },
  { additionalProperties: true },
);
export type CreateStoreDirectBody = Static<typeof CreateStoreDirectBody>;

/** The only store fields `getStorageStoresById` keeps (vercel-contract.md §7.1), and the id. */
export const StoreStatusView = Type.Object({
  id: Type.String(),
  projectsMetadata: Type.Array(ProjectsMetadata),
  status: Type.Union([StoreStatus, Type.Null()]),
  usageQuotaExceeded: Type.Boolean(),
  totalConnectedProjects: Type.Integer({ minimum: 0 }),
});
export type StoreStatusView = Static<typeof StoreStatusView>;
