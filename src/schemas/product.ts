import { Type, type Static } from 'typebox';
import {
  GUIDE_ACTION_TYPES,
  PRODUCT_TAGS,
  PROJECT_CONNECTION_SCOPES,
  PROTOCOLS,
  StringEnum,
  TOGGLE_STATUSES,
} from './enums.js';
import { MetadataSchema } from './metadata-schema.js';

export {
  FRAMEWORKS,
  GUIDE_ACTION_TYPES,
  PRODUCT_TAGS,
  PROJECT_CONNECTION_SCOPES,
  PROTOCOLS,
  TOGGLE_STATUSES,
  type Framework,
  type ProductTag,
  type ProjectConnectionScope,
  type Protocol,
} from './enums.js';

const bool = () => Type.Optional(Type.Boolean());

/** A protocol name (§2.4): `primaryProtocol`, `supportedProtocols[]`. */
export const ProtocolName = StringEnum(PROTOCOLS);
export type ProtocolName = Static<typeof ProtocolName>;

/** `secretRotation` capability: a boolean, or `{maxDelayHours, customRotationWarning?}` (vercel-contract.md §2.4, §10.6). */
export const SecretRotation = Type.Union([
  Type.Boolean(),
  Type.Object({
    maxDelayHours: Type.Number(),
    customRotationWarning: Type.Optional(Type.String()),
  }),
]);
export type SecretRotation = Static<typeof SecretRotation>;

/** `product.integration.capabilities` (§2.4 IntegrationCapabilities): all optional; `maxAllowedTeams` is a number. */
export const IntegrationCapabilities = Type.Object({
  billable: bool(),
  checks: bool(),
  connectedImportResource: bool(),
  connectedProvisioning: bool(),
  flexCommitEligible: bool(),
  importResource: bool(),
  maxAllowedTeams: Type.Optional(Type.Number()),
  mcp: bool(),
  mcpReadonly: bool(),
  nativeImportResource: bool(),
  provisioning: bool(),
  requiresBrowserInstall: bool(),
  secretRotation: Type.Optional(SecretRotation),
  sso: bool(),
  templateCloneOnly: bool(),
  transferable: bool(),
  updateConfiguration: bool(),
  v0Flavors: bool(),
});
export type IntegrationCapabilities = Static<typeof IntegrationCapabilities>;

/** What names an integration wherever the wire carries one: `id` (`oac_…`), `slug`, `name`, `icon` (a URL). */
export const IntegrationIdentity = Type.Object({
  id: Type.String(),
  slug: Type.String(),
  name: Type.String(),
  icon: Type.String(),
});

/** `product.integration` (§2.4): `id`, `slug`, `name`, `icon` are soft-required, so required here. */
export const ProductIntegration = Type.Object({
  ...IntegrationIdentity.properties,
  flags: Type.Optional(Type.Array(Type.String())),
  supportsInstallationBillingPlans: bool(),
  capabilities: Type.Optional(IntegrationCapabilities),
});
export type ProductIntegration = Static<typeof ProductIntegration>;

/** `product.capabilities` (§2.4 ProductCapabilities): all optional. */
export const ProductCapabilities = Type.Object({
  agentTools: bool(),
  autoSensitive: bool(),
  billable: bool(),
  connectedImportResource: bool(),
  databaseUI: bool(),
  importResource: bool(),
  linking: bool(),
  mcp: bool(),
  mcpReadonly: bool(),
  nativeImportResource: bool(),
  projects: bool(),
  sandbox: bool(),
  secretRotation: Type.Optional(SecretRotation),
  secretsSync: bool(),
  sso: bool(),
  transferable: bool(),
  v0: bool(),
  v0Flavors: bool(),
});
export type ProductCapabilities = Static<typeof ProductCapabilities>;

/** `product.resourceLinks[]` (§2.4). */
export const ResourceLink = Type.Object({ title: Type.String(), href: Type.String() });
export type ResourceLink = Static<typeof ResourceLink>;

/** A product's REPL support: `product.repl` (§2.4) and `protocols.storage.repl` (§4.3). */
export const Repl = Type.Object({
  enabled: Type.Boolean(),
  supportsReadOnlyMode: Type.Boolean(),
  welcomeMessage: Type.Optional(Type.String()),
});
export type Repl = Static<typeof Repl>;

/** `product.guides[]` (§2.4): per-framework setup steps. */
export const Guide = Type.Object({
  /** Free text here (not the closed framework enum). */
  framework: Type.String(),
  title: Type.String(),
  steps: Type.Array(
    Type.Object({
      title: Type.String(),
      content: Type.String(),
      actions: Type.Optional(Type.Array(Type.Object({ type: StringEnum(GUIDE_ACTION_TYPES) }))),
    }),
  ),
});
export type Guide = Static<typeof Guide>;

/**
 * `product.snippets[]` of the marketplace's integration read: what `vercel integration guide` prints
 * as a fenced block (` ```language `) headed by `name`. Not in `@vercel/sdk`; the CLI reads these
 * three fields.
 */
export const Snippet = Type.Object({ name: Type.String(), language: Type.String(), content: Type.String() });
export type Snippet = Static<typeof Snippet>;

/**
 * `store.product` in the create response (vercel-contract.md §2.4). `integration` and
 * `supportedProtocols` are hard-required, `integrationConfigurationId` soft-required; the rest is
 * optional in the SDK and left optional here.
 */
export const Product = Type.Object({
  integration: ProductIntegration,
  /** `icfg_…` of the installation the store belongs to. */
  integrationConfigurationId: Type.String(),
  supportedProtocols: Type.Array(ProtocolName),
  primaryProtocol: Type.Optional(ProtocolName),
  /** `iap_…` */
  id: Type.Optional(Type.String()),
  slug: Type.Optional(Type.String()),
  name: Type.Optional(Type.String()),
  iconUrl: Type.Optional(Type.String()),
  shortDescription: Type.Optional(Type.String()),
  /** Custom resource title for install/config screens. */
  resourceTitle: Type.Optional(Type.String()),
  capabilities: Type.Optional(ProductCapabilities),
  metadataSchema: Type.Optional(MetadataSchema),
  resourceLinks: Type.Optional(Type.Array(ResourceLink)),
  tags: Type.Optional(Type.Array(StringEnum(PRODUCT_TAGS))),
  projectConnectionScopes: Type.Optional(Type.Array(StringEnum(PROJECT_CONNECTION_SCOPES))),
  showSSOLinkOnProjectConnection: bool(),
  disableResourceRenaming: bool(),
  /** URLs of skills/guides for AI agents. */
  agentSkills: Type.Optional(Type.Array(Type.String())),
  repl: Type.Optional(Repl),
  guides: Type.Optional(Type.Array(Guide)),
  logDrainStatus: Type.Optional(StringEnum(TOGGLE_STATUSES)),
});
export type Product = Static<typeof Product>;

const status = StringEnum(TOGGLE_STATUSES);
const simpleProtocol = () => Type.Optional(Type.Object({ status }));
const drainHeaders = Type.Optional(Type.Record(Type.String(), Type.String()));

/** `products[].protocols` of getConfigurationProducts (§4.3): one optional entry per protocol, each with a hard-required `status`. */
export const ProductProtocols = Type.Object({
  ai: simpleProtocol(),
  authentication: Type.Optional(Type.Object({ status, appUrlRegistrationSupport: bool() })),
  checks: simpleProtocol(),
  experimentation: Type.Optional(Type.Object({ status, edgeConfigSyncingSupport: bool() })),
  logDrain: Type.Optional(
    Type.Object({
      status,
      endpoint: Type.String(),
      headers: drainHeaders,
      format: StringEnum(['json', 'ndjson']),
    }),
  ),
  messaging: simpleProtocol(),
  observability: simpleProtocol(),
  other: simpleProtocol(),
  storage: Type.Optional(Type.Object({ status, repl: Type.Optional(Repl) })),
  traceDrain: Type.Optional(
    Type.Object({
      status,
      endpoint: Type.String(),
      headers: drainHeaders,
      format: StringEnum(['json', 'proto']),
    }),
  ),
  video: simpleProtocol(),
  workflow: simpleProtocol(),
});
export type ProductProtocols = Static<typeof ProductProtocols>;

/** A product as getConfigurationProducts lists it (§4.3): `protocols` and `metadataSchema` are hard-required. */
export const ConfigurationProduct = Type.Object({
  id: Type.String(),
  slug: Type.String(),
  name: Type.String(),
  primaryProtocol: Type.Optional(ProtocolName),
  protocols: ProductProtocols,
  metadataSchema: MetadataSchema,
});
export type ConfigurationProduct = Static<typeof ConfigurationProduct>;
