import { createHash } from 'node:crypto';
import type { Role } from './roles.js';

/**
 * A project's environment variables that come from connected stores (issue 6 §5). Values are
 * secrets: they are computed here for one answer and never logged or stored in the clear.
 */

/** The standard deployment targets; any other environment is a custom environment's id. */
export const STANDARD_TARGETS = ['production', 'preview', 'development'] as const;
export type StandardTarget = (typeof STANDARD_TARGETS)[number];

export function isStandardTarget(value: string): value is StandardTarget {
  return (STANDARD_TARGETS as readonly string[]).includes(value);
}

/**
 * Reading values needs a role that may change the team's resources, or DEVELOPER (who deploys
 * and runs `vercel env pull`); VIEWER and BILLING see names only, as on Vercel.
 */
export function canReadEnvValues(role: Role): boolean {
  return role === 'OWNER' || role === 'MEMBER' || role === 'DEVELOPER';
}

/** One opened secret, as the provider gave it (partner-api.md §1.2 Secret). */
export interface SecretValue {
  readonly name: string;
  readonly value: string;
  /** Per-target values that replace `value` in that target. */
  readonly environmentOverrides?: Readonly<Partial<Record<StandardTarget, string>>>;
}

/** A secret as a provider or partner sends it (partner-api.md §1.2 Secret). */
export interface ProviderSecret {
  readonly name: string;
  readonly value: string;
  readonly environmentOverrides?: Readonly<Partial<Record<StandardTarget, string | undefined>>>;
}

/**
 * A provider's secret in the shape it is sealed in: name, value and the overrides it gives (an
 * empty set left out); the deprecated `prefix` is not kept. Every path that stores a store's
 * secrets (create, recovery, rotation, the partner's push) goes through here, so none of them
 * can drop the overrides on its own.
 */
export function toSecretValue(secret: ProviderSecret): SecretValue {
  const overrides: Partial<Record<StandardTarget, string>> = {};
  for (const target of STANDARD_TARGETS) {
    const value = secret.environmentOverrides?.[target];
    if (typeof value === 'string') overrides[target] = value;
  }
  return Object.keys(overrides).length > 0 ? { name: secret.name, value: secret.value, environmentOverrides: overrides } : { name: secret.name, value: secret.value };
}

/**
 * Parses the opened `secrets_sealed` JSON: an array of `{name, value, environmentOverrides?}`.
 * Anything else is a corrupt row, reported without echoing its content (it holds secrets).
 */
export function parseSecretValues(json: string): SecretValue[] {
  const parsed: unknown = JSON.parse(json);
  if (!Array.isArray(parsed)) throw new Error('sealed secrets are not an array');
  return parsed.map((item: unknown, index) => {
    const entry = item as { name?: unknown; value?: unknown; environmentOverrides?: unknown };
    if (typeof entry?.name !== 'string' || typeof entry.value !== 'string') throw new Error(`sealed secret #${index} has no name or value`);
    const overrides: Partial<Record<StandardTarget, string>> = {};
    if (entry.environmentOverrides && typeof entry.environmentOverrides === 'object') {
      for (const [target, value] of Object.entries(entry.environmentOverrides as Record<string, unknown>)) {
        if (isStandardTarget(target) && typeof value === 'string') overrides[target] = value;
      }
    }
    return Object.keys(overrides).length > 0 ? { name: entry.name, value: entry.value, environmentOverrides: overrides } : { name: entry.name, value: entry.value };
  });
}

/** A connection of the project with its store's opened secrets. */
export interface ConnectedSecrets {
  readonly connectionId: string;
  readonly storeId: string;
  readonly installationId: string;
  readonly integrationId: string;
  readonly productId: string;
  readonly environments: readonly string[];
  readonly envVarPrefix: string | null;
  readonly sensitive: boolean;
  readonly secrets: readonly SecretValue[];
  /** Epoch milliseconds: when the connection was made, and the latest change of it or its store. */
  readonly createdAt: number;
  readonly updatedAt: number;
}

/**
 * One environment variable of the project. A secret whose value differs per target becomes one
 * variable per distinct value, as Vercel keeps one value per variable.
 */
export interface ProjectEnvVar {
  /** Stable for the same connection, name and targets. */
  readonly id: string;
  readonly key: string;
  readonly value: string;
  readonly environments: readonly string[];
  readonly sensitive: boolean;
  readonly connectionId: string;
  readonly storeId: string;
  readonly installationId: string;
  readonly integrationId: string;
  readonly productId: string;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export function projectEnvVars(connections: readonly ConnectedSecrets[]): ProjectEnvVar[] {
  const vars: ProjectEnvVar[] = [];
  for (const c of connections) {
    for (const secret of c.secrets) {
      const key = `${c.envVarPrefix ?? ''}${secret.name}`;
      const byValue = new Map<string, string[]>();
      for (const environment of c.environments) {
        const value = valueFor(secret, environment);
        byValue.set(value, [...(byValue.get(value) ?? []), environment]);
      }
      for (const [value, environments] of byValue) {
        vars.push({
          id: envVarId(c.connectionId, key, environments),
          key,
          value,
          environments,
          sensitive: c.sensitive,
          connectionId: c.connectionId,
          storeId: c.storeId,
          installationId: c.installationId,
          integrationId: c.integrationId,
          productId: c.productId,
          createdAt: c.createdAt,
          updatedAt: c.updatedAt,
        });
      }
    }
  }
  return vars;
}

/**
 * `vercel env pull`'s map for one target. Sensitive values are write-only on Vercel and pull as
 * empty strings; Stockroom keeps that promise.
 */
export function envForTarget(vars: readonly ProjectEnvVar[], target: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const v of vars) {
    if (v.environments.includes(target)) env[v.key] = v.sensitive ? '' : v.value;
  }
  return env;
}

function valueFor(secret: SecretValue, environment: string): string {
  return (isStandardTarget(environment) ? secret.environmentOverrides?.[environment] : undefined) ?? secret.value;
}

function envVarId(connectionId: string, key: string, environments: readonly string[]): string {
  const digest = createHash('sha256').update(`${connectionId}\u0000${key}\u0000${[...environments].sort().join(',')}`).digest('hex');
  return `env_${digest.slice(0, 24)}`;
}
