import { Type, type TEnum, type TSchemaOptions } from 'typebox';

/**
 * The closed value lists of the wire. `@vercel/sdk` 1.28.35 parses every one of them with
 * `z.nativeEnum`, so a value outside the list rejects the whole response (vercel-contract.md §1.4,
 * §10.8). They are exported as `as const` arrays so catalogs and presenters can be checked against
 * them, and turned into schemas with {@link StringEnum}.
 */

/** A string enum schema, `{type: "string", enum: [...]}`: one plain keyword set for Ajv and fast-json-stringify. */
export function StringEnum<const Values extends string[]>(
  values: readonly [...Values],
  options: TSchemaOptions = {},
): TEnum<Values> {
  return Type.Enum(values, { type: 'string', ...options });
}

/** Protocols of a product: `primaryProtocol`, `supportedProtocols` (§2.4) and the keys of `protocols` (§4.3). */
export const PROTOCOLS = [
  'ai', 'authentication', 'checks', 'experimentation', 'logDrain', 'messaging',
  'observability', 'other', 'storage', 'traceDrain', 'video', 'workflow',
] as const;
export type Protocol = (typeof PROTOCOLS)[number];

/** `product.tags`: the closed 57-value list of §2.4. */
export const PRODUCT_TAGS = [
  'ai', 'authentication', 'blob', 'checks', 'drains', 'edge-config', 'experimentation', 'kv',
  'libsql', 'logDrain', 'mcp', 'messaging', 'mysql', 'observability', 'other', 'postgres', 'rds',
  'redis', 'sqlite', 'storage', 'tag_agents', 'tag_ai', 'tag_analytics', 'tag_authentication',
  'tag_checks', 'tag_cms', 'tag_code_repository', 'tag_code_review', 'tag_code_security',
  'tag_code_testing', 'tag_commerce', 'tag_databases', 'tag_dev_tools', 'tag_experimentation',
  'tag_flags', 'tag_logDrain', 'tag_logging', 'tag_messaging', 'tag_monitoring',
  'tag_observability', 'tag_other', 'tag_payments', 'tag_performance', 'tag_productivity',
  'tag_searching', 'tag_security', 'tag_storage', 'tag_support_agent', 'tag_testing',
  'tag_traceDrain', 'tag_video', 'tag_web_automation', 'tag_workflow', 'traceDrain', 'vector',
  'video', 'workflow',
] as const;
export type ProductTag = (typeof PRODUCT_TAGS)[number];

/**
 * `integration.tagIds` of a configuration (§4.1): the 28 `tag_*` product tags without
 * `tag_checks`, `tag_logDrain`, `tag_other`, `tag_storage`, `tag_traceDrain`.
 */
export const INTEGRATION_TAG_IDS = [
  'tag_agents', 'tag_ai', 'tag_analytics', 'tag_authentication', 'tag_cms', 'tag_code_repository',
  'tag_code_review', 'tag_code_security', 'tag_code_testing', 'tag_commerce', 'tag_databases',
  'tag_dev_tools', 'tag_experimentation', 'tag_flags', 'tag_logging', 'tag_messaging',
  'tag_monitoring', 'tag_observability', 'tag_payments', 'tag_performance', 'tag_productivity',
  'tag_searching', 'tag_security', 'tag_support_agent', 'tag_testing', 'tag_video',
  'tag_web_automation', 'tag_workflow',
] as const;
export type IntegrationTagId = (typeof INTEGRATION_TAG_IDS)[number];

/** `projectsMetadata[].framework` (§2.4): 74 values. An unknown framework must be sent as `null`. */
export const FRAMEWORKS = [
  'actix-web', 'angular', 'ash', 'astro', 'axum', 'blitzjs', 'brunch', 'bun', 'container',
  'create-react-app', 'django', 'docusaurus', 'docusaurus-2', 'dojo', 'eleventy', 'elysia', 'ember',
  'eve', 'express', 'factory-eve', 'fastapi', 'fasthtml', 'fastify', 'flask', 'gatsby', 'go',
  'gridsome', 'h3', 'hexo', 'hono', 'hugo', 'hydrogen', 'ionic-angular', 'ionic-react', 'jekyll',
  'koa', 'mastra', 'middleman', 'nestjs', 'nextjs', 'nitro', 'node', 'nuxtjs', 'parcel', 'polymer',
  'preact', 'python', 'react-router', 'redwoodjs', 'remix', 'ruby', 'rust', 'saber', 'sanity',
  'sanity-v2', 'sapper', 'scully', 'services', 'solidstart', 'solidstart-1', 'stencil', 'storybook',
  'svelte', 'sveltekit', 'sveltekit-1', 'tanstack-start', 'tanstack-start-lovable', 'umijs', 'vite',
  'vitepress', 'vue', 'vuepress', 'xmcp', 'zola',
] as const;
export type Framework = (typeof FRAMEWORKS)[number];

/** `product.projectConnectionScopes` (§2.4). */
export const PROJECT_CONNECTION_SCOPES = [
  'read-write:deployment', 'read-write:deployment-check', 'read-write:domain', 'read-write:drains',
  'read-write:global-project-env-vars', 'read-write:integration-deployment-action',
  'read-write:log-drain', 'read-write:project-env-vars', 'read-write:project-protection-bypass',
  'read:deployment', 'read:domain', 'read:project',
] as const;
export type ProjectConnectionScope = (typeof PROJECT_CONNECTION_SCOPES)[number];

/** `product.guides[].steps[].actions[].type` (§2.4). */
export const GUIDE_ACTION_TYPES = ['add_drain', 'configure_project_connections', 'connect_to_project'] as const;

/** `enabled`/`disabled`: `product.logDrainStatus` (§2.4) and every `protocols.*.status` (§4.3). */
export const TOGGLE_STATUSES = ['disabled', 'enabled'] as const;

/** Git providers: `projectFilter.git.providers` (§2.4) and `git:providers` of a git-namespace property (§2.5). */
export const GIT_PROVIDERS = ['bitbucket', 'github', 'gitlab'] as const;
export type GitProvider = (typeof GIT_PROVIDERS)[number];

/** Deployment targets: `store.targets` and `protocolSettings.authentication.appUrls[].target` (§2.4). */
export const DEPLOYMENT_TARGETS = ['development', 'preview', 'production'] as const;
export type DeploymentTarget = (typeof DEPLOYMENT_TARGETS)[number];

/**
 * `store.status` (§2.4). Not the partner's resource status: `"ready"` here is a hard
 * `ResponseValidationError` (§10.5).
 */
export const STORE_STATUSES = [
  'available', 'error', 'initializing', 'limits-exceeded-suspended',
  'limits-exceeded-suspended-store-count', 'onboarding', 'suspended', 'uninstalled',
] as const;

/**
 * The partner's resource status: `store.externalResourceStatus` (§2.4), resource `status` (§6) and a
 * configuration's `status` (§4.1).
 */
export const RESOURCE_STATUSES = ['error', 'onboarding', 'pending', 'ready', 'resumed', 'suspended', 'uninstalled'] as const;
export type ResourceStatus = (typeof RESOURCE_STATUSES)[number];

/** `store.ownership` (§2.4). */
export const OWNERSHIPS = ['linked', 'owned', 'sandbox'] as const;

/** `notification.level` (§2.4). */
export const NOTIFICATION_LEVELS = ['error', 'info', 'warn'] as const;

/** Billing plan `type` (§2.4, §3). */
export const BILLING_PLAN_TYPES = ['prepayment', 'subscription'] as const;
export type BillingPlanType = (typeof BILLING_PLAN_TYPES)[number];

/** Billing plan `scope` (§2.4, §3). `"team"` is rejected by the SDK. */
export const BILLING_PLAN_SCOPES = ['installation', 'resource'] as const;
export type BillingPlanScope = (typeof BILLING_PLAN_SCOPES)[number];

/**
 * Where a store or installation was created from: the create body's `source` (§2.2), the
 * `source` query of getBillingPlans (§3) and a configuration's `source` (§4.1). The SDK has 10
 * values; Vercel's docs list 8 or 9 (§10.17).
 */
export const SOURCES = [
  'marketplace', 'deploy-button', 'external', 'v0', 'resource-claims', 'cli', 'oauth', 'backoffice',
  'import-recommended-integrations', 'organization',
] as const;
export type Source = (typeof SOURCES)[number];

/** A configuration's `installationType` as answered (§4.1). Absent means `external`. */
export const INSTALLATION_TYPES = ['external', 'marketplace'] as const;

/** A configuration's `disabledReason` (§4.1). */
export const DISABLED_REASONS = [
  'account-plan-downgrade', 'disabled-by-admin', 'disabled-by-owner', 'feature-not-available',
  'original-owner-left-the-team', 'original-owner-role-downgraded',
] as const;

/** `origin` of an auth token scope (Vercel's AuthToken, `GET /v5/user/tokens`). */
export const TOKEN_SCOPE_ORIGINS = [
  'app', 'apple', 'bitbucket', 'chatgpt', 'email', 'emu', 'github', 'github-webhook', 'gitlab',
  'google', 'invite', 'manual', 'otp', 'passkey', 'saml', 'sms', 'token-exchange-oidc',
] as const;
export type TokenScopeOrigin = (typeof TOKEN_SCOPE_ORIGINS)[number];
