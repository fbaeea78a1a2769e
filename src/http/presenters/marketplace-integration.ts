import type { Static } from 'typebox';
import type { CatalogIntegration, CatalogProduct } from '../../catalog/catalog.js';
import type { MarketplaceIntegration, MarketplaceProduct } from '../schemas/marketplace.js';
import { findCategory } from '../../schemas/categories.js';
import { presentConfigurationProduct } from './configuration.js';

/** An integration of the catalog as `GET /v2/integrations/integration/{slug}` answers it, and each entry of `GET /v2/integrations/integrations`. */
export function presentMarketplaceIntegration(integration: CatalogIntegration): Static<typeof MarketplaceIntegration> {
  return {
    id: integration.id,
    slug: integration.slug,
    name: integration.name,
    icon: integration.icon,
    ...(integration.shortDescription !== undefined ? { shortDescription: integration.shortDescription } : {}),
    isMarketplace: true,
    // Every catalog integration installs without a browser: Stockroom has no device checks.
    canInstall: true,
    tagIds: integrationTagIds(integration),
    ...(integration.eulaDocUri !== undefined ? { eulaDocUri: integration.eulaDocUri } : {}),
    ...(integration.privacyDocUri !== undefined ? { privacyDocUri: integration.privacyDocUri } : {}),
    // The catalog loader checked these keys against IntegrationCapabilities.
    capabilities: { ...(integration.capabilities ?? {}) } as Static<typeof MarketplaceIntegration>['capabilities'],
    products: integration.products.map(presentMarketplaceProduct),
  };
}

function presentMarketplaceProduct(product: CatalogProduct): Static<typeof MarketplaceProduct> {
  return {
    ...presentConfigurationProduct(product),
    ...(product.shortDescription !== undefined ? { shortDescription: product.shortDescription } : {}),
    ...(product.iconUrl !== undefined ? { iconUrl: product.iconUrl } : {}),
    tags: [...product.tags] as Static<typeof MarketplaceProduct>['tags'],
    ...(product.resourceTitle !== undefined ? { resourceTitle: product.resourceTitle } : {}),
    guides: product.guides as Static<typeof MarketplaceProduct>['guides'],
    snippets: product.snippets.map((snippet) => ({ ...snippet })),
    resourceLinks: product.resourceLinks.map((link) => ({ ...link })),
  };
}

/** The catalog's category slugs as the `tag_*` ids the wire carries (the loader checked each is an integration category). */
export function integrationTagIds(integration: CatalogIntegration): Static<typeof MarketplaceIntegration>['tagIds'] {
  return integration.categories.map((slug) => findCategory(slug)!.id) as Static<typeof MarketplaceIntegration>['tagIds'];
}

/** `{id, slug, name}`, how auto-provision answers name the integration and the product. */
export function named(entry: { readonly id: string; readonly slug: string; readonly name: string }): { id: string; slug: string; name: string } {
  return { id: entry.id, slug: entry.slug, name: entry.name };
}
