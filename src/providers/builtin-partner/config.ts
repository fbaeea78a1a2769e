import { readFileSync } from 'node:fs';
import { Type, type Static } from 'typebox';
import { LogLevel, parseEnv, type RealServerConfig } from '../../config.js';
import { BUILTIN_CATALOG_PATHS } from '../../catalog/builtin-catalogs.js';
import type { RealProvider } from '../builtin-real-providers.js';
import type { StandaloneServerConfig } from '../standalone-config.js';

/**
 * The environment of a standalone built-in real provider (`main.ts`): the same variables for
 * either provider, since one process runs one of them. Flags set them (`command-line.ts`).
 */
const EnvSchema = Type.Object({
  /** The server it creates databases or ACL users on, as an admin. */
  BUILTIN_PARTNER_ADMIN_URL: Type.String({ pattern: '^(postgres(ql)?|rediss?)://' }),
  /** The host written into the secrets, when clients reach the server by another name. */
  BUILTIN_PARTNER_PUBLIC_HOST: Type.Optional(Type.String({ minLength: 1 })),
  BUILTIN_PARTNER_PORT: Type.Optional(Type.Integer({ minimum: 0, maximum: 65535 })),
  BUILTIN_PARTNER_HOST: Type.String({ minLength: 1, default: '127.0.0.1' }),
  /** PostgreSQL for its bookkeeping; when unset, a SQLite file. */
  BUILTIN_PARTNER_DATABASE_URL: Type.Optional(Type.String({ pattern: '^postgres(ql)?://' })),
  BUILTIN_PARTNER_SQLITE_PATH: Type.Optional(Type.String({ minLength: 1 })),
  BUILTIN_PARTNER_CLIENT_ID: Type.Optional(Type.String({ minLength: 1 })),
  BUILTIN_PARTNER_ISSUER: Type.String({ minLength: 1, default: 'http://127.0.0.1:3000' }),
  BUILTIN_PARTNER_JWKS_URL: Type.Optional(Type.String({ pattern: '^https?://' })),
  BUILTIN_PARTNER_ENCRYPTION_KEY: Type.Optional(Type.String({ minLength: 16 })),
  /** How often credentials due for revocation are looked for, ms. */
  BUILTIN_PARTNER_REVOCATION_INTERVAL_MS: Type.Integer({ minimum: 100, maximum: 86_400_000, default: 2000 }),
  LOG_LEVEL: LogLevel,
});

type Env = Static<typeof EnvSchema>;

export interface BuiltinPartnerConfig extends StandaloneServerConfig {
  readonly server: RealServerConfig;
  readonly revocationIntervalMs: number;
}

export class BuiltinPartnerConfigError extends Error {
  override readonly name = 'BuiltinPartnerConfigError';
}

/** Default ports, one per provider, so both run side by side without flags. */
const DEFAULT_PORTS: Record<RealProvider['name'], number> = { postgres: 3101, redis: 3102 };

/** Reads the environment into a frozen config for `provider`, reporting every bad variable at once. */
export function loadBuiltinPartnerConfig(provider: RealProvider, env: Record<string, string | undefined>): BuiltinPartnerConfig {
  const e: Env = parseEnv(EnvSchema, env, (message) => new BuiltinPartnerConfigError(message));
  const scheme = new URL(e.BUILTIN_PARTNER_ADMIN_URL).protocol;
  if ((provider.name === 'postgres') !== scheme.startsWith('postgres')) {
    throw new BuiltinPartnerConfigError(`invalid configuration:\n  BUILTIN_PARTNER_ADMIN_URL: a ${scheme.slice(0, -1)} URL cannot serve the ${provider.name} provider`);
  }
  if (e.BUILTIN_PARTNER_DATABASE_URL && !e.BUILTIN_PARTNER_ENCRYPTION_KEY) {
    throw new BuiltinPartnerConfigError('invalid configuration:\n  BUILTIN_PARTNER_ENCRYPTION_KEY: required with BUILTIN_PARTNER_DATABASE_URL (every replica must share it)');
  }
  const issuer = e.BUILTIN_PARTNER_ISSUER.replace(/\/+$/, '');
  return Object.freeze({
    server: Object.freeze({ adminUrl: e.BUILTIN_PARTNER_ADMIN_URL, ...(e.BUILTIN_PARTNER_PUBLIC_HOST ? { publicHost: e.BUILTIN_PARTNER_PUBLIC_HOST } : {}) }),
    port: e.BUILTIN_PARTNER_PORT ?? DEFAULT_PORTS[provider.name],
    host: e.BUILTIN_PARTNER_HOST,
    database: Object.freeze(
      e.BUILTIN_PARTNER_DATABASE_URL
        ? { kind: 'postgres' as const, url: e.BUILTIN_PARTNER_DATABASE_URL }
        : { kind: 'sqlite' as const, path: e.BUILTIN_PARTNER_SQLITE_PATH ?? `./.stockroom/builtin-${provider.name}.db` },
    ),
    clientId: e.BUILTIN_PARTNER_CLIENT_ID ?? catalogClientId(provider),
    issuer,
    jwksUrl: e.BUILTIN_PARTNER_JWKS_URL ?? `${issuer}/.well-known/jwks`,
    ...(e.BUILTIN_PARTNER_ENCRYPTION_KEY ? { encryptionKey: e.BUILTIN_PARTNER_ENCRYPTION_KEY } : {}),
    revocationIntervalMs: e.BUILTIN_PARTNER_REVOCATION_INTERVAL_MS,
    logLevel: e.LOG_LEVEL,
  });
}

/** The client id its shipped catalog entry gives it (`catalog/builtin-<name>.json`), so Stockroom's tokens for it pass. */
export function catalogClientId(provider: RealProvider): string {
  const catalog = JSON.parse(readFileSync(BUILTIN_CATALOG_PATHS[provider.name], 'utf8')) as { integrations: Array<{ clientId: string }> };
  const clientId = catalog.integrations[0]?.clientId;
  if (!clientId) throw new Error(`${BUILTIN_CATALOG_PATHS[provider.name]} names no clientId`);
  return clientId;
}
