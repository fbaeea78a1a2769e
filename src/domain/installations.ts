/**
 * A team's installation of an integration (Vercel's "integration configuration", `icfg_…`).
 * `pending` while Stockroom upserts it at the provider; `ready` once the provider accepted it.
 */
export interface Installation {
  readonly id: string;
  readonly teamId: string;
  readonly integrationId: string;
  /** The user who installed it. */
  readonly userId: string;
  readonly scopes: readonly string[];
  readonly source: string;
  readonly status: 'pending' | 'ready';
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly deletedAt: number | null;
}

/** The scopes Stockroom grants a storage integration's installation. */
export const DEFAULT_INSTALLATION_SCOPES = ['read-write:integration-resource', 'read:team'] as const;
