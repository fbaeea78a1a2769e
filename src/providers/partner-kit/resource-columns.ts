/**
 * What every partner server keeps of a resource, whatever else it keeps: the fields Provision
 * Resource set (partner-api.md §1.1 #5) and its times, in epoch milliseconds.
 */
export interface ResourceFields {
  /** `res_…`, the id Stockroom stores as `externalResourceId`. */
  readonly id: string;
  readonly installationId: string;
  /** The product's slug. */
  readonly productId: string;
  readonly name: string;
  readonly metadata: Readonly<Record<string, unknown>>;
  readonly billingPlanId: string;
  readonly externalId: string | null;
  readonly createdAt: number;
  readonly updatedAt: number;
}

/**
 * The same as table columns, which each provider's resource table has beside its own. JSON is
 * stored as text so both dialects return the same JS type; `deleted_at` is set once deleted.
 */
export interface ResourceColumns {
  id: string;
  installation_id: string;
  product_id: string;
  name: string;
  /** JSON object. */
  metadata: string;
  billing_plan_id: string;
  external_id: string | null;
  created_at: number;
  updated_at: number;
  deleted_at: number | null;
}

/** The columns of a new resource row. */
export function resourceColumns(resource: ResourceFields): ResourceColumns {
  return {
    id: resource.id,
    installation_id: resource.installationId,
    product_id: resource.productId,
    name: resource.name,
    metadata: JSON.stringify(resource.metadata),
    billing_plan_id: resource.billingPlanId,
    external_id: resource.externalId,
    created_at: resource.createdAt,
    updated_at: resource.updatedAt,
    deleted_at: null,
  };
}

/** The fields of a stored row. */
export function resourceFields(row: ResourceColumns): ResourceFields {
  return {
    id: row.id,
    installationId: row.installation_id,
    productId: row.product_id,
    name: row.name,
    metadata: JSON.parse(row.metadata) as Record<string, unknown>,
    billingPlanId: row.billing_plan_id,
    externalId: row.external_id,
    // pg may return bigint columns as strings; Number() makes both dialects agree.
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

/** What Update Resource may change of those fields (partner-api.md §1.1 #7). */
export interface ResourceChanges {
  readonly name?: string;
  readonly metadata?: Readonly<Record<string, unknown>>;
  readonly billingPlanId?: string;
}

/** The columns an update writes: the changed fields and `updated_at`. */
export function changedResourceColumns(changes: ResourceChanges, now: number): Partial<ResourceColumns> & { updated_at: number } {
  return {
    ...(changes.name !== undefined && { name: changes.name }),
    ...(changes.metadata !== undefined && { metadata: JSON.stringify(changes.metadata) }),
    ...(changes.billingPlanId !== undefined && { billing_plan_id: changes.billingPlanId }),
    updated_at: now,
  };
}
