import type { SecretInfo } from './stores.js';

/**
 * A store connected to a project: the project receives the store's secrets as environment
 * variables, named `envVarPrefix + secret name`, in each of `environments` (vercel-contract.md §5,
 * partner-api.md §3.2).
 */
export interface StoreConnection {
  /** `spc_…` */
  readonly id: string;
  readonly storeId: string;
  readonly projectId: string;
  readonly teamId: string;
  /** `production`, `preview`, `development` or a custom environment's id, without duplicates. */
  readonly environments: readonly string[];
  readonly envVarPrefix: string | null;
  /** Vercel's `makeEnvVarsSensitive`: values become write-only. */
  readonly sensitive: boolean;
  /** Epoch milliseconds. */
  readonly createdAt: number;
}

/** A project connection as a store lists it, with its project's name and framework (`projectsMetadata`, vercel-contract.md §2.4). */
export interface StoreConnectionView {
  readonly id: string;
  readonly projectId: string;
  readonly projectName: string;
  readonly framework: string | null;
  readonly environments: readonly string[];
  readonly envVarPrefix: string | null;
  readonly sensitive: boolean;
}

/** What a connect request leaves out: every standard environment (the vercel CLI's default too). */
export const DEFAULT_ENVIRONMENTS = ['production', 'preview', 'development'] as const;

/** An env var prefix: an upper-case letter, then upper-case letters, digits and `_`. */
export const ENV_VAR_PREFIX_PATTERN = '^[A-Z][A-Z0-9_]*$';

/** The requested environments, in request order without repeats, or the default when none. */
export function normalizeEnvironments(requested: readonly string[] | undefined): string[] {
  if (!requested || requested.length === 0) return [...DEFAULT_ENVIRONMENTS];
  return [...new Set(requested)];
}

/** Another connection of the same project, with the secret names its store gives it. */
export interface ProjectEnvSource {
  readonly storeId: string;
  readonly environments: readonly string[];
  readonly envVarPrefix: string | null;
  readonly secrets: readonly SecretInfo[];
}

/**
 * The env var names a new connection would share with the project's other connections in an
 * environment both cover. Two stores writing one name would make `env pull` pick one silently,
 * so a clash is refused instead (as Vercel refuses an env var that already exists).
 */
export function findEnvVarClashes(
  candidate: { readonly storeId: string; readonly environments: readonly string[]; readonly envVarPrefix: string | null; readonly secrets: readonly SecretInfo[] },
  others: readonly ProjectEnvSource[],
): string[] {
  const wanted = new Set(candidate.secrets.map((s) => `${candidate.envVarPrefix ?? ''}${s.name}`));
  const clashes = new Set<string>();
  for (const other of others) {
    if (other.storeId === candidate.storeId) continue;
    if (!other.environments.some((e) => candidate.environments.includes(e))) continue;
    for (const secret of other.secrets) {
      const name = `${other.envVarPrefix ?? ''}${secret.name}`;
      if (wanted.has(name)) clashes.add(name);
    }
  }
  return [...clashes].sort();
}
