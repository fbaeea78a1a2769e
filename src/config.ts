import { availableParallelism } from 'node:os';
import { Type, type Static, type TObject } from 'typebox';
import { Value } from 'typebox/value';
import { PAUSE_POINTS, type PausePoint } from './fault-injection.js';

/** `LOG_LEVEL`: pino's levels, default `info`. */
export const LogLevel = Type.Union(
  ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)),
  { default: 'info' },
);

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
  /**
   * Server processes sharing the port (docs/workers.md). Default: one per core with PostgreSQL,
   * one with SQLite, which allows no other number.
   */
  STOCKROOM_WORKERS: Type.Optional(Type.Integer({ minimum: 1, maximum: 256 })),
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
  /**
   * The reference partner's `free-quota` test hook, off by default (`unlimited`): a number makes
   * it withdraw its free plan from an installation holding that many live free resources, to
   * drive the "no free plan" paths on purpose (docs/payments-and-plans.md).
   */
  STOCKROOM_REFERENCE_FREE_QUOTA: Type.String({ pattern: '^([0-9]{1,9}|unlimited)$', default: 'unlimited' }),
  /**
   * How often the reference partner's jobs (usage, invoices, balances, finalization: its calls back
   * to Stockroom) look for due work, ms; 0 runs them only when asked (docs/reference-partner-calls-back.md).
   */
  STOCKROOM_REFERENCE_JOB_INTERVAL_MS: Type.Integer({ minimum: 0, maximum: 86400000, default: 60000 }),
  /**
   * How the reference partner answers Request Secrets Rotation: `sync` with the new secrets, or
   * `async` 202 and then Update Resource Secrets (docs/standalone-partners.md).
   */
  STOCKROOM_REFERENCE_ROTATION: Type.Union([Type.Literal('sync'), Type.Literal('async')], { default: 'sync' }),
  /** Timeout of one call to a provider, in milliseconds. */
  STOCKROOM_PROVIDER_TIMEOUT_MS: Type.Integer({ minimum: 100, maximum: 600000, default: 10000 }),
  /** How often stores still `initializing` are checked at their provider, in milliseconds. */
  STOCKROOM_POLL_INTERVAL_MS: Type.Integer({ minimum: 50, maximum: 3600000, default: 2000 }),
  /** How often stores a dead process left in `provisioning` are looked for (also at start). */
  STOCKROOM_RECOVERY_INTERVAL_MS: Type.Integer({ minimum: 50, maximum: 3600000, default: 30000 }),
  /**
   * How long a store must have made no progress before recovery takes it for abandoned; default
   * the larger of 5 min and 4 × STOCKROOM_PROVIDER_TIMEOUT_MS (a live create spends at most three
   * provider attempts), and never less than that.
   */
  STOCKROOM_RECOVERY_GRACE_MS: Type.Optional(Type.Integer({ minimum: 0, maximum: 86400000 })),
  /** Since a store's creation: past this, recovery undoes it instead of finishing it. */
  STOCKROOM_RECOVERY_DEADLINE_MS: Type.Integer({ minimum: 0, maximum: 604800000, default: 3600000 }),
  /** How often the webhook outbox is looked at for events due (docs/webhooks.md). */
  STOCKROOM_WEBHOOK_INTERVAL_MS: Type.Integer({ minimum: 20, maximum: 3600000, default: 1000 }),
  /** Timeout of one webhook POST to a partner, in milliseconds. */
  STOCKROOM_WEBHOOK_TIMEOUT_MS: Type.Integer({ minimum: 100, maximum: 600000, default: 10000 }),
  /** The wait after a webhook's first failed attempt; it doubles with each further one. */
  STOCKROOM_WEBHOOK_RETRY_BASE_MS: Type.Integer({ minimum: 10, maximum: 86400000, default: 10000 }),
  /** The longest wait between two attempts of one webhook. */
  STOCKROOM_WEBHOOK_RETRY_MAX_MS: Type.Integer({ minimum: 10, maximum: 86400000, default: 3600000 }),
  /** Attempts of one webhook before it is given up (`failed`); a redeliver starts it again. */
  STOCKROOM_WEBHOOK_MAX_ATTEMPTS: Type.Integer({ minimum: 1, maximum: 100, default: 12 }),
  /**
   * After an uninstall the partner answered `{finalized:false}`: how long its billing calls are
   * still accepted before the installation is finalized anyway (Vercel: 24 h).
   */
  STOCKROOM_FINALIZATION_WAIT_MS: Type.Integer({ minimum: 0, maximum: 2592000000, default: 86400000 }),
  /** How often waits for final invoices whose time is up are ended. */
  STOCKROOM_FINALIZATION_INTERVAL_MS: Type.Integer({ minimum: 50, maximum: 3600000, default: 60000 }),
  /** Fault injection for testers (never in production): pause every create at this step. */
  STOCKROOM_PAUSE_AT: Type.Optional(Type.Union(PAUSE_POINTS.map((p) => Type.Literal(p)))),
  /** Rate limits per token and endpoint group (README, "Rate limits"): `off` turns them all off. */
  STOCKROOM_RATE_LIMIT: Type.Union([Type.Literal('on'), Type.Literal('off')], { default: 'on' }),
  /** Length of one fixed rate-limit window, in milliseconds. */
  STOCKROOM_RATE_LIMIT_WINDOW_MS: Type.Integer({ minimum: 1000, maximum: 86400000, default: 60000 }),
  /** Creates per token and window (`POST /v1/storage/stores/integration/direct`). */
  STOCKROOM_RATE_LIMIT_CREATE_STORE: Type.Integer({ minimum: 1, default: 120000 }),
  /** Other POST/PUT/PATCH/DELETE requests per token and window. */
  STOCKROOM_RATE_LIMIT_WRITE: Type.Integer({ minimum: 1, default: 300000 }),
  /** GET requests per token and window. */
  STOCKROOM_RATE_LIMIT_READ: Type.Integer({ minimum: 1, default: 1200000 }),
  /** Stores one team may have being provisioned at once; `0` turns this limit off. */
  STOCKROOM_RATE_LIMIT_PROVISIONING: Type.Integer({ minimum: 0, default: 100 }),
  /** Keep rate-limit counters in this Redis (shared by replicas) instead of the database. */
  STOCKROOM_REDIS_URL: Type.Optional(Type.String({ pattern: '^rediss?://' })),
  /** Admin URL of a PostgreSQL server: turns on the built-in PostgreSQL provider (README, "Real stores"). */
  STOCKROOM_POSTGRES_ADMIN_URL: Type.Optional(Type.String({ pattern: '^postgres(ql)?://' })),
  /** `host[:port]` applications reach that PostgreSQL server at, when not the admin URL's. */
  STOCKROOM_POSTGRES_PUBLIC_HOST: Type.Optional(Type.String({ minLength: 1 })),
  /** Admin URL of a Redis 7 server: turns on the built-in Redis provider. */
  STOCKROOM_REDIS_ADMIN_URL: Type.Optional(Type.String({ pattern: '^rediss?://' })),
  /** `host[:port]` applications reach that Redis server at, when not the admin URL's. */
  STOCKROOM_REDIS_PUBLIC_HOST: Type.Optional(Type.String({ minLength: 1 })),
  /**
   * How long an installation's access token stays valid after a partner rotates it (Rotate
   * Installation Credential), in milliseconds; default 24 h (docs/partner-calls.md).
   */
  STOCKROOM_INSTALLATION_TOKEN_OVERLAP_MS: Type.Integer({ minimum: 0, maximum: 2592000000, default: 86400000 }),
  LOG_LEVEL: LogLevel,
});

type Env = Static<typeof EnvSchema>;

export interface Config {
  readonly port: number;
  readonly host: string;
  readonly dataDir: string;
  readonly database: { readonly kind: 'sqlite'; readonly path: string } | { readonly kind: 'postgres'; readonly url: string; readonly poolSize: number };
  /** Server processes on the one port (`STOCKROOM_WORKERS`); always 1 with SQLite. */
  readonly workers: number;
  readonly bootstrap: { readonly token?: string; readonly email: string; readonly username: string; readonly teamSlug: string };
  readonly publicUrl?: string;
  readonly encryptionKey?: string;
  readonly logLevel: string;
  readonly catalogPath?: string;
  readonly referencePartner: boolean;
  /** The reference partner's free-plan quota per installation; `Infinity` when unlimited. */
  readonly referenceFreeQuota: number;
  /** The reference partner's jobs interval, ms; 0: only when asked. */
  readonly referenceJobIntervalMs: number;
  readonly referenceRotation: 'sync' | 'async';
  readonly providerTimeoutMs: number;
  readonly pollIntervalMs: number;
  /** Built-in providers over real servers (issue 6); each is on when its admin URL is set. */
  readonly realProviders?: { readonly postgres?: RealServerConfig; readonly redis?: RealServerConfig };
  /** Rate limits (`rate-limits/plugin.ts`; the provisioning limit: `db/provisioning-stores.ts`). */
  readonly rateLimit: {
    readonly enabled: boolean;
    readonly windowMs: number;
    readonly createStore: number;
    readonly write: number;
    readonly read: number;
    /** Stores per team in `provisioning` at once, on every create path; 0 = no limit. */
    readonly provisioningPerTeam: number;
    readonly redisUrl?: string;
  };
  /** Crash recovery of stores left in `provisioning` (`jobs/store-recovery.ts`). */
  readonly recovery: { readonly intervalMs: number; readonly graceMs: number; readonly deadlineMs: number };
  /** Delivery of the webhook outbox (`jobs/webhook-delivery.ts`, docs/webhooks.md). */
  readonly webhooks: {
    readonly intervalMs: number;
    readonly timeoutMs: number;
    readonly retry: { readonly baseMs: number; readonly maxMs: number; readonly maxAttempts: number };
  };
  /** The wait for final invoices after `{finalized:false}` (`jobs/uninstall-finalization.ts`). */
  readonly finalization: { readonly waitMs: number; readonly intervalMs: number };
  /** Testers' fault injection (`fault-injection.ts`), armed by `main.ts`; unset in production. */
  readonly pauseAt?: PausePoint;
  /** How long a rotated installation token stays valid (docs/partner-calls.md). */
  readonly installationTokenOverlapMs: number;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/**
 * Reads the variables `schema` names from `env`, an empty value counting as unset, with the
 * schema's defaults and conversions (`"3000"` to 3000). Every bad variable is reported at once, in
 * one `invalid configuration:` error made by `toError`. Shared by Stockroom's and the standalone
 * reference partner's configuration.
 */
export function parseEnv<S extends TObject>(schema: S, env: Record<string, string | undefined>, toError: (message: string) => Error): Static<S> {
  const raw: Record<string, unknown> = {};
  for (const key of Object.keys(schema.properties)) {
    const value = env[key];
    if (value !== undefined && value !== '') raw[key] = value;
  }
  const converted = Value.Convert(schema, Value.Default(schema, raw));
  const errors = [...Value.Errors(schema, converted)];
  if (errors.length > 0) {
    const lines = errors.map((e) => `  ${e.instancePath.replace(/^\//, '') || '(env)'}: ${e.message}`);
    throw toError(`invalid configuration:\n${[...new Set(lines)].join('\n')}`);
  }
  return converted as Static<S>;
}

/** Reads the environment into a frozen Config, reporting every bad variable at once. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const e: Env = parseEnv(EnvSchema, env, (message) => new ConfigError(message));
  const database: Config['database'] = e.DATABASE_URL
    ? { kind: 'postgres', url: e.DATABASE_URL, poolSize: e.DATABASE_POOL_SIZE }
    : { kind: 'sqlite', path: `${e.STOCKROOM_DATA_DIR.replace(/\/+$/, '')}/stockroom.db` };
  if (database.kind === 'postgres' && !e.STOCKROOM_ENCRYPTION_KEY) {
    throw new ConfigError('invalid configuration:\n  STOCKROOM_ENCRYPTION_KEY: required with DATABASE_URL (every replica must share it)');
  }
  const recovery = recoveryConfig(e);
  return Object.freeze({
    port: e.PORT,
    host: e.HOST,
    dataDir: e.STOCKROOM_DATA_DIR,
    database: Object.freeze(database),
    workers: workersOf(e, database.kind),
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
    referenceFreeQuota: e.STOCKROOM_REFERENCE_FREE_QUOTA === 'unlimited' ? Infinity : Number(e.STOCKROOM_REFERENCE_FREE_QUOTA),
    referenceJobIntervalMs: e.STOCKROOM_REFERENCE_JOB_INTERVAL_MS,
    referenceRotation: e.STOCKROOM_REFERENCE_ROTATION,
    providerTimeoutMs: e.STOCKROOM_PROVIDER_TIMEOUT_MS,
    pollIntervalMs: e.STOCKROOM_POLL_INTERVAL_MS,
    realProviders: realProvidersConfig(e),
    rateLimit: Object.freeze({
      enabled: e.STOCKROOM_RATE_LIMIT === 'on',
      windowMs: e.STOCKROOM_RATE_LIMIT_WINDOW_MS,
      createStore: e.STOCKROOM_RATE_LIMIT_CREATE_STORE,
      write: e.STOCKROOM_RATE_LIMIT_WRITE,
      read: e.STOCKROOM_RATE_LIMIT_READ,
      provisioningPerTeam: e.STOCKROOM_RATE_LIMIT === 'on' ? e.STOCKROOM_RATE_LIMIT_PROVISIONING : 0,
      ...(e.STOCKROOM_REDIS_URL ? { redisUrl: e.STOCKROOM_REDIS_URL } : {}),
    }),
    recovery,
    webhooks: Object.freeze({
      intervalMs: e.STOCKROOM_WEBHOOK_INTERVAL_MS,
      timeoutMs: e.STOCKROOM_WEBHOOK_TIMEOUT_MS,
      retry: Object.freeze({ baseMs: e.STOCKROOM_WEBHOOK_RETRY_BASE_MS, maxMs: Math.max(e.STOCKROOM_WEBHOOK_RETRY_BASE_MS, e.STOCKROOM_WEBHOOK_RETRY_MAX_MS), maxAttempts: e.STOCKROOM_WEBHOOK_MAX_ATTEMPTS }),
    }),
    installationTokenOverlapMs: e.STOCKROOM_INSTALLATION_TOKEN_OVERLAP_MS,
    finalization: Object.freeze({ waitMs: e.STOCKROOM_FINALIZATION_WAIT_MS, intervalMs: e.STOCKROOM_FINALIZATION_INTERVAL_MS }),
    ...(e.STOCKROOM_PAUSE_AT ? { pauseAt: e.STOCKROOM_PAUSE_AT as PausePoint } : {}),
  });
}

/**
 * SQLite's group commit and single writer live in one process: a second process would write
 * beside them, its commits neither grouped with nor ordered by the first's (docs/workers.md).
 */
const MAX_DEFAULT_WORKERS = 4;

function workersOf(e: Env, kind: Config['database']['kind']): number {
  if (kind === 'sqlite') {
    if (e.STOCKROOM_WORKERS !== undefined && e.STOCKROOM_WORKERS !== 1) {
      throw new ConfigError('invalid configuration:\n  STOCKROOM_WORKERS: must be 1 with SQLite (one process owns the embedded database); more need DATABASE_URL');
    }
    return 1;
  }
  // Each worker opens its own pool of DATABASE_POOL_SIZE connections: on a many-core host one per
  // core would exhaust PostgreSQL's max_connections (100 by default), so the default stops at 4.
  return e.STOCKROOM_WORKERS ?? Math.min(availableParallelism(), MAX_DEFAULT_WORKERS);
}

/**
 * A grace period shorter than a live create could take would let recovery finish or undo a store
 * another replica is still creating, so it is held above the provider's worst case.
 */
function recoveryConfig(e: Env): Config['recovery'] {
  const floor = 4 * e.STOCKROOM_PROVIDER_TIMEOUT_MS;
  const graceMs = e.STOCKROOM_RECOVERY_GRACE_MS ?? Math.max(300_000, floor);
  const problems: string[] = [];
  if (graceMs < floor) problems.push(`  STOCKROOM_RECOVERY_GRACE_MS: must be at least 4 × STOCKROOM_PROVIDER_TIMEOUT_MS (${floor})`);
  if (e.STOCKROOM_RECOVERY_DEADLINE_MS < graceMs) problems.push(`  STOCKROOM_RECOVERY_DEADLINE_MS: must be at least the grace period (${graceMs})`);
  if (problems.length > 0) throw new ConfigError(`invalid configuration:\n${problems.join('\n')}`);
  return Object.freeze({ intervalMs: e.STOCKROOM_RECOVERY_INTERVAL_MS, graceMs, deadlineMs: e.STOCKROOM_RECOVERY_DEADLINE_MS });
}

/** A server a built-in real provider manages: its admin URL (a secret) and the address apps use. */
export interface RealServerConfig {
  readonly adminUrl: string;
  readonly publicHost?: string;
}

function realProvidersConfig(e: Env): NonNullable<Config['realProviders']> {
  const server = (adminUrl: string | undefined, publicHost: string | undefined): RealServerConfig | undefined =>
    adminUrl ? Object.freeze({ adminUrl, ...(publicHost ? { publicHost } : {}) }) : undefined;
  const postgres = server(e.STOCKROOM_POSTGRES_ADMIN_URL, e.STOCKROOM_POSTGRES_PUBLIC_HOST);
  const redis = server(e.STOCKROOM_REDIS_ADMIN_URL, e.STOCKROOM_REDIS_PUBLIC_HOST);
  return Object.freeze({ ...(postgres ? { postgres } : {}), ...(redis ? { redis } : {}) });
}
