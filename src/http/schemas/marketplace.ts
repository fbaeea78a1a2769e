import { Type, type Static } from 'typebox';
import { BillingPlan } from './billing-plan.js';
import { INTEGRATION_TAG_IDS, PRODUCT_TAGS, SOURCES, StringEnum } from '../../schemas/enums.js';
import { ConfigurationProduct, Guide, IntegrationCapabilities, IntegrationIdentity, ResourceLink, Snippet } from '../../schemas/product.js';

/**
 * The shapes of the marketplace install flow the vercel CLI drives (`vercel integration add`,
 * partner-api.md §3.2): the integration as the catalog read answers it, and the two answers of
 * auto-provision. The CLI reads them without a schema; every field it reads is required here.
 */

/**
 * A product of `GET /v2/integrations/integration/{slug}` and of the discover list:
 * getConfigurationProducts' product plus what the CLI shows (`discover` reads `name`,
 * `shortDescription`, `tags`; `guide` reads `guides`, `snippets`, `resourceLinks`).
 */
export const MarketplaceProduct = Type.Object({
  ...ConfigurationProduct.properties,
  shortDescription: Type.Optional(Type.String()),
  iconUrl: Type.Optional(Type.String()),
  tags: Type.Array(StringEnum(PRODUCT_TAGS)),
  resourceTitle: Type.Optional(Type.String()),
  guides: Type.Array(Guide),
  snippets: Type.Array(Snippet),
  resourceLinks: Type.Array(ResourceLink),
});
export type MarketplaceProduct = Static<typeof MarketplaceProduct>;

/**
 * `GET /v2/integrations/integration/{slug}` and each entry of `GET /v2/integrations/integrations`:
 * the CLI needs `id`, `slug`, `name`, `products`, and reads the terms' URLs and capabilities;
 * `discover` lists only entries with `isMarketplace` and `canInstall`, and shows `tagIds` (category
 * ids) by their category's title.
 */
export const MarketplaceIntegration = Type.Object({
  ...IntegrationIdentity.properties,
  shortDescription: Type.Optional(Type.String()),
  isMarketplace: Type.Literal(true),
  canInstall: Type.Boolean(),
  tagIds: Type.Array(StringEnum(INTEGRATION_TAG_IDS)),
  eulaDocUri: Type.Optional(Type.String()),
  privacyDocUri: Type.Optional(Type.String()),
  capabilities: IntegrationCapabilities,
  products: Type.Array(MarketplaceProduct),
});
export type MarketplaceIntegration = Static<typeof MarketplaceIntegration>;

/** `GET /v2/integrations/categories`: one per category; the CLI reads `id` (to title `tag_*` tags), `slug` and `title`. */
export const MarketplaceCategory = Type.Object({ id: StringEnum(PRODUCT_TAGS), slug: Type.String(), title: Type.String() });
export type MarketplaceCategory = Static<typeof MarketplaceCategory>;

const Named = Type.Object({ id: Type.String(), slug: Type.String(), name: Type.String() });

/** The auto-provision request the CLI sends (`source: "cli"`; `installationMetadata` only for integrations with installation metadata). */
export const AutoProvisionBody = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 128 }),
  metadata: Type.Optional(Type.Record(Type.String(), Type.Union([Type.String(), Type.Number(), Type.Boolean(), Type.Array(Type.String()), Type.Array(Type.Number())]))),
  acceptedPolicies: Type.Optional(Type.Record(Type.String(), Type.String({ maxLength: 64 }))),
  source: Type.Optional(StringEnum(SOURCES)),
  billingPlanId: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
  installationId: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
  installationMetadata: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
});
export type AutoProvisionBody = Static<typeof AutoProvisionBody>;

/** Success: `{kind: "provisioned", …}`; `resource.id` is the store id the CLI then connects. */
export const AutoProvisioned = Type.Object({
  kind: Type.Literal('provisioned'),
  integration: Named,
  product: Named,
  installation: Type.Object({ id: Type.String() }),
  resource: Type.Object({
    id: Type.String(),
    externalResourceId: Type.String(),
    name: Type.String(),
    status: Type.String(),
    secretKeys: Type.Array(Type.String()),
  }),
  billingPlan: Type.Union([BillingPlan, Type.Null()]),
});
export type AutoProvisioned = Static<typeof AutoProvisioned>;

const FallbackFields = {
  kind: Type.Literal('unknown'),
  reason: Type.String(),
  error_message: Type.String(),
  /** Where a person finishes: this Stockroom's console, on its create form. */
  url: Type.String(),
  integration: Named,
  product: Named,
  installations: Type.Optional(Type.Array(Type.Object({ id: Type.String(), type: Type.String(), status: Type.String() }))),
};

/**
 * 422, "finish in the browser". Vercel sends the fields at the top level; the vercel CLI reads
 * them from `error` when a body has one. Stockroom's rule that every error body is
 * `{"error":{"code","message"}}` (README, "Rules") is kept by sending them in both places.
 */
export const AutoProvisionFallback = Type.Object({
  ...FallbackFields,
  error: Type.Object({ code: Type.Literal('action_required'), message: Type.String(), ...FallbackFields }),
});
export type AutoProvisionFallback = Static<typeof AutoProvisionFallback>;
