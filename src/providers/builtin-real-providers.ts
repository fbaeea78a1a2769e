import type { FastifyBaseLogger } from 'fastify';
import type { RealServerConfig } from '../config.js';
import type { KitProduct, ResourceBackend } from './partner-kit/backend.js';
import type { StartupFindings } from './partner-kit/startup-findings.js';
import { createPostgresBackend } from './postgres-provider/postgres-backend.js';
import { POSTGRES_PRODUCTS } from './postgres-provider/products.js';
import { checkPostgresServer } from './postgres-provider/startup-check.js';
import { REDIS_PRODUCTS } from './redis-provider/products.js';
import { createRedisBackend } from './redis-provider/redis-backend.js';
import { checkRedisServer } from './redis-provider/startup-check.js';

/**
 * The built-in providers that provision real resources (issue 6), as one table: what Stockroom
 * mounts beside itself (`src/real-providers.ts`) and what `builtin-partner/main.ts` runs alone
 * are the same providers with the same table prefixes, products and start-up checks.
 */
export interface RealProvider {
  readonly name: RealProviderName;
  /** Shown in logs and partner error messages. */
  readonly title: string;
  /** Stockroom's variable that turns it on (named in Stockroom's log lines). */
  readonly envVar: string;
  readonly tablePrefix: string;
  readonly products: readonly KitProduct[];
  open(server: RealServerConfig): { backend: ResourceBackend; check(): Promise<StartupFindings> };
}

export type RealProviderName = 'postgres' | 'redis';

export const REAL_PROVIDERS: readonly RealProvider[] = [
  {
    name: 'postgres',
    title: 'PostgreSQL provider',
    envVar: 'STOCKROOM_POSTGRES_ADMIN_URL',
    tablePrefix: 'pg_provider_',
    products: POSTGRES_PRODUCTS,
    open(server) {
      const backend = createPostgresBackend(server);
      return { backend, check: () => checkPostgresServer(backend.pool, describeServer(server.adminUrl)) };
    },
  },
  {
    name: 'redis',
    title: 'Redis provider',
    envVar: 'STOCKROOM_REDIS_ADMIN_URL',
    tablePrefix: 'redis_provider_',
    products: REDIS_PRODUCTS,
    open(server) {
      const backend = createRedisBackend(server);
      return { backend, check: () => checkRedisServer(backend.client, describeServer(server.adminUrl), server.adminUrl) };
    },
  },
];

export function findRealProvider(name: string): RealProvider | undefined {
  return REAL_PROVIDERS.find((p) => p.name === name);
}

/**
 * Logs a start-up check's findings (errors at `error`, the rest at `warn`), never throws: a server
 * that is down now may be up later. `source` names where its admin URL came from, e.g. the
 * environment variable or `--admin-url`. Says `ready at <where>` when nothing is wrong.
 */
export function logStartupFindings(log: Pick<FastifyBaseLogger, 'error' | 'warn' | 'info'>, provider: RealProvider, adminUrl: string, source: string, findings: StartupFindings, readyAt: string): void {
  const where = describeServer(adminUrl);
  for (const error of findings.errors) log.error({ provider: provider.name, server: where }, `${provider.title} (${source}): ${error}`);
  for (const warning of findings.warnings) log.warn({ provider: provider.name, server: where }, `${provider.title} (${source}): ${warning}`);
  if (findings.errors.length === 0) log.info({ provider: provider.name, server: where }, `${provider.title} ready at ${readyAt}`);
}

/** `host:port` of a server URL, for messages: never its user or password. */
export function describeServer(url: string): string {
  const parsed = new URL(url);
  return parsed.port ? `${parsed.hostname}:${parsed.port}` : parsed.hostname;
}
