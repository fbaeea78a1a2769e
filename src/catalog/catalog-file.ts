import { Type, type Static, type TObject, type TProperties } from 'typebox';
import { FRAMEWORKS, GUIDE_ACTION_TYPES, PRODUCT_TAGS, PROJECT_CONNECTION_SCOPES, StringEnum } from '../schemas/enums.js';
import { MetadataSchema } from '../schemas/metadata-schema.js';
import {
  Guide,
  IntegrationCapabilities,
  ProductCapabilities,
  ProtocolName,
  ResourceLink,
  SecretRotation,
  Snippet,
} from '../schemas/product.js';

/*
 * The declarative catalog FILE (JSON) an operator writes (issue 3 §1): what `loadCatalog` reads
 * before it adds defaults and checks the rules JSON Schema cannot say (load-catalog.ts).
 *
 * Values reach Vercel's clients as they are written here, and `@vercel/sdk` rejects a whole
 * response over one unknown enum value (vercel-contract.md §10.8), so the closed lists and the
 * metadataSchema variants are the wire's own (src/schemas). Every object is closed: the wire
 * schemas stay open because the SDK drops unknown keys, but in a file an unknown key is a typo, and
 * silently dropping `"capabilites"` would hide it.
 */

const closed = { additionalProperties: false } as const;

/** The wire's object schema with unknown keys refused. */
function closedObject<Properties extends TProperties>(schema: TObject<Properties>): TObject<Properties> {
  return Type.Object(schema.properties, closed);
}

/** `oac_` then letters and digits, as Vercel's integration ids. */
export const INTEGRATION_ID_PATTERN = '^oac_[a-zA-Z0-9]+$';
/** `iap_` then letters, digits and underscores (vercel-contract.md §10.3). */
export const PRODUCT_ID_PATTERN = '^iap_[a-zA-Z0-9_]+$';
/** Integration and product slugs (vercel-contract.md §10.3). */
export const SLUG_PATTERN = '^[a-z0-9-]+$';

const Text = Type.String({ minLength: 1 });
/** Icons: an https URL, a `data:image/…` URI or a path on this server; a bare file name is a mistake. */
const IconUrl = Type.String({ pattern: '^(https?://|data:image/|/)' });
const WebUrl = Type.String({ pattern: '^https?://' });
/** A partner API's base URL, or `builtin:<name>` for a provider mounted in Stockroom (catalog.ts). */
const ProviderBaseUrl = Type.String({ pattern: '^(https?://.+|builtin:[a-z0-9-]+)$' });
/** A URL at the partner: absolute, or `builtin:<name>/<path>` under a built-in provider's mount. */
const PartnerUrl = Type.String({ pattern: '^(https?://.+|builtin:[a-z0-9-]+/.*)$' });
/** An environment variable's name. */
const EnvName = Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]*$' });

/** `secretRotation`: a boolean, or `{maxDelayHours, customRotationWarning?}` with nothing else. */
const [rotationFlag, rotationWindow] = SecretRotation.anyOf;
const CatalogSecretRotation = Type.Union([rotationFlag, closedObject(rotationWindow)]);

/** Vercel's ProductCapabilities (vercel-contract.md §2.4): only its keys, booleans but `secretRotation`. */
export const CatalogProductCapabilities = Type.Object(
  { ...ProductCapabilities.properties, secretRotation: Type.Optional(CatalogSecretRotation) },
  closed,
);

/** Vercel's IntegrationCapabilities (vercel-contract.md §2.4): booleans, `maxAllowedTeams` a number. */
export const CatalogIntegrationCapabilities = Type.Object(
  { ...IntegrationCapabilities.properties, secretRotation: Type.Optional(CatalogSecretRotation) },
  closed,
);

const GuideStep = Type.Object(
  {
    title: Text,
    content: Text,
    actions: Type.Optional(Type.Array(Type.Object({ type: StringEnum(GUIDE_ACTION_TYPES) }, closed))),
  },
  closed,
);

/**
 * `product.guides[]` (vercel-contract.md §2.4): per-framework setup steps. The wire leaves
 * `framework` free text, but `vercel integration guide --framework` matches it exactly against
 * Vercel's framework slugs, so a file may only use those (`nextjs`, not `next.js`).
 */
export const CatalogGuide = Type.Object(
  { ...Guide.properties, framework: StringEnum(FRAMEWORKS), title: Text, steps: Type.Array(GuideStep, { minItems: 1 }) },
  closed,
);

/** `product.snippets[]`: code the CLI prints under "Code Snippets" whatever the framework. */
export const CatalogSnippet = Type.Object(
  { ...Snippet.properties, name: Text, language: Type.String({ pattern: '^[a-z0-9+#-]+$' }), content: Text },
  closed,
);

/** `product.resourceLinks[]` (vercel-contract.md §2.4). */
export const CatalogResourceLink = Type.Object(
  { ...ResourceLink.properties, title: Text, href: Type.String({ pattern: '^(https?://|/)' }) },
  closed,
);

/** One product of an integration, as the file spells it. */
export const CatalogFileProduct = Type.Object(
  {
    id: Type.String({ pattern: PRODUCT_ID_PATTERN }),
    slug: Type.String({ pattern: SLUG_PATTERN }),
    /** The product id the provider knows; defaults to `slug`. */
    providerProductId: Type.Optional(Text),
    name: Text,
    iconUrl: Type.Optional(IconUrl),
    shortDescription: Type.Optional(Type.String()),
    supportedProtocols: Type.Array(ProtocolName, { minItems: 1 }),
    /** Must be one of `supportedProtocols` (checked by load-catalog.ts). */
    primaryProtocol: ProtocolName,
    capabilities: Type.Optional(CatalogProductCapabilities),
    metadataSchema: MetadataSchema,
    tags: Type.Optional(Type.Array(StringEnum(PRODUCT_TAGS))),
    resourceLinks: Type.Optional(Type.Array(CatalogResourceLink)),
    guides: Type.Optional(Type.Array(CatalogGuide)),
    snippets: Type.Optional(Type.Array(CatalogSnippet)),
    resourceTitle: Type.Optional(Text),
    projectConnectionScopes: Type.Optional(Type.Array(StringEnum(PROJECT_CONNECTION_SCOPES))),
  },
  closed,
);
export type CatalogFileProduct = Static<typeof CatalogFileProduct>;

/** One integration (a provider and the products it sells), as the file spells it. */
export const CatalogFileIntegration = Type.Object(
  {
    id: Type.String({ pattern: INTEGRATION_ID_PATTERN }),
    slug: Type.String({ pattern: SLUG_PATTERN }),
    name: Text,
    icon: IconUrl,
    shortDescription: Type.Optional(Type.String()),
    clientId: Text,
    /** Signs webhooks and authenticates SSO token exchanges; never sent in API answers. */
    clientSecret: Type.Optional(Type.String({ minLength: 16 })),
    /** The environment variable holding `clientSecret`, so the file can be committed; not both. */
    clientSecretEnv: Type.Optional(EnvName),
    providerBaseUrl: ProviderBaseUrl,
    /** Where Stockroom delivers the integration's webhooks (`x-vercel-signature`). */
    webhookUrl: Type.Optional(PartnerUrl),
    /** The partner's Redirect Login URL, opened with `code` and `state` for "Open in provider" (SSO). */
    redirectLoginUrl: Type.Optional(PartnerUrl),
    eulaDocUri: Type.Optional(WebUrl),
    privacyDocUri: Type.Optional(WebUrl),
    capabilities: Type.Optional(CatalogIntegrationCapabilities),
    flags: Type.Optional(Type.Array(Text)),
    /**
     * Category slugs (`databases`, `ai`; src/schemas/categories.ts), answered as the integration's
     * `tagIds`. Known and integration-level ones only, each once (catalog-rules.ts).
     */
    categories: Type.Optional(Type.Array(Text, { minItems: 1 })),
    products: Type.Array(CatalogFileProduct, { minItems: 1 }),
  },
  closed,
);
export type CatalogFileIntegration = Static<typeof CatalogFileIntegration>;

/** The whole file: `{ "integrations": [ … ] }`. */
export const CatalogFile = Type.Object({ integrations: Type.Array(CatalogFileIntegration) }, closed);
export type CatalogFile = Static<typeof CatalogFile>;
