import { BUILTIN_CATALOG_PATHS } from './catalog/builtin-catalogs.js';
import type { BootstrapResult } from './bootstrap.js';
import type { Config, RealServerConfig } from './config.js';
import { isUniqueViolation } from './db/errors.js';
import { findMembership, findTeam } from './db/teams.js';
import { findUserById } from './db/users.js';
import type { AnyFastify } from './any-fastify.js';
import type { AppContext } from './app-context.js';
import { migratePartnerKit } from './providers/partner-kit/migrate.js';
import { partnerKitPlugin } from './providers/partner-kit/plugin.js';
import { logStartupFindings, REAL_PROVIDERS, type RealProvider } from './providers/builtin-real-providers.js';
import { installForActor } from './use-cases/install-ports.js';

// The built-in providers that provision real resources (issue 6; the table is
// providers/builtin-real-providers.ts): each is mounted in Stockroom's server at
// `/partners/<name>`, reached over HTTP as `builtin:<name>` like the reference partner, and keeps
// its bookkeeping under its own table prefix. Each is on only when its admin URL is set.

/** Where a built-in real provider is mounted in Stockroom's server. */
export function realProviderPrefix(name: string): string {
  return `/partners/${name}`;
}

function configured(config: Config): Array<{ provider: RealProvider; server: RealServerConfig }> {
  return REAL_PROVIDERS.flatMap((provider) => {
    const server = config.realProviders?.[provider.name];
    return server ? [{ provider, server }] : [];
  });
}

/** The catalog files to add to the catalog in use: those of the configured providers. */
export function realProviderCatalogPaths(config: Config): string[] {
  return configured(config).map(({ provider }) => BUILTIN_CATALOG_PATHS[provider.name]);
}

/** `builtin:postgres` and `builtin:redis` as base URLs on this server; undefined for anything else. */
export function realProviderBaseUrl(configuredUrl: string, publicUrl: () => string): string | undefined {
  const provider = REAL_PROVIDERS.find((p) => configuredUrl === `builtin:${p.name}`);
  return provider ? `${publicUrl()}${realProviderPrefix(provider.name)}` : undefined;
}

/**
 * Migrates, mounts and checks every configured real provider. The check's findings are logged
 * (errors at `error`, the rest at `warn`), never thrown: a server that is down now may be up
 * later, and Stockroom's other stores do not depend on it.
 */
export async function mountRealProviders(app: AnyFastify, ctx: AppContext, config: Config): Promise<void> {
  for (const { provider, server } of configured(config)) {
    const integration = ctx.catalog.integrations.find((i) => i.providerBaseUrl === `builtin:${provider.name}`);
    if (!integration) throw new Error(`${provider.envVar} is set but the catalog has no integration with providerBaseUrl builtin:${provider.name}`);
    await migratePartnerKit(ctx.db, provider.tablePrefix);
    const { backend, check } = provider.open(server);
    await app.register(partnerKitPlugin, {
      prefix: realProviderPrefix(provider.name),
      providerName: provider.title,
      db: ctx.db,
      dialect: ctx.dialect,
      tablePrefix: provider.tablePrefix,
      clientId: integration.clientId,
      issuer: ctx.publicUrl,
      jwksUrl: () => `${ctx.publicUrl()}/.well-known/jwks`,
      secretBox: ctx.secretBox,
      backend,
      products: provider.products,
      revocationIntervalMs: config.pollIntervalMs,
      now: ctx.now,
    });
    app.addHook('onClose', async () => backend.close());
    logStartupFindings(ctx.logger, provider, server.adminUrl, provider.envVar, await check(), realProviderPrefix(provider.name));
  }
}

/**
 * Installs each configured real provider's integration for the bootstrap team once (a marker per
 * integration), so one enabled after the first start is installed too, and one the owner
 * uninstalled is not brought back.
 */
export async function installRealProvidersForBootstrap(ctx: AppContext, bootstrap: BootstrapResult, config: Config): Promise<void> {
  const [user, team, membership] = await Promise.all([
    findUserById(ctx.db, bootstrap.userId),
    findTeam(ctx.db, { id: bootstrap.teamId }),
    findMembership(ctx.db, bootstrap.teamId, bootstrap.userId),
  ]);
  if (!user || !team || !membership) return;
  for (const { provider } of configured(config)) {
    const integration = ctx.catalog.integrations.find((i) => i.providerBaseUrl === `builtin:${provider.name}`);
    if (!integration) continue;
    const marker = `bootstrap_installation:${integration.slug}`;
    if (await ctx.db.selectFrom('instance_settings').select('key').where('key', '=', marker).executeTakeFirst()) continue;
    try {
      const installation = await installForActor(ctx, integration, { user, team, membership });
      await ctx.db.insertInto('instance_settings').values({ key: marker, value: JSON.stringify(installation.id), created_at: ctx.now() }).execute();
    } catch (error) {
      if (isUniqueViolation(error)) continue; // another replica recorded it first
      ctx.logger.warn({ err: error instanceof Error ? error.message : String(error), integration: integration.slug }, 'could not install a built-in integration for the bootstrap team; retrying on next start');
    }
  }
}
