import { Type, type Static } from 'typebox';
import { BILLING_PLAN_TYPES, NOTIFICATION_LEVELS, OWNERSHIPS, RESOURCE_STATUSES, StringEnum } from '../../schemas/enums.js';
import { Metadata, Notification, StoreProtocolSettings } from './store.js';

/*
 * The wire of the endpoints partners call with an installation's access token (vercel-contract.md
 * §6; docs/partner-calls.md), checked against `@vercel/sdk`'s `marketplace.*` models.
 */

/** A secret as a partner sends it (§6 Secret): Update Resource Secrets, Import and Update Resource. */
export const PartnerSecret = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 256 }),
  value: Type.String(),
  prefix: Type.Optional(Type.String()),
  environmentOverrides: Type.Optional(
    Type.Object({ development: Type.Optional(Type.String()), preview: Type.Optional(Type.String()), production: Type.Optional(Type.String()) }),
  ),
});
export type PartnerSecret = Static<typeof PartnerSecret>;
export const PartnerSecrets = Type.Array(PartnerSecret, { maxItems: 1000 });

/** A plan a partner gives (Update Installation, Import/Update Resource): id, type and name required, anything else kept. */
export const PartnerBillingPlan = Type.Object(
  {
    id: Type.String({ minLength: 1, maxLength: 256 }),
    type: StringEnum(BILLING_PLAN_TYPES),
    name: Type.String({ maxLength: 256 }),
    description: Type.Optional(Type.String()),
    paymentMethodRequired: Type.Optional(Type.Boolean()),
    cost: Type.Optional(Type.String()),
    details: Type.Optional(Type.Array(Type.Object({ label: Type.String(), value: Type.Optional(Type.String()) }))),
    highlightedDetails: Type.Optional(Type.Array(Type.Object({ label: Type.String(), value: Type.Optional(Type.String()) }))),
    effectiveDate: Type.Optional(Type.String()),
  },
  { additionalProperties: true },
);

/** A notification a partner gives: the object, or a plain string (an `info` with that title), or null to clear it. */
export const PartnerNotification = Type.Union([
  Type.Object({
    level: StringEnum(NOTIFICATION_LEVELS),
    title: Type.String({ maxLength: 1024 }),
    message: Type.Optional(Type.String({ maxLength: 4096 })),
    href: Type.Optional(Type.String({ maxLength: 2048 })),
  }),
  Type.String({ maxLength: 1024 }),
  Type.Null(),
]);

export const UpdateInstallationBody = Type.Object({
  status: Type.Optional(StringEnum(RESOURCE_STATUSES)),
  externalId: Type.Optional(Type.String({ maxLength: 256 })),
  billingPlan: Type.Optional(PartnerBillingPlan),
  notification: Type.Optional(PartnerNotification),
});

/** Get Account Information (§1.5). */
export const AccountInfo = Type.Object({
  name: Type.Optional(Type.String()),
  url: Type.String(),
  contact: Type.Union([Type.Object({ email: Type.String(), name: Type.Optional(Type.String()) }), Type.Null()]),
});

/** Get Member Information (§1.5): `role` in Vercel's two-valued terms. */
export const MemberInfo = Type.Object({
  id: Type.String(),
  role: StringEnum(['ADMIN', 'USER'] as const),
  userEmail: Type.Optional(Type.String()),
  globalUserId: Type.Optional(Type.String()),
});

export const RotateCredentialBody = Type.Object({
  client_secret: Type.String({ minLength: 1, maxLength: 1024 }),
  client_id: Type.Optional(Type.String({ maxLength: 256 })),
});

export const RotateCredentialResponse = Type.Object({
  access_token: Type.String(),
  /** 0: the token does not expire (docs/partner-calls.md). */
  expires_in: Type.Integer({ minimum: 0 }),
  scope: Type.String(),
  token_type: Type.Literal('oauth2-token'),
});

export const RevokeCredentialBody = Type.Object({
  token: Type.String({ minLength: 1, maxLength: 1024 }),
  client_secret: Type.String({ minLength: 1, maxLength: 1024 }),
  client_id: Type.Optional(Type.String({ maxLength: 256 })),
});

/** `already_revoked` on the wire; the SDK calls it `alreadyRevoked`. */
export const RevokeCredentialResponse = Type.Object({ revoked: Type.Boolean(), already_revoked: Type.Boolean() });

const resourceFields = {
  /** Stockroom's store id. */
  internalId: Type.String(),
  name: Type.String(),
  /** The partner's product id. */
  productId: Type.String(),
  status: Type.Optional(StringEnum(RESOURCE_STATUSES)),
  billingPlanId: Type.Optional(Type.String()),
  metadata: Type.Optional(Metadata),
  notification: Type.Optional(Notification),
};

/** One of Get Integration Resources' `resources` (§6): the partner's id is `partnerId`. */
export const PartnerResourceListItem = Type.Object({ partnerId: Type.String(), ...resourceFields, protocolSettings: Type.Optional(StoreProtocolSettings) });
export const PartnerResourceList = Type.Object({ resources: Type.Array(PartnerResourceListItem) });

/** Get Integration Resource (§6): the partner's id is `id`, and `experimentation` has two ids only. */
export const PartnerResource = Type.Object({
  id: Type.String(),
  ...resourceFields,
  protocolSettings: Type.Optional(
    Type.Object({
      authentication: Type.Optional(StoreProtocolSettings.properties.authentication),
      experimentation: Type.Optional(Type.Object({ edgeConfigId: Type.Optional(Type.String()), globalConfigId: Type.Optional(Type.String()) })),
    }),
  ),
});

const resourceBodyFields = {
  ownership: Type.Optional(StringEnum(OWNERSHIPS)),
  metadata: Type.Optional(Metadata),
  billingPlan: Type.Optional(PartnerBillingPlan),
  extras: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
};

/** Import Resource's body (§6). */
export const ImportResourceBody = Type.Object({
  productId: Type.String({ minLength: 1, maxLength: 256 }),
  name: Type.String({ minLength: 1, maxLength: 128 }),
  status: StringEnum(RESOURCE_STATUSES),
  ...resourceBodyFields,
  notification: Type.Optional(PartnerNotification),
  secrets: Type.Optional(PartnerSecrets),
});

/** Update Resource's body (§6): every field optional; `secrets` a list (replaces) or `{secrets, partial}`. */
export const UpdateResourceBody = Type.Object({
  name: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
  status: Type.Optional(StringEnum(RESOURCE_STATUSES)),
  ...resourceBodyFields,
  notification: Type.Optional(PartnerNotification),
  secrets: Type.Optional(Type.Union([PartnerSecrets, Type.Object({ secrets: PartnerSecrets, partial: Type.Optional(Type.Boolean()) })])),
});

/** Import and Update Resource answer the store's name. */
export const ResourceNameResponse = Type.Object({ name: Type.String() });
