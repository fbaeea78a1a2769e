import type { ResourceColumns } from '../partner-kit/resource-columns.js';

/**
 * The reference partner's own tables, as Kysely sees them. They are prefixed `ref_partner_` so
 * that they can live in Stockroom's database without touching its tables. Timestamps are epoch
 * milliseconds; JSON values are stored as text so both dialects return the same JS type.
 */
export interface PartnerTables {
  ref_partner_installations: InstallationTable;
  ref_partner_resources: ResourceTable;
  ref_partner_idempotency_keys: IdempotencyKeyTable;
  ref_partner_credit_purchases: CreditPurchaseTable;
}

/** One Provision Purchase: the paid invoice and the credits it bought (migration 0004). */
export interface CreditPurchaseTable {
  invoice_id: string;
  installation_id: string;
  resource_id: string;
  amount_cents: number;
  created_at: number;
}

export interface InstallationTable {
  id: string;
  /** JSON string[]. */
  scopes: string;
  /** JSON `{policyId: ISO datetime}`. */
  accepted_policies: string;
  /** JSON `{name?, url, contact:{email, name?}}`. */
  account: string;
  /**
   * SHA-256 (hex) of the installation's token for calling back Stockroom. The partner never calls
   * back, so the token itself is not kept: a copy of the database must not let anyone push secrets.
   */
  access_token_hash: string;
  token_type: string;
  created_at: number;
  updated_at: number;
  deleted_at: number | null;
}

export interface ResourceTable extends ResourceColumns {
  /** The stored status; `pending` reads as `ready` once `ready_at` has passed. */
  status: string;
  ready_at: number | null;
  /**
   * JSON `[{name, value}]`, the current secret values (the partner's own copy), sealed with the
   * secret box (`sealed-values.ts`). Rows written before sealing hold the plain JSON until the
   * start-up sweep seals them.
   */
  secrets: string;
  previous_secrets_expire_at: number | null;
}

export interface IdempotencyKeyTable {
  installation_id: string;
  key: string;
  /** Hash of method, path and body, so a reused key with another request is refused. */
  fingerprint: string;
  status_code: number;
  /** JSON text of the first answer, replayed as is; sealed, since a provision's answer holds its secrets. */
  body: string;
  created_at: number;
}
