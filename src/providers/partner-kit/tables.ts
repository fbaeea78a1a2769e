import type { ResourceColumns } from './resource-columns.js';

/**
 * The bookkeeping of a provider built on the partner kit, as Kysely sees it. Each provider keeps
 * these tables under its own prefix (`pg_provider_`, `redis_provider_`) in Stockroom's database;
 * `TablePrefixPlugin` maps the short names below to the prefixed ones. Timestamps are epoch
 * milliseconds; JSON values are text so both dialects return the same JS type.
 */
export interface KitTables {
  installations: InstallationTable;
  resources: ResourceTable;
  credentials: CredentialTable;
}

export const KIT_TABLE_NAMES: readonly (keyof KitTables)[] = ['installations', 'resources', 'credentials'];

/**
 * An installation the provider was told about. Its access token is not kept: rotations are
 * answered synchronously, so these providers never call Stockroom back.
 */
export interface InstallationTable {
  id: string;
  created_at: number;
  updated_at: number;
  deleted_at: number | null;
}

/** Where a resource is in its life; `provisioning` and `deleting` are resumed by a retry. */
export type ResourceState = 'provisioning' | 'ready' | 'deleting' | 'deleted';

export interface ResourceTable extends ResourceColumns {
  /**
   * The name of everything made for the resource on the real server (`sr_<base36>`: a database
   * and role, an ACL user and key prefix). Chosen and stored before anything is created, so a
   * retry converges on the same objects instead of making new ones.
   */
  handle: string;
  state: ResourceState;
  /** The provision request's Idempotency-Key and a hash of that request. */
  idempotency_key: string | null;
  fingerprint: string | null;
}

/**
 * `pending`: being added on the server; `active`: the one Stockroom holds; `expiring`: replaced by
 * a rotation and still valid until `revoke_at`; `revoked`: no longer valid, password wiped.
 */
export type CredentialState = 'pending' | 'active' | 'expiring' | 'revoked';

export interface CredentialTable {
  id: string;
  resource_id: string;
  /** 1 for the credential made at provisioning, then one more per rotation. */
  generation: number;
  /** The login name on the server (a PostgreSQL role, a Redis ACL user). */
  login: string;
  /** The password, sealed with Stockroom's secret box; null once revoked. */
  password_sealed: string | null;
  state: CredentialState;
  /** The rotation request's Idempotency-Key and a hash of that request; null for generation 1. */
  idempotency_key: string | null;
  fingerprint: string | null;
  /**
   * When an `expiring` credential is revoked. The revocation job also pushes it forward while it
   * works on a row, so a replica that dies mid-way leaves the row due again a little later.
   */
  revoke_at: number | null;
  revoked_at: number | null;
  created_at: number;
  updated_at: number;
}
