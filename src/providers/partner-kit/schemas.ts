import { Type } from 'typebox';
import { RESOURCE_STATUSES } from './resource-status.js';

/**
 * The partner API's request shapes (partner-api.md §1.1). Responses have no schema on purpose:
 * the partner replays stored answers verbatim and its `fail-malformed` hook answers a body that is
 * not a Resource, which a response schema would reshape.
 */
const Id = Type.String({ minLength: 1, maxLength: 256 });

export const InstallationParams = Type.Object({ installationId: Id });
export const ResourceParams = Type.Object({ installationId: Id, resourceId: Id });
export const ProductParams = Type.Object({ productSlug: Id });

export const UpsertInstallationBody = Type.Object({
  scopes: Type.Array(Type.String()),
  acceptedPolicies: Type.Record(Type.String(), Type.String()),
  credentials: Type.Object({
    access_token: Type.String({ minLength: 1 }),
    token_type: Type.String({ minLength: 1 }),
  }),
  account: Type.Object({
    name: Type.Optional(Type.String()),
    url: Type.String(),
    contact: Type.Object({ email: Type.String(), name: Type.Optional(Type.String()) }),
  }),
});

/** The Update Installation body (partner-api.md §1.1 #3). */
export const UpdateInstallationBody = Type.Object({ billingPlanId: Type.String({ minLength: 1, maxLength: 128 }) });

export const DeleteInstallationBody = Type.Object({
  cascadeResourceDeletion: Type.Optional(Type.Boolean()),
  reason: Type.Optional(Type.String()),
});

const Metadata = Type.Record(Type.String(), Type.Unknown());

export const ProvisionBody = Type.Object({
  productId: Type.String({ minLength: 1, maxLength: 256 }),
  name: Type.String({ minLength: 1, maxLength: 128 }),
  metadata: Metadata,
  billingPlanId: Type.String({ minLength: 1, maxLength: 256 }),
  externalId: Type.Optional(Type.String({ maxLength: 256 })),
  protocolSettings: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
});

export const UpdateResourceBody = Type.Object({
  name: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
  metadata: Type.Optional(Metadata),
  billingPlanId: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
  status: Type.Optional(Type.Enum([...RESOURCE_STATUSES])),
  protocolSettings: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
});

export const RotateSecretsBody = Type.Object({
  reason: Type.Optional(Type.String()),
  delayOldSecretsExpirationHours: Type.Optional(Type.Number({ minimum: 0, maximum: 720 })),
});

export const ListResourcesQuery = Type.Object({
  /** Repeated (`?ids=a&ids=b`) or comma-separated. */
  ids: Type.Optional(Type.Array(Type.String())),
});

export const PlansQuery = Type.Object({
  /** The caller's current form input, as a JSON string. */
  metadata: Type.Optional(Type.String()),
});

/** Provision Purchase (partner-api.md §1.1 #15). */
export const ProvisionPurchaseBody = Type.Object({ invoiceId: Id });
