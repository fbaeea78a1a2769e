import type { MetadataSchema } from '../domain/metadata.js';

/**
 * The integrations and products this Stockroom offers, loaded from a declarative file
 * (issue 3 §1). The catalog is configuration: every replica loads the same file, so it may live
 * in memory.
 */
export interface Catalog {
  readonly integrations: readonly CatalogIntegration[];
  /** By id (`oac_…`) or slug. */
  findIntegration(idOrSlug: string): CatalogIntegration | undefined;
  /** By id (`iap_…`) or slug, within one integration. */
  findProduct(integration: CatalogIntegration, idOrSlug: string): CatalogProduct | undefined;
}

export interface CatalogIntegration {
  /** `oac_…`: letters and digits after the prefix. */
  readonly id: string;
  readonly slug: string;
  readonly name: string;
  /** URL of the integration's icon. */
  readonly icon: string;
  readonly shortDescription?: string;
  /** The JWT `aud` Stockroom signs provider calls with. */
  readonly clientId: string;
  /**
   * Signs webhooks to the partner and authenticates its SSO token exchanges; never sent in API
   * answers. From the file, or from the environment variable `clientSecretEnv` names; a built-in
   * provider without one gets a secret derived from the encryption key (server.ts).
   */
  readonly clientSecret?: string;
  readonly clientSecretEnv?: string;
  /** Where webhooks are delivered: an http(s) URL or `builtin:<name>/<path>` (see `resolvePartnerUrl`). */
  readonly webhookUrl?: string;
  /** The partner's Redirect Login URL for SSO, in the same forms as `webhookUrl`. */
  readonly redirectLoginUrl?: string;
  /**
   * Where the provider's partner API lives. `builtin:<name>` names a provider Stockroom mounts in
   * its own server (`builtin:reference` → `<public URL>/partners/reference`), still reached over HTTP.
   */
  readonly providerBaseUrl: string;
  readonly eulaDocUri?: string;
  readonly privacyDocUri?: string;
  /** Vercel's IntegrationCapabilities (vercel-contract.md §2.4); `{}` when the file has none. */
  readonly capabilities?: Readonly<Record<string, unknown>>;
  /** `[]` when the file has none. */
  readonly flags?: readonly string[];
  /** Category slugs (src/schemas/categories.ts), integration-level ones only; `[]` when the file has none. */
  readonly categories: readonly string[];
  readonly products: readonly CatalogProduct[];
}

export interface CatalogProduct {
  /** `iap_…`: letters, digits and underscores after the prefix. */
  readonly id: string;
  /** `^[a-z0-9-]+$`; also the product id sent to the provider unless `providerProductId` is set. */
  readonly slug: string;
  /** The `productId` sent to the provider (partner-api.md); the slug unless the file says otherwise. */
  readonly providerProductId: string;
  readonly name: string;
  readonly iconUrl?: string;
  readonly shortDescription?: string;
  /** Protocols from vercel-contract.md §2.4's closed enum. */
  readonly supportedProtocols: readonly string[];
  readonly primaryProtocol: string;
  /** Vercel's ProductCapabilities, only its keys (checked at load); `{}` when the file has none. */
  readonly capabilities: Readonly<Record<string, unknown>>;
  /** JSON Schema with Vercel's `ui:*` keys (vercel-contract.md §2.5). */
  readonly metadataSchema: MetadataSchema;
  /** Closed enum of vercel-contract.md §2.4; this and the lists below are `[]` when the file has none. */
  readonly tags: readonly string[];
  readonly resourceLinks: ReadonlyArray<{ readonly title: string; readonly href: string }>;
  /** One per framework (`nextjs`, `sveltekit`…): `{framework, title, steps[{title, content, actions?}]}`. */
  readonly guides: ReadonlyArray<CatalogGuide>;
  /** Code shown under every framework's guide: `{name, language, content}`. */
  readonly snippets: ReadonlyArray<{ readonly name: string; readonly language: string; readonly content: string }>;
  readonly resourceTitle?: string;
  readonly projectConnectionScopes?: readonly string[];
}

export interface CatalogGuide {
  readonly framework: string;
  readonly title: string;
  readonly steps: ReadonlyArray<{ readonly title: string; readonly content: string; readonly actions?: ReadonlyArray<{ readonly type: string }> }>;
}

/**
 * A partner URL from the catalog (`webhookUrl`, `redirectLoginUrl`) as it is called:
 * `builtin:<name>/<path>` is `<path>` under that built-in provider's base URL, which only the
 * server knows (`providerBaseUrl`); an http(s) URL is used as it is.
 */
export function resolvePartnerUrl(configured: string, providerBaseUrl: (configured: string) => string): string {
  const builtin = /^(builtin:[a-z0-9-]+)(\/.*)$/.exec(configured);
  return builtin ? `${providerBaseUrl(builtin[1]!)}${builtin[2]}` : configured;
}
