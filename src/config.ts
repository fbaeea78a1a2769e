import { Type, type Static } from 'typebox';
import { Value } from 'typebox/value';

/**
 * Every environment variable Stockroom reads, with the defaults that give a zero-configuration
 * SQLite server. `main.ts` is the only caller with `process.env`; tests pass their own objects.
 */
const EnvSchema = Type.Object({
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 3000 }),
  HOST: Type.String({ minLength: 1, default: '127.0.0.1' }),
  STOCKROOM_DATA_DIR: Type.String({ minLength: 1, default: './.stockroom' }),
  /** PostgreSQL connection URL; when set, it replaces the embedded SQLite database. */
  DATABASE_URL: Type.Optional(Type.String({ pattern: '^postgres(ql)?://' })),
  DATABASE_POOL_SIZE: Type.Integer({ minimum: 1, maximum: 200, default: 10 }),
  /** The bootstrap token's value; random (and printed once) when unset. */
  STOCKROOM_TOKEN: Type.Optional(Type.String({ minLength: 16, maxLength: 255, pattern: '^[A-Za-z0-9_\\-.]+$' })),
  STOCKROOM_BOOTSTRAP_EMAIL: Type.String({ default: 'owner@stockroom.local' }),
  STOCKROOM_BOOTSTRAP_USERNAME: Type.String({ pattern: '^[a-z0-9-]{1,48}$', default: 'owner' }),
  STOCKROOM_BOOTSTRAP_TEAM_SLUG: Type.String({ pattern: '^[a-z0-9-]{1,48}$', default: 'stockroom' }),
  /** The URL providers and clients reach this server at; defaults to http://HOST:PORT once listening. */
  STOCKROOM_PUBLIC_URL: Type.Optional(Type.String({ pattern: '^https?://' })),
  /**
   * Key for secrets at rest (AES-256-GCM): 64 hex chars, 32 bytes base64, or a passphrase.
   * With SQLite and no key, one is generated once into the data directory. With PostgreSQL it is
   * required, because every replica must share it and the database must not hold it.
   */
  STOCKROOM_ENCRYPTION_KEY: Type.Optional(Type.String({ minLength: 16 })),
  /** A catalog file (JSON) replacing the default catalog of integrations and products. */
  STOCKROOM_CATALOG: Type.Optional(Type.String({ minLength: 1 })),
  /** Mount the reference partner in this server (it can also run on its own). */
  STOCKROOM_REFERENCE_PARTNER: Type.Union([Type.Literal('on'), Type.Literal('off')], { default: 'on' }),
  /** Timeout of one call to a provider, in milliseconds. */
  STOCKROOM_PROVIDER_TIMEOUT_MS: Type.Integer({ minimum: 100, maximum: 600000, default: 10000 }),
  /** How often stores still `initializing` are checked at their provider, in milliseconds. */
  STOCKROOM_POLL_INTERVAL_MS: Type.Integer({ minimum: 50, maximum: 3600000, default: 2000 }),
  LOG_LEVEL: Type.Union(
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)),
    { default: 'info' },
  ),
});

type Env = Static<typeof EnvSchema>;

export interface Config {
  readonly port: number;
  readonly host: string;
  readonly dataDir: string;
  readonly database: { readonly kind: 'sqlite'; readonly path: string } | { readonly kind: 'postgres'; readonly url: string; readonly poolSize: number };
  readonly bootstrap: { readonly token?: string; readonly email: string; readonly username: string; readonly teamSlug: string };
  readonly publicUrl?: string;
  readonly encryptionKey?: string;
  readonly logLevel: string;
  readonly catalogPath?: string;
  readonly referencePartner: boolean;
  readonly providerTimeoutMs: number;
  readonly pollIntervalMs: number;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Reads the environment into a frozen Config, reporting every bad variable at once. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const known = Object.keys(EnvSchema.properties);
  const raw: Record<string, unknown> = {};
  for (const key of known) {
    const value = env[key];
    if (value !== undefined && value !== '') raw[key] = value;
  }
  const converted = Value.Convert(EnvSchema, Value.Default(EnvSchema, raw));
  const errors = [...Value.Errors(EnvSchema, converted)];
  if (errors.length > 0) {
    const lines = errors.map((e) => `  ${e.instancePath.replace(/^\//, '') || '(env)'}: ${e.message}`);
    throw new ConfigError(`invalid configuration:\n${[...new Set(lines)].join('\n')}`);
  }
  const e = converted as Env;
  const database: Config['database'] = e.DATABASE_URL
    ? { kind: 'postgres', url: e.DATABASE_URL, poolSize: e.DATABASE_POOL_SIZE }
    : { kind: 'sqlite', path: `${e.STOCKROOM_DATA_DIR.replace(/\/+$/, '')}/stockroom.db` };
  if (database.kind === 'postgres' && !e.STOCKROOM_ENCRYPTION_KEY) {
    throw new ConfigError('invalid configuration:\n  STOCKROOM_ENCRYPTION_KEY: required with DATABASE_URL (every replica must share it)');
  }
  return Object.freeze({
    port: e.PORT,
    host: e.HOST,
    dataDir: e.STOCKROOM_DATA_DIR,
    database: Object.freeze(database),
    bootstrap: Object.freeze({
      token: e.STOCKROOM_TOKEN,
      email: e.STOCKROOM_BOOTSTRAP_EMAIL,
      username: e.STOCKROOM_BOOTSTRAP_USERNAME,
      teamSlug: e.STOCKROOM_BOOTSTRAP_TEAM_SLUG,
    }),
    publicUrl: e.STOCKROOM_PUBLIC_URL?.replace(/\/+$/, ''),
    encryptionKey: e.STOCKROOM_ENCRYPTION_KEY,
    logLevel: e.LOG_LEVEL,
    catalogPath: e.STOCKROOM_CATALOG,
    referencePartner: e.STOCKROOM_REFERENCE_PARTNER === 'on',
    providerTimeoutMs: e.STOCKROOM_PROVIDER_TIMEOUT_MS,
    pollIntervalMs: e.STOCKROOM_POLL_INTERVAL_MS,
  });
}
