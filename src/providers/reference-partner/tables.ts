import type { Generated } from 'kysely';
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
  ref_partner_invoices: InvoiceTable;
  ref_partner_webhook_events: WebhookEventTable;
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
   * The installation's token for calling back Stockroom, sealed with the secret box and bound to
   * the row (`sealed-values.ts`). Null for rows written while only its hash was kept (migrations
   * 0003–0005): those cannot call back until Stockroom upserts the installation again.
   */
  access_token: string | null;
  token_type: string;
  /** Start of the last hour whose usage was reported, epoch ms. */
  usage_reported_at: number | null;
  /** After an uninstall answered `{finalized:false}`: `pending`, `held` or `done`. */
  finalization: string | null;
  created_at: number;
  updated_at: number;
  deleted_at: number | null;
  /** The installation-level plan it is on (Update Installation, migration 0007); null: billed per resource. */
  billing_plan_id: Generated<string | null>;
}

export interface InvoiceTable {
  /** The partner's own id, sent as the invoice's `externalId`. */
  id: string;
  installation_id: string;
  resource_id: string;
  billing_plan_id: string;
  period_start: number;
  period_end: number;
  total_cents: number;
  /** `submitting` until Stockroom answered, then Stockroom's invoice state as last learnt. */
  state: string;
  /** Stockroom's invoice id, once submitted. */
  invoice_id: string | null;
  /** The `test.result` asked for (the `invoice-notpaid` hook), or null for a real invoice. */
  test_result: string | null;
  created_at: number;
  updated_at: number;
}

export interface WebhookEventTable {
  /** The event's `id`: an event is acted on once, however often it is delivered. */
  id: string;
  type: string;
  installation_id: string | null;
  /** JSON of the event's `payload`. */
  payload: string;
  /** Deliveries received, the refused ones included. */
  deliveries: number;
  processed_at: number | null;
  created_at: number;
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
  /** With asynchronous rotation: when the current secrets are next to be pushed to Update Resource Secrets; null when none is due (migration 0006). */
  secrets_push_due_at: number | null;
  /** Push attempts made since the last rotation. */
  secrets_push_attempts: Generated<number>;
  /** Rotations so far; a push ending under an older generation pushes the current secrets again. */
  secrets_generation: Generated<number>;
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
