import { ApiError } from '../errors.js';
import { findCategory, type CategoryId } from '../schemas/categories.js';
import type { Catalog, CatalogIntegration } from './catalog.js';

/**
 * Which catalog integrations `GET /v2/integrations/integrations?category=…` lists. The vercel CLI
 * sends the `--category` slugs to the server and filters only by its query, itself, so the
 * category filter is Stockroom's to do.
 */

/** The categories an integration is found under: its own, and every `tag_*` tag of its products. */
export function categoryIdsOf(integration: CatalogIntegration): ReadonlySet<CategoryId> {
  const ids = new Set<CategoryId>();
  for (const slug of integration.categories) {
    const category = findCategory(slug);
    if (category !== undefined) ids.add(category.id);
  }
  for (const product of integration.products) {
    for (const tag of product.tags) {
      const category = findCategory(tag);
      if (category !== undefined) ids.add(category.id);
    }
  }
  return ids;
}

/**
 * The integrations in any of the categories (slugs or `tag_*` ids), in catalog order; all of them
 * when none is given. Several categories widen the list, as choosing several in a marketplace's
 * sidebar does. An unknown category is a 400 that names the valid slugs, rather than an empty list
 * that reads as "nothing in that category".
 */
export function integrationsInCategories(catalog: Catalog, categories: readonly string[]): CatalogIntegration[] {
  if (categories.length === 0) return [...catalog.integrations];
  const wanted = categories.map((slugOrId) => {
    const category = findCategory(slugOrId);
    if (category === undefined) {
      throw new ApiError('bad_request', `Unknown category "${slugOrId}". Run \`vercel integration categories\` for the valid slugs.`, { param: 'category' });
    }
    return category.id;
  });
  return catalog.integrations.filter((integration) => {
    const ids = categoryIdsOf(integration);
    return wanted.some((id) => ids.has(id));
  });
}
