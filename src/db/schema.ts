import type { Generated } from 'kysely';

/**
 * Row types of every table. Columns are snake_case; timestamps are epoch milliseconds (bigint),
 * money is integer cents, flags are 0/1 integers and JSON is text, so that SQLite and PostgreSQL
 * return the same JS types.
 */
export interface UsersTable {
  id: string;
  email: string;
  name: string | null;
  username: string;
  default_team_id: string | null;
  /** 1 for an operator of this Stockroom instance (the bootstrap owner). */
  is_admin: number;
  created_at: number;
  updated_at: number;
}

export interface TeamsTable {
  id: string;
  slug: string;
  name: string;
  creator_id: string;
  /** 'active' or 'soft_blocked' (docs/rules.md §3). */
  billing_state: string;
  default_payment_method_id: Generated<string | null>;
  created_at: number;
  updated_at: number;
}

export interface MembershipsTable {
  team_id: string;
  user_id: string;
  /** OWNER, MEMBER, DEVELOPER, BILLING or VIEWER. */
  role: string;
  created_at: number;
}

export interface TokensTable {
  id: string;
  user_id: string;
  name: string;
  /** SHA-256 of the token value; the value itself is never stored. */
  token_hash: string;
  /** When set, the token may act for this team only. */
  team_id: string | null;
  origin: string;
  expires_at: number | null;
  revoked_at: number | null;
  created_at: number;
  active_at: number;
}

export interface InstanceSettingsTable {
  key: string;
  value: string;
  created_at: number;
}

export interface SigningKeysTable {
  kid: string;
  public_jwk: string;
  /** The private JWK, sealed with the secret box. */
  private_jwk_sealed: string;
  created_at: number;
}

export interface InstallationsTable {
  id: string;
  team_id: string;
  integration_id: string;
  user_id: string;
  /** JSON array of scopes granted. */
  scopes: string;
  access_token_hash: string;
  source: string;
  status: string;
  created_at: number;
  updated_at: number;
  deleted_at: number | null;
  /** Migration 0016: the end of the wait for final invoices after `{finalized:false}`; null when none. */
  finalize_by: number | null;
  /** Migration 0016: when that wait ended (Finalize Installation or the deadline). */
  finalized_at: number | null;
  /** Update Installation (migration 0013): the partner's status, externalId, plan and notification (JSON). */
  partner_status: Generated<string | null>;
  external_id: Generated<string | null>;
  billing_plan: Generated<string | null>;
  notification: Generated<string | null>;
  /** Migration 0019: JSON array of the project ids that may use the installation; null: all (docs/installation-updates.md). */
  allowed_projects: Generated<string | null>;
  /** Migration 0019: the plan change running on the installation and when it began; null when none. */
  plan_change_id: Generated<string | null>;
  plan_change_at: Generated<number | null>;
  plan_change_began_at: Generated<number | null>;
  /** Migration 0019: what that change is about to charge (plan, cents, payment method id), written with its claim. */
  plan_change_plan_id: Generated<string | null>;
  plan_change_charge_cents: Generated<number | null>;
  plan_change_payment_method_id: Generated<string | null>;
}

/** An installation's superseded access tokens, hashed, valid until `expires_at` (migration 0013). */
export interface InstallationTokensTable {
  token_hash: string;
  installation_id: string;
  created_at: number;
  expires_at: number;
  revoked_at: number | null;
}

export interface PaymentMethodsTable {
  id: string;
  team_id: string;
  source: string;
  brand: string;
  last4: string;
  created_at: number;
  deleted_at: number | null;
}

export interface LedgerEntriesTable {
  id: string;
  team_id: string;
  store_id: string | null;
  kind: string;
  amount_cents: number;
  currency: string;
  payment_method_id: string | null;
  billing_plan_id: string | null;
  reference: string | null;
  operation_key: string;
  memo: string | null;
  created_at: number;
  /** The invoice the movement pays or refunds (migration 0014); null for the others. */
  invoice_id: string | null;
}

export interface StoresTable {
  id: string;
  team_id: string;
  installation_id: string;
  integration_id: string;
  product_id: string;
  name: string;
  external_id: string | null;
  source: string;
  created_by: string;
  billing_plan_id: string;
  billing_plan: string;
  metadata: string;
  protocol_settings: string | null;
  /** With `status` and `external_resource_status`: a store's state, explained at `StoreLifecycle` (domain/stores.ts). */
  lifecycle: string;
  status: string | null;
  external_resource_id: string | null;
  external_resource_status: string | null;
  notification: string | null;
  secrets_sealed: string | null;
  secret_meta: string;
  provision_key: string;
  payment: string | null;
  failure: string | null;
  created_at: number;
  updated_at: number;
  deleted_at: number | null;
  /** Import/Update Resource (migration 0013): `owned|linked|sandbox`, and the partner's `extras` (JSON). */
  ownership: Generated<string | null>;
  extras: Generated<string | null>;
}

export interface ProjectsTable {
  id: string;
  team_id: string;
  name: string;
  framework: string | null;
  created_at: number;
  updated_at: number;
}

export interface StoreConnectionsTable {
  id: string;
  store_id: string;
  project_id: string;
  team_id: string;
  environments: string;
  env_var_prefix: string | null;
  sensitive: number;
  created_at: number;
}

export interface ProviderCleanupsTable {
  id: string;
  store_id: string;
  team_id: string;
  installation_id: string;
  integration_id: string;
  store_name: string;
  resource_id: string | null;
  attempts: Generated<number>;
  next_attempt_at: number;
  last_error: string | null;
  created_at: number;
  done_at: number | null;
}

/** The webhook outbox (migration 0012, docs/webhooks.md). */
export interface WebhookEventsTable {
  id: string;
  installation_id: string;
  team_id: string;
  integration_id: string;
  type: string;
  /** JSON text of the event's `payload`. */
  payload: string;
  sequence: number;
  state: string;
  attempts: number;
  next_attempt_at: number;
  last_attempt_at: number | null;
  last_status: number | null;
  last_response: string | null;
  delivered_at: number | null;
  created_at: number;
}

export interface InvoicesTable {
  id: string;
  installation_id: string;
  team_id: string;
  integration_id: string;
  kind: string;
  state: string;
  external_id: string | null;
  source_key: string | null;
  test: number;
  test_result: string | null;
  invoice_date: number;
  period_start: number;
  period_end: number;
  memo: string | null;
  /** JSON text of the items as submitted. */
  items: string;
  discounts: string | null;
  final: number;
  total_cents: number;
  payment_method_id: string | null;
  charge_reference: string | null;
  notpaid_reason: string | null;
  paid_at: number | null;
  refund_cents: number | null;
  refund_reason: string | null;
  refund_reference: string | null;
  refunded_at: number | null;
  claimed_until: number | null;
  created_at: number;
  updated_at: number;
}

export interface InvoiceResourcesTable {
  invoice_id: string;
  installation_id: string;
  store_id: string;
  billing_plan_id: string;
  period_start: number;
  period_end: number;
}

export interface PrepaymentBalancesTable {
  installation_id: string;
  team_id: string;
  resource_key: string;
  store_id: string | null;
  currency_value_in_cents: number;
  credit: string | null;
  name_label: string | null;
  source: string;
  invoice_id: string | null;
  reported_at: number;
  updated_at: number;
}

/** Every Submit Billing Data as received (migration 0016, docs/partner-billing-and-sso.md). */
export interface BillingSubmissionsTable {
  id: string;
  installation_id: string;
  team_id: string;
  timestamp: number;
  eod: number;
  period_start: number;
  period_end: number;
  /** JSON text `{items, discounts}`. */
  billing: string;
  /** JSON text of the usage array. */
  usage: string;
  created_at: number;
}

/** The latest value of each usage metric per resource (`resource_id` '' = installation-level). */
export interface ResourceUsageTable {
  installation_id: string;
  resource_id: string;
  name: string;
  type: string;
  units: string;
  day_value: number;
  period_value: number;
  plan_value: number | null;
  eod: number;
  period_start: number;
  period_end: number;
  timestamp: number;
  updated_at: number;
}

/** One-time SSO codes, by hash (migration 0016). */
export interface StoreClaimsTable {
  id: string;
  store_id: string;
  team_id: string;
  installation_id: string;
  user_id: string;
  source: string;
  expires_at: number;
  claimed_at: number | null;
  claimed_ownership: string | null;
  created_at: number;
}

export interface SsoCodesTable {
  code_hash: string;
  state: string;
  user_id: string;
  team_id: string;
  installation_id: string;
  integration_id: string;
  user_role: string;
  store_id: string | null;
  resource_id: string | null;
  project_id: string | null;
  invoice_id: string | null;
  nonce: string | null;
  expires_at: number;
  used_at: number | null;
  created_at: number;
}

/** A spend threshold of a prepaid store or installation (migration 0018, docs/balances-and-thresholds.md). */
export interface SpendThresholdsTable {
  id: string;
  installation_id: string;
  team_id: string;
  /** The partner's resource id; '' for the installation's threshold. */
  resource_key: string;
  store_id: string | null;
  billing_plan_id: string;
  minimum_cents: number;
  purchase_cents: number;
  maximum_per_period_cents: number;
  metadata: string;
  purchasing_until: number | null;
  created_at: number;
  updated_at: number;
}

/** An automatic purchase a threshold started (migration 0018). */
export interface ThresholdPurchasesTable {
  id: string;
  threshold_id: string;
  installation_id: string;
  team_id: string;
  resource_key: string;
  store_id: string | null;
  amount_cents: number;
  state: string;
  invoice_id: string | null;
  payment_method_id: string | null;
  reason: string | null;
  created_at: number;
  updated_at: number;
}

export interface DB {
  users: UsersTable;
  teams: TeamsTable;
  memberships: MembershipsTable;
  tokens: TokensTable;
  instance_settings: InstanceSettingsTable;
  signing_keys: SigningKeysTable;
  installations: InstallationsTable;
  installation_tokens: InstallationTokensTable;
  payment_methods: PaymentMethodsTable;
  ledger_entries: LedgerEntriesTable;
  stores: StoresTable;
  projects: ProjectsTable;
  store_connections: StoreConnectionsTable;
  provider_cleanups: ProviderCleanupsTable;
  webhook_events: WebhookEventsTable;
  invoices: InvoicesTable;
  invoice_resources: InvoiceResourcesTable;
  billing_submissions: BillingSubmissionsTable;
  resource_usage: ResourceUsageTable;
  prepayment_balances: PrepaymentBalancesTable;
  sso_codes: SsoCodesTable;
  spend_thresholds: SpendThresholdsTable;
  threshold_purchases: ThresholdPurchasesTable;
  store_claims: StoreClaimsTable;
}

export type { Generated };
