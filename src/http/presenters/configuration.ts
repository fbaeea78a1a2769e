import { integrationTagIds } from './marketplace-integration.js';
import type { Static } from 'typebox';
import type { CatalogIntegration, CatalogProduct } from '../../catalog/catalog.js';
import type { Installation } from '../../domain/installations.js';
import type { AccountConfiguration, ConfigurationProduct, IntegrationConfiguration } from '../schemas/index.js';

/** An installation as Vercel's getConfiguration answers it (vercel-contract.md §4.2, variant 2). */
export function presentConfiguration(installation: Installation, integration: CatalogIntegration): Static<typeof IntegrationConfiguration> {
  return {
    id: installation.id,
    integrationId: integration.id,
    ownerId: installation.teamId,
    slug: integration.slug,
    userId: installation.userId,
    createdAt: installation.createdAt,
    updatedAt: installation.updatedAt,
    completedAt: installation.createdAt,
    scopes: [...installation.scopes],
    type: 'integration-configuration',
    installationType: 'marketplace',
    source: 'marketplace',
    status: installation.status === 'ready' ? 'ready' : 'pending',
    teamId: installation.teamId,
    // Vercel lists the projects only when the installation is limited to some; absent means all.
    ...(installation.allowedProjects ? { projects: [...installation.allowedProjects] } : {}),
  };
}

/** The account view of getConfigurations, with the integration embedded (§4.1 variant B). */
export function presentAccountConfiguration(installation: Installation, integration: CatalogIntegration): Static<typeof AccountConfiguration> {
  return {
    ...presentConfiguration(installation, integration),
    integration: { name: integration.name, slug: integration.slug, icon: integration.icon, isLegacy: false, flags: [...(integration.flags ?? [])], tagIds: integrationTagIds(integration) },
  };
}

/** A product as getConfigurationProducts lists it (§4.3). */
export function presentConfigurationProduct(product: CatalogProduct): Static<typeof ConfigurationProduct> {
  const protocols: Record<string, { status: 'enabled' }> = {};
  for (const protocol of product.supportedProtocols) protocols[protocol] = { status: 'enabled' };
  return {
    id: product.id,
    slug: product.slug,
    name: product.name,
    primaryProtocol: product.primaryProtocol as Static<typeof ConfigurationProduct>['primaryProtocol'],
    protocols: protocols as Static<typeof ConfigurationProduct>['protocols'],
    metadataSchema: product.metadataSchema as Static<typeof ConfigurationProduct>['metadataSchema'],
  };
}
