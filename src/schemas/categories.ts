import { INTEGRATION_TAG_IDS, PRODUCT_TAGS, type IntegrationTagId } from './enums.js';

/**
 * The marketplace's categories: `GET /v2/integrations/categories` answers them, `vercel integration
 * discover --category <slug>` filters by them, and the CLI shows a `tag_*` id found in an
 * integration's `tagIds` or a product's `tags` as its category's `title`. There is one category per
 * `tag_*` value of the wire's closed product-tag list (src/schemas/enums.ts), so every tag a catalog
 * can write has a title. Slugs are the id without `tag_`, in kebab case, as the CLI's examples spell
 * them (`storage`, `authentication`, `dev-tools`).
 */
export interface MarketplaceCategory {
  /** The `tag_*` value of `tagIds` and product `tags`. */
  readonly id: CategoryId;
  /** What `--category` takes and a catalog's integration `categories` lists. */
  readonly slug: string;
  readonly title: string;
}

export type CategoryId = Extract<(typeof PRODUCT_TAGS)[number], `tag_${string}`>;

const TITLES: Readonly<Record<CategoryId, string>> = {
  tag_agents: 'Agents',
  tag_ai: 'AI',
  tag_analytics: 'Analytics',
  tag_authentication: 'Authentication',
  tag_checks: 'Checks',
  tag_cms: 'CMS',
  tag_code_repository: 'Code Repository',
  tag_code_review: 'Code Review',
  tag_code_security: 'Code Security',
  tag_code_testing: 'Code Testing',
  tag_commerce: 'Commerce',
  tag_databases: 'Databases',
  tag_dev_tools: 'DevTools',
  tag_experimentation: 'Experimentation',
  tag_flags: 'Flags',
  tag_logDrain: 'Log Drains',
  tag_logging: 'Logging',
  tag_messaging: 'Messaging',
  tag_monitoring: 'Monitoring',
  tag_observability: 'Observability',
  tag_other: 'Other',
  tag_payments: 'Payments',
  tag_performance: 'Performance',
  tag_productivity: 'Productivity',
  tag_searching: 'Searching',
  tag_security: 'Security',
  tag_storage: 'Storage',
  tag_support_agent: 'Support Agent',
  tag_testing: 'Testing',
  tag_traceDrain: 'Trace Drains',
  tag_video: 'Video',
  tag_web_automation: 'Web Automation',
  tag_workflow: 'Workflow',
};

/** `tag_code_review` → `code-review`, `tag_logDrain` → `log-drain`. */
function slugOf(id: CategoryId): string {
  return id
    .slice('tag_'.length)
    .replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`)
    .replaceAll('_', '-');
}

/** Every category, in the order of the wire's tag list (alphabetical by id). */
export const MARKETPLACE_CATEGORIES: readonly MarketplaceCategory[] = Object.freeze(
  PRODUCT_TAGS.filter((tag): tag is CategoryId => tag.startsWith('tag_')).map((id) => Object.freeze({ id, slug: slugOf(id), title: TITLES[id] })),
);

/** The category with this slug or `tag_*` id. */
export function findCategory(slugOrId: string): MarketplaceCategory | undefined {
  return MARKETPLACE_CATEGORIES.find((category) => category.slug === slugOrId || category.id === slugOrId);
}

/**
 * Whether an integration may carry the category in its `tagIds`. `@vercel/sdk` parses an
 * installation's `integration.tagIds` with a closed list that leaves out five product-only
 * categories (`tag_storage`, `tag_checks`, `tag_logDrain`, `tag_traceDrain`, `tag_other`), so those
 * belong in a product's `tags`.
 */
export function isIntegrationCategory(category: MarketplaceCategory): category is MarketplaceCategory & { id: IntegrationTagId } {
  return (INTEGRATION_TAG_IDS as readonly string[]).includes(category.id);
}
