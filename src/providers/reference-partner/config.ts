import { Type, type Static } from 'typebox';
import { LogLevel, parseEnv } from '../../config.js';
import type { StandaloneServerConfig } from '../standalone-config.js';

/**
 * The environment of the standalone reference partner (`main.ts`). The defaults pair it with a
 * zero-configuration Stockroom on the same machine.
 */
const EnvSchema = Type.Object({
  REFERENCE_PARTNER_PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 3100 }),
  REFERENCE_PARTNER_HOST: Type.String({ minLength: 1, default: '127.0.0.1' }),
  /** PostgreSQL URL; when unset the partner keeps its state in a SQLite file. */
  REFERENCE_PARTNER_DATABASE_URL: Type.Optional(Type.String({ pattern: '^postgres(ql)?://' })),
  REFERENCE_PARTNER_SQLITE_PATH: Type.String({ minLength: 1, default: './.stockroom/reference-partner.db' }),
  /** The JWT `aud` required: the integration's client id. */
  REFERENCE_PARTNER_CLIENT_ID: Type.String({ minLength: 1, default: 'oac_reference' }),
  /** The JWT `iss` required: Stockroom's public URL. */
  REFERENCE_PARTNER_ISSUER: Type.String({ minLength: 1, default: 'http://127.0.0.1:3000' }),
  /** Where Stockroom publishes its keys; default `<issuer>/.well-known/jwks`. */
  REFERENCE_PARTNER_JWKS_URL: Type.Optional(Type.String({ pattern: '^https?://' })),
  /** Where it calls Stockroom back (usage, invoices, SSO); default the issuer, Stockroom's public URL. */
  REFERENCE_PARTNER_STOCKROOM_URL: Type.Optional(Type.String({ pattern: '^https?://' })),
  /** The integration's client secret (catalog `clientSecret`): verifies webhooks, exchanges SSO codes. */
  REFERENCE_PARTNER_CLIENT_SECRET: Type.Optional(Type.String({ minLength: 16 })),
  /** How often its jobs look for due usage reports, invoices and balances, ms; 0 runs none. */
  REFERENCE_PARTNER_JOB_INTERVAL_MS: Type.Integer({ minimum: 0, maximum: 86_400_000, default: 60_000 }),
  /** `async`: Request Secrets Rotation answers 202 and pushes the new secrets with Update Resource Secrets. */
  REFERENCE_PARTNER_ROTATION: Type.Union([Type.Literal('sync'), Type.Literal('async')], { default: 'sync' }),
  /** The `free-quota` test hook: a number arms it; `unlimited` (the default) leaves it off. */
  REFERENCE_PARTNER_FREE_QUOTA: Type.String({ pattern: '^([0-9]{1,9}|unlimited)$', default: 'unlimited' }),
  // Seals the secrets in its tables: a 32-byte key (64 hex chars or base64) or a passphrase.
  // Without it, SQLite keeps a generated key beside the database; PostgreSQL requires it.
  REFERENCE_PARTNER_ENCRYPTION_KEY: Type.Optional(Type.String({ minLength: 16 })),
  LOG_LEVEL: LogLevel,
});

type Env = Static<typeof EnvSchema>;

export interface ReferencePartnerConfig extends StandaloneServerConfig {
  readonly stockroomUrl: string;
  readonly clientSecret?: string;
  readonly jobIntervalMs: number;
  readonly freeResourceQuota: number;
  readonly rotation: 'sync' | 'async';
}

export class ReferencePartnerConfigError extends Error {
  override readonly name = 'ReferencePartnerConfigError';
}

/** Reads the environment into a frozen config, reporting every bad variable at once. */
export function loadReferencePartnerConfig(env: Record<string, string | undefined>): ReferencePartnerConfig {
  const e: Env = parseEnv(EnvSchema, env, (message) => new ReferencePartnerConfigError(message));
  if (e.REFERENCE_PARTNER_DATABASE_URL && !e.REFERENCE_PARTNER_ENCRYPTION_KEY) {
    throw new ReferencePartnerConfigError('invalid configuration:\n  REFERENCE_PARTNER_ENCRYPTION_KEY: required with REFERENCE_PARTNER_DATABASE_URL (every replica must share it)');
  }
  const issuer = e.REFERENCE_PARTNER_ISSUER.replace(/\/+$/, '');
  return Object.freeze({
    port: e.REFERENCE_PARTNER_PORT,
    host: e.REFERENCE_PARTNER_HOST,
    database: Object.freeze(
      e.REFERENCE_PARTNER_DATABASE_URL
        ? { kind: 'postgres' as const, url: e.REFERENCE_PARTNER_DATABASE_URL }
        : { kind: 'sqlite' as const, path: e.REFERENCE_PARTNER_SQLITE_PATH },
    ),
    clientId: e.REFERENCE_PARTNER_CLIENT_ID,
    issuer,
    jwksUrl: e.REFERENCE_PARTNER_JWKS_URL ?? `${issuer}/.well-known/jwks`,
    stockroomUrl: (e.REFERENCE_PARTNER_STOCKROOM_URL ?? issuer).replace(/\/+$/, ''),
    ...(e.REFERENCE_PARTNER_CLIENT_SECRET ? { clientSecret: e.REFERENCE_PARTNER_CLIENT_SECRET } : {}),
    jobIntervalMs: e.REFERENCE_PARTNER_JOB_INTERVAL_MS,
    freeResourceQuota: e.REFERENCE_PARTNER_FREE_QUOTA === 'unlimited' ? Infinity : Number(e.REFERENCE_PARTNER_FREE_QUOTA),
    rotation: e.REFERENCE_PARTNER_ROTATION,
    ...(e.REFERENCE_PARTNER_ENCRYPTION_KEY ? { encryptionKey: e.REFERENCE_PARTNER_ENCRYPTION_KEY } : {}),
    logLevel: e.LOG_LEVEL,
  });
}
