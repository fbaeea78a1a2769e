/**
 * Our TypeBox wire schemas against the parser that matters: `@vercel/sdk` 1.28.35's Zod models
 * (spec/vercel-contract.md). For every response family a fully populated sample must
 *   1. match our schema,
 *   2. come out of Fastify's serializer (fast-json-stringify, driven by our schema) unchanged,
 *   3. parse with the SDK's inbound schema to exactly the wire object (after the SDK's documented
 *      renames and the extra keys it strips), with nothing zero-filled or coerced,
 *   4. reach an SDK client over HTTP the same way.
 * Then: what the SDK rejects, we reject; random values generated from our schemas pass 1–3 too.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Vercel } from '@vercel/sdk';
import { ScopesOrigin } from '@vercel/sdk/models/authtoken.js';
import { CreateAuthTokenResponseBody$inboundSchema } from '@vercel/sdk/models/createauthtokenop.js';
import {
  CreateIntegrationStoreDirectFramework,
  CreateIntegrationStoreDirectRequestBody$outboundSchema,
  CreateIntegrationStoreDirectSource,
  CreateIntegrationStoreDirectStatus,
  ExternalResourceStatus as SdkExternalResourceStatus,
} from '@vercel/sdk/models/createintegrationstoredirectpropertiesintegrationsresponse200uioptions.js';
import {
  CreateIntegrationStoreDirectResponseBody$inboundSchema,
  SupportedProtocols,
} from '@vercel/sdk/models/createintegrationstoredirectresponsebody.js';
import { GetAuthTokenResponseBody$inboundSchema } from '@vercel/sdk/models/getauthtokenop.js';
import { GetAuthUserResponseBody$inboundSchema } from '@vercel/sdk/models/getauthuserop.js';
import { GetBillingPlansResponseBody$inboundSchema } from '@vercel/sdk/models/getbillingplansop.js';
import { GetConfigurationResponseBody$inboundSchema } from '@vercel/sdk/models/getconfigurationop.js';
import { GetConfigurationProductsResponseBody$inboundSchema } from '@vercel/sdk/models/getconfigurationproductsresponsebody.js';
import {
  GetConfigurationsResponseBody$inboundSchema,
  GetConfigurationsResponseBodyDisabledReason,
  TagIds,
} from '@vercel/sdk/models/getconfigurationsop.js';
import { GetStorageStoresByIdResponseBody$inboundSchema } from '@vercel/sdk/models/getstoragestoresbyidop.js';
import { GetTeamsResponseBody$inboundSchema } from '@vercel/sdk/models/getteamsop.js';
import { ListAuthTokensResponseBody$inboundSchema } from '@vercel/sdk/models/listauthtokensop.js';
import { CreateIntegrationStoreDirectTags, ProjectConnectionScopes } from '@vercel/sdk/models/logdrainstatus.js';
import { Team$inboundSchema, TeamRole } from '@vercel/sdk/models/team.js';
import { startCountingDefaultToZeroValue } from '@vercel/sdk/types/defaultToZeroValue.js';
import { startCountingUnrecognized } from '@vercel/sdk/types/unrecognized.js';
import { Ajv } from 'ajv';
import fc from 'fast-check';
import Fastify, { type FastifyInstance } from 'fastify';
import { IsSchema, type TSchema } from 'typebox';
import Value from 'typebox/value';
import { ROLES } from '../../src/domain/roles.js';
import { ApiError, ERROR_CATALOGUE, type ErrorCode } from '../../src/errors.js';
import * as schemas from '../../src/http/schemas/index.js';
import * as W from './wire-samples.js';

// ---------------------------------------------------------------------------------------------
// What the SDK hands its caller for a given wire body

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

/** JSON round trip: what actually travels. */
const wireOf = (value: unknown): Json => JSON.parse(JSON.stringify(value)) as Json;

/** The SDK renames wire keys with `:` (and the `-` after them) to camelCase (§1.4): `ui:formatted-value` → `uiFormattedValue`. */
function sdkNames(value: Json): Json {
  if (Array.isArray(value)) return value.map(sdkNames);
  if (value === null || typeof value !== 'object') return value;
  const out: JsonObject = {};
  for (const [key, inner] of Object.entries(value)) {
    const name = /^(ui|git):/.test(key)
      ? key.replace(':', '-').replace(/-([a-z])/g, (_, c: string) => c.toUpperCase())
      : key;
    out[name] = sdkNames(inner);
  }
  return out;
}

function without(value: Json, keys: readonly string[]): JsonObject {
  const out = { ...(value as JsonObject) };
  for (const key of keys) delete out[key];
  return out;
}

function pick(value: Json, keys: readonly string[]): JsonObject {
  const source = value as JsonObject;
  return Object.fromEntries(keys.filter((key) => key in source).map((key) => [key, source[key] as Json]));
}

/** Store fields Stockroom sends like Vercel does, unknown to the SDK's Store model (§10.1). */
const STORE_IDENTITY = ['id', 'name', 'ownerId', 'createdAt', 'updatedAt'] as const;
/** The only store fields `getStorageStoresById` keeps (§7.1). */
const STORE_BY_ID_FIELDS = ['projectsMetadata', 'projectFilter', 'status', 'totalConnectedProjects', 'usageQuotaExceeded'] as const;

/** The SDK's Team model collects unknown keys into `additionalProperties`. */
function sdkTeam(value: Json): JsonObject {
  const { billingState, ...known } = value as JsonObject;
  return billingState === undefined ? known : { ...known, additionalProperties: { billingState } };
}

interface ParseResult {
  success: boolean;
  data?: unknown;
  error?: { issues: unknown[] };
}
interface Inbound {
  safeParse(value: unknown): ParseResult;
}

/** Parses with an SDK model, counting the values it had to invent (`""`/`0`/`false`/`null`) or coerce. */
function sdkParse(schema: Inbound, wire: unknown) {
  const zeroFills = startCountingDefaultToZeroValue();
  const coercions = startCountingUnrecognized();
  const result = schema.safeParse(wire);
  return { ...result, zeroFilled: zeroFills.end(), coerced: coercions.end() };
}

function assertChecks(schema: TSchema, value: unknown): void {
  const errors = [...Value.Errors(schema, value)].slice(0, 5);
  assert.ok(Value.Check(schema, value), `our schema rejects the value: ${JSON.stringify(errors, null, 1)}`);
}

function assertSdkExact(schema: Inbound, wire: unknown, expected: unknown): void {
  const parsed = sdkParse(schema, wire);
  assert.ok(parsed.success, `the SDK rejects it: ${String(JSON.stringify(parsed.error?.issues)).slice(0, 1500)}`);
  assert.equal(parsed.zeroFilled, 0, 'the SDK zero-filled a missing field');
  assert.equal(parsed.coerced, 0, 'the SDK coerced a value');
  assert.deepStrictEqual(parsed.data, expected);
}

// ---------------------------------------------------------------------------------------------
// The response families

interface Family {
  readonly name: string;
  readonly method: 'GET' | 'POST';
  readonly url: string;
  readonly schema: TSchema;
  readonly body?: TSchema;
  readonly sample: unknown;
  readonly inbound: Inbound;
  /** What an SDK user receives for this wire body. */
  readonly expected: (wire: Json) => unknown;
  readonly call: (sdk: Vercel) => Promise<unknown>;
}

const asSdkStore = (wire: Json) => ({ store: sdkNames(without((wire as JsonObject).store as Json, STORE_IDENTITY)) });

const families: readonly Family[] = [
  {
    name: 'createIntegrationStoreDirect',
    method: 'POST',
    url: '/v1/storage/stores/integration/direct',
    schema: schemas.CreateStoreResponse,
    body: schemas.CreateStoreDirectBody,
    sample: W.createStoreResponse,
    inbound: CreateIntegrationStoreDirectResponseBody$inboundSchema,
    expected: asSdkStore,
    call: (sdk) =>
      sdk.integrations.createIntegrationStoreDirect({
        teamId: 'team_abc',
        requestBody: { name: 'my-db', integrationConfigurationId: 'icfg_abc123', integrationProductIdOrSlug: 'postgres', metadata: { region: 'iad1' } },
      }),
  },
  {
    name: 'getStorageStoresById',
    method: 'GET',
    url: '/storage/stores/:id',
    schema: schemas.CreateStoreResponse,
    sample: W.createStoreResponse,
    inbound: GetStorageStoresByIdResponseBody$inboundSchema,
    expected: (wire) => ({ store: pick((wire as JsonObject).store as Json, STORE_BY_ID_FIELDS) }),
    call: (sdk) => sdk.storage.getStorageStoresById({ id: 'store_a1B2c3' }),
  },
  {
    name: 'getBillingPlans',
    method: 'GET',
    url: '/v1/integrations/integration/:integration/products/:product/plans',
    schema: schemas.BillingPlansResponse,
    sample: W.billingPlans,
    inbound: GetBillingPlansResponseBody$inboundSchema,
    expected: (wire) => wire,
    call: (sdk) => sdk.integrations.getBillingPlans({ integrationIdOrSlug: 'neon', productIdOrSlug: 'postgres' }),
  },
  {
    name: 'getConfigurations',
    method: 'GET',
    url: '/v1/integrations/configurations',
    schema: schemas.ConfigurationsResponse,
    sample: [W.accountConfiguration, { ...W.accountConfiguration, id: 'icfg_def456', integration: { name: 'Upstash', slug: 'upstash', icon: 'https://example.com/u.png', isLegacy: true } }],
    inbound: GetConfigurationsResponseBody$inboundSchema,
    // The SDK strips `integration.slug` (not in its type; the CLI's `integration installations` reads it).
    expected: (wire) => (wire as JsonObject[]).map((item) => {
      const { slug: _slug, ...integration } = item.integration as JsonObject;
      return { ...item, integration };
    }),
    call: (sdk) => sdk.integrations.getConfigurations({ view: 'account' }),
  },
  {
    name: 'getConfiguration',
    method: 'GET',
    url: '/v1/integrations/configuration/:id',
    schema: schemas.IntegrationConfiguration,
    sample: W.configuration,
    inbound: GetConfigurationResponseBody$inboundSchema,
    expected: (wire) => wire,
    call: (sdk) => sdk.integrations.getConfiguration({ id: 'icfg_abc123' }),
  },
  {
    name: 'getConfigurationProducts',
    method: 'GET',
    url: '/v1/integrations/configuration/:id/products',
    schema: schemas.ConfigurationProductsResponse,
    sample: W.configurationProducts,
    inbound: GetConfigurationProductsResponseBody$inboundSchema,
    expected: sdkNames,
    call: (sdk) => sdk.integrations.getConfigurationProducts({ id: 'icfg_abc123' }),
  },
  {
    name: 'getAuthUser',
    method: 'GET',
    url: '/v2/user',
    schema: schemas.UserResponse,
    sample: W.user,
    inbound: GetAuthUserResponseBody$inboundSchema,
    expected: (wire) => ({ user: without((wire as JsonObject).user as Json, ['uid', 'version']) }),
    call: (sdk) => sdk.user.getAuthUser(),
  },
  {
    name: 'getTeams',
    method: 'GET',
    url: '/v2/teams',
    schema: schemas.TeamsResponse,
    sample: W.teams,
    inbound: GetTeamsResponseBody$inboundSchema,
    expected: (wire) => {
      const body = wire as { teams: Json[]; pagination: Json };
      return { teams: body.teams.map(sdkTeam), pagination: body.pagination };
    },
    call: (sdk) => sdk.teams.getTeams({}),
  },
  {
    name: 'getTeam',
    method: 'GET',
    url: '/v2/teams/:teamId',
    schema: schemas.Team,
    sample: W.team,
    inbound: Team$inboundSchema,
    expected: sdkTeam,
    call: (sdk) => sdk.teams.getTeam({ teamId: 'team_abc' }),
  },
  {
    name: 'listAuthTokens',
    method: 'GET',
    url: '/v6/user/tokens',
    schema: schemas.TokensResponse,
    sample: W.tokens,
    inbound: ListAuthTokensResponseBody$inboundSchema,
    expected: (wire) => wire,
    call: (sdk) => sdk.authentication.listAuthTokens(),
  },
  {
    name: 'getAuthToken',
    method: 'GET',
    url: '/v5/user/tokens/:tokenId',
    schema: schemas.TokenResponse,
    sample: { token: W.token },
    inbound: GetAuthTokenResponseBody$inboundSchema,
    expected: (wire) => wire,
    call: (sdk) => sdk.authentication.getAuthToken({ tokenId: 'tok_1' }),
  },
  {
    name: 'createAuthToken',
    method: 'POST',
    url: '/v3/user/tokens',
    schema: schemas.CreateTokenResponse,
    body: schemas.CreateTokenBody,
    sample: W.createdToken,
    inbound: CreateAuthTokenResponseBody$inboundSchema,
    expected: (wire) => wire,
    call: (sdk) => sdk.authentication.createAuthToken({ requestBody: { name: 'ci' } }),
  },
];

/**
 * A Fastify app that answers each family's real path with its sample, serialized by our schema, and
 * echoes any posted body back through the same schema at `/echo/<family>`.
 */
async function buildWireServer(): Promise<FastifyInstance> {
  const app = Fastify();
  for (const family of families) {
    app.route({
      method: family.method,
      url: family.url,
      schema: { response: { 200: family.schema }, ...(family.body ? { body: family.body } : {}) },
      handler: async () => family.sample,
    });
    app.post(`/echo/${family.name}`, { schema: { response: { 200: family.schema } } }, async (request) => request.body);
  }
  await app.listen({ host: '127.0.0.1', port: 0 });
  return app;
}

let app: FastifyInstance;
let sdk: Vercel;

before(async () => {
  app = await buildWireServer();
  const address = app.server.address();
  assert.ok(address !== null && typeof address === 'object');
  sdk = new Vercel({ serverURL: `http://127.0.0.1:${address.port}`, bearerToken: 'test-token' });
});
after(() => app.close());

/** Sends a value through the family's response serializer and returns what went on the wire. */
async function serialize(family: Family, value: unknown): Promise<{ statusCode: number; body: string }> {
  const response = await app.inject({ method: 'POST', url: `/echo/${family.name}`, payload: value as object });
  return { statusCode: response.statusCode, body: response.body };
}

for (const family of families) {
  describe(`${family.name} (200 body)`, () => {
    it('the sample matches our schema', () => {
      assertChecks(family.schema, family.sample);
    });

    it("Fastify's serializer sends it unchanged", async () => {
      const sent = await serialize(family, family.sample);
      assert.equal(sent.statusCode, 200, sent.body);
      assert.deepStrictEqual(JSON.parse(sent.body), wireOf(family.sample));
    });

    it("the SDK's schema parses it to exactly the wire object, nothing zero-filled", async () => {
      const sent = await serialize(family, family.sample);
      const wire = JSON.parse(sent.body) as Json;
      assertSdkExact(family.inbound, wire, family.expected(wire));
    });

    it('an SDK client receives it over HTTP', async () => {
      const received = await family.call(sdk);
      assert.deepStrictEqual(received, family.expected(wireOf(family.sample)));
    });
  });
}

// ---------------------------------------------------------------------------------------------
// What the SDK rejects, our schema rejects

type Mutable = { [key: string]: any };
const clone = <T>(value: T): Mutable => structuredClone(value) as Mutable;

function storeWith(change: (store: Mutable) => void): Mutable {
  const body = clone(W.createStoreResponse);
  change(body.store);
  return body;
}
const withProperty = (property: unknown) =>
  storeWith((store) => {
    store.product.metadataSchema.properties.broken = property;
  });

interface RejectedCase {
  readonly name: string;
  readonly schema: TSchema;
  readonly inbound: Inbound;
  readonly wire: unknown;
}
const storeCase = (name: string, change: (store: Mutable) => void): RejectedCase => ({
  name,
  schema: schemas.CreateStoreResponse,
  inbound: CreateIntegrationStoreDirectResponseBody$inboundSchema,
  wire: storeWith(change),
});
const propertyCase = (name: string, property: unknown): RejectedCase => ({ ...storeCase(name, () => {}), wire: withProperty(property) });
const productsCase = (name: string, change: (body: Mutable) => void): RejectedCase => {
  const wire = clone(W.configurationProducts);
  change(wire);
  return { name, schema: schemas.ConfigurationProductsResponse, inbound: GetConfigurationProductsResponseBody$inboundSchema, wire };
};
const plansCase = (name: string, wire: unknown): RejectedCase => ({
  name,
  schema: schemas.BillingPlansResponse,
  inbound: GetBillingPlansResponseBody$inboundSchema,
  wire,
});

const rejected: readonly RejectedCase[] = [
  storeCase('store.status "ready" (a resource status, §10.5)', (s) => { s.status = 'ready'; }),
  propertyCase('a metadataSchema property without ui:control', { type: 'string' }),
  propertyCase('ui:hidden "always"', { type: 'string', 'ui:control': 'input', 'ui:hidden': 'always' }),
  propertyCase('a select without ui:options', { type: 'string', 'ui:control': 'select' }),
  propertyCase('a slider without ui:steps', { type: 'array', 'ui:control': 'slider', items: { type: 'number' } }),
  propertyCase('type "integer"', { type: 'integer', 'ui:control': 'input' }),
  propertyCase('boolean + input, not one of the 12 pairs', { type: 'boolean', 'ui:control': 'input' }),
  storeCase('an unknown product tag', (s) => { s.product.tags = ['postgres', 'tag_unknown']; }),
  storeCase('an unknown protocol', (s) => { s.product.supportedProtocols = ['database']; }),
  storeCase('an unknown projectConnectionScope', (s) => { s.product.projectConnectionScopes = ['write:everything']; }),
  storeCase('an unknown framework (send null instead)', (s) => { s.projectsMetadata[0].framework = 'gatsby-9'; }),
  storeCase('an unknown git provider', (s) => { s.projectFilter.git.providers = ['codeberg']; }),
  storeCase('a store without secrets', (s) => { delete s.secrets; }),
  storeCase('a store without projectsMetadata', (s) => { delete s.projectsMetadata; }),
  storeCase('a notification without level', (s) => { delete s.notification.level; }),
  plansCase('plan scope "team"', { plans: [{ ...W.freePlan, scope: 'team' }] }),
  plansCase('plan type "usage"', { plans: [{ ...W.freePlan, type: 'usage' }] }),
  plansCase('no plans array', {}),
  {
    name: 'configurations as an object, not an array',
    schema: schemas.ConfigurationsResponse,
    inbound: GetConfigurationsResponseBody$inboundSchema,
    wire: {},
  },
  productsCase('a protocol without status', (b) => { delete b.products[0].protocols.storage.status; }),
  productsCase('a log drain with format "xml"', (b) => { b.products[0].protocols.logDrain.format = 'xml'; }),
  productsCase('a product without metadataSchema', (b) => { delete b.products[1].metadataSchema; }),
  {
    name: 'a token scope with origin "password"',
    schema: schemas.TokensResponse,
    inbound: ListAuthTokensResponseBody$inboundSchema,
    wire: { ...W.tokens, tokens: [{ ...W.token, scopes: [{ ...W.token.scopes[0], origin: 'password' }] }] },
  },
  {
    name: 'a team role "ADMIN"',
    schema: schemas.Team,
    inbound: Team$inboundSchema,
    wire: { ...W.team, membership: { ...W.team.membership, role: 'ADMIN' } },
  },
];

describe('what the SDK rejects, our schema rejects', () => {
  for (const c of rejected) {
    it(c.name, () => {
      assert.equal(Value.Check(c.schema, c.wire), false, 'our schema accepts it');
      assert.equal(sdkParse(c.inbound, c.wire).success, false, 'the SDK accepts it (the case is wrong)');
    });
  }
});

describe('what the SDK would zero-fill, our schema requires', () => {
  const cases: ReadonlyArray<[string, (store: Mutable) => void]> = [
    ['store.externalResourceId', (s) => { delete s.externalResourceId; }],
    ['store.usageQuotaExceeded', (s) => { delete s.usageQuotaExceeded; }],
    ['store.status', (s) => { delete s.status; }],
    ['store.product.integrationConfigurationId', (s) => { delete s.product.integrationConfigurationId; }],
    ['store.product.integration.icon', (s) => { delete s.product.integration.icon; }],
    ['store.projectsMetadata[].envVarPrefix', (s) => { delete s.projectsMetadata[0].envVarPrefix; }],
    ['store.secrets[].length', (s) => { delete s.secrets[0].length; }],
    ['store.billingPlan.paymentMethodRequired', (s) => { delete s.billingPlan.paymentMethodRequired; }],
    ['an option label', (s) => { delete s.product.metadataSchema.properties.tier['ui:options'][0].label; }],
  ];
  for (const [field, change] of cases) {
    it(field, () => {
      const wire = storeWith(change);
      assert.equal(Value.Check(schemas.CreateStoreResponse, wire), false, 'our schema accepts it');
      const parsed = sdkParse(CreateIntegrationStoreDirectResponseBody$inboundSchema, wire);
      assert.ok(parsed.success);
      assert.ok(parsed.zeroFilled > 0, 'the SDK did not notice (the case is wrong)');
    });
  }

  it('store: null, which the SDK takes for a success (§10.2)', () => {
    assert.equal(Value.Check(schemas.CreateStoreResponse, { store: null }), false);
    assert.equal(sdkParse(CreateIntegrationStoreDirectResponseBody$inboundSchema, { store: null }).success, true);
  });

  it('a catalog property with a key the SDK would silently drop (catalogs are closed on purpose)', () => {
    const wire = withProperty({ type: 'string', 'ui:control': 'input', 'ui:hiden': true });
    assert.equal(Value.Check(schemas.CreateStoreResponse, wire), false);
    assert.equal(sdkParse(CreateIntegrationStoreDirectResponseBody$inboundSchema, wire).success, true);
  });
});

describe("Fastify's serializer guards the wire", () => {
  const create = families[0]!;

  it('drops a secret value that slipped into a store (§10.14)', async () => {
    const wire = storeWith((s) => { s.secrets[0].value = 'hunter2-secret'; });
    const sent = await serialize(create, wire);
    assert.equal(sent.statusCode, 200);
    assert.ok(!sent.body.includes('hunter2-secret'));
  });

  it('drops unknown store keys instead of leaking them', async () => {
    const wire = storeWith((s) => { s.internalRowVersion = 7; });
    const sent = await serialize(create, wire);
    assert.ok(!sent.body.includes('internalRowVersion'));
  });

  it('refuses to send a store without externalResourceId rather than let the SDK invent ""', async () => {
    const sent = await serialize(create, storeWith((s) => { delete s.externalResourceId; }));
    assert.equal(sent.statusCode, 500);
  });
});

// ---------------------------------------------------------------------------------------------
// Error bodies (§8.1): the SDK never parses them, raw-HTTP clients and the CLI do

describe('ErrorBody', () => {
  it('matches the body of every ApiError in the catalogue', () => {
    for (const code of Object.keys(ERROR_CATALOGUE) as ErrorCode[]) {
      assertChecks(schemas.ErrorBody, new ApiError(code).toBody());
    }
  });

  it('carries param, fields, storeId and limit', () => {
    const fields = [{ key: 'region', message: 'unknown region' }, { key: 'tier' }];
    assertChecks(schemas.ErrorBody, new ApiError('invalid_metadata', 'Bad metadata', { param: 'metadata', fields }).toBody());
    assertChecks(schemas.ErrorBody, new ApiError('conflict', 'Name taken', { storeId: 'store_a1' }).toBody());
    const limit = { remaining: 0, reset: 1_735_689_660, resetMs: 1_735_689_660_000, total: 100 };
    assertChecks(schemas.ErrorBody, new ApiError('rate_limited', undefined, { limit }).toBody());
  });

  it('rejects a body without code or message, and a field without key', () => {
    assert.equal(Value.Check(schemas.ErrorBody, { error: { message: 'x' } }), false);
    assert.equal(Value.Check(schemas.ErrorBody, { error: { code: 'x' } }), false);
    assert.equal(Value.Check(schemas.ErrorBody, { error: { code: 'x', message: 'y', fields: [{ message: 'z' }] } }), false);
  });

  it('keeps extra keys inside error when Fastify serializes it', async () => {
    const server = Fastify();
    server.get('/boom', { schema: { response: { 409: schemas.ErrorBody } } }, async (_request, reply) =>
      reply.code(409).send({ error: { code: 'conflict', message: 'Taken', storeId: 'store_a1', providerCode: 'dup' } }),
    );
    const response = await server.inject('/boom');
    await server.close();
    assert.deepStrictEqual(response.json(), { error: { code: 'conflict', message: 'Taken', storeId: 'store_a1', providerCode: 'dup' } });
  });
});

// ---------------------------------------------------------------------------------------------
// The create request body (§2.2, docs/rules.md §1.4)

describe('CreateStoreDirectBody', () => {
  const valid = { name: 'my-db', integrationConfigurationId: 'icfg_abc123', integrationProductIdOrSlug: 'postgres' };
  const full = {
    ...valid,
    metadata: { region: 'iad1', connections: 10, pooling: true, extensions: ['pgvector'], sizes: [1, 2] },
    externalId: 'dev-db-001',
    protocolSettings: { experimentation: { edgeConfigSyncingEnabled: true } },
    source: 'marketplace',
    billingPlanId: 'bp_abc123def456',
    paymentMethodId: 'pm_card_visa',
    prepaymentAmountCents: 5000,
  };
  const accepts = (body: unknown) => Value.Check(schemas.CreateStoreDirectBody, body);

  it('accepts the minimal body and the fully populated one', () => {
    assertChecks(schemas.CreateStoreDirectBody, valid);
    assertChecks(schemas.CreateStoreDirectBody, full);
  });

  it('accepts the body the SDK builds, with the source it injects (§10.4)', () => {
    const sent = CreateIntegrationStoreDirectRequestBody$outboundSchema.parse(valid);
    assert.equal(sent.source, 'marketplace');
    assertChecks(schemas.CreateStoreDirectBody, sent);
  });

  it('accepts unknown top-level keys', () => {
    assert.ok(accepts({ ...valid, futureField: { x: 1 } }));
  });

  const cases: ReadonlyArray<[string, Record<string, unknown>, boolean]> = [
    ['name of 128 characters', { name: 'a'.repeat(128) }, true],
    ['empty name', { name: '' }, false],
    ['name of 129 characters', { name: 'a'.repeat(129) }, false],
    ['numeric name', { name: 42 }, false],
    ['installation id with a dash', { integrationConfigurationId: 'icfg_ab-c' }, false],
    ['installation id without prefix', { integrationConfigurationId: 'abc123' }, false],
    ['product id iap_postgres_db', { integrationProductIdOrSlug: 'iap_postgres_db' }, true],
    ['product slug with dashes', { integrationProductIdOrSlug: 'my-db-2' }, true],
    ['product slug with capitals', { integrationProductIdOrSlug: 'Postgres' }, false],
    ['product id with a dash', { integrationProductIdOrSlug: 'iap_pg-db' }, false],
    ['product slug with underscore', { integrationProductIdOrSlug: 'my_db' }, false],
    ['product as a number (the SDK sends it, §10.3)', { integrationProductIdOrSlug: 42 }, false],
    ['product missing', { integrationProductIdOrSlug: undefined }, false],
    ['nested metadata object', { metadata: { nested: { a: 1 } } }, false],
    ['mixed metadata array', { metadata: { mixed: [1, 'a'] } }, false],
    ['null metadata value', { metadata: { none: null } }, false],
    ['prepayment of 50 cents', { prepaymentAmountCents: 50 }, true],
    ['prepayment of 49 cents', { prepaymentAmountCents: 49 }, false],
    ['fractional prepayment', { prepaymentAmountCents: 50.5 }, false],
    ['source "organization" (SDK only, §10.17)', { source: 'organization' }, true],
    ['source "dashboard"', { source: 'dashboard' }, false],
  ];
  for (const [name, change, expected] of cases) {
    it(`${expected ? 'accepts' : 'rejects'} ${name}`, () => {
      const body: Record<string, unknown> = { ...valid, ...change };
      for (const key of Object.keys(body)) if (body[key] === undefined) delete body[key];
      assert.equal(accepts(body), expected);
    });
  }
});

// ---------------------------------------------------------------------------------------------
// The closed enums match the SDK's

describe('closed enums equal the SDK 1.28.35 lists', () => {
  const sorted = (values: Iterable<string>) => [...values].sort();
  const cases: ReadonlyArray<[string, readonly string[], Record<string, string>]> = [
    ['FRAMEWORKS', schemas.FRAMEWORKS, CreateIntegrationStoreDirectFramework],
    ['PRODUCT_TAGS', schemas.PRODUCT_TAGS, CreateIntegrationStoreDirectTags],
    ['PROJECT_CONNECTION_SCOPES', schemas.PROJECT_CONNECTION_SCOPES, ProjectConnectionScopes],
    ['PROTOCOLS', schemas.PROTOCOLS, SupportedProtocols],
    ['INTEGRATION_TAG_IDS', schemas.INTEGRATION_TAG_IDS, TagIds],
    ['SOURCES', schemas.SOURCES, CreateIntegrationStoreDirectSource],
    ['STORE_STATUSES', schemas.STORE_STATUSES, CreateIntegrationStoreDirectStatus],
    ['RESOURCE_STATUSES', schemas.RESOURCE_STATUSES, SdkExternalResourceStatus],
    ['DISABLED_REASONS', schemas.DISABLED_REASONS, GetConfigurationsResponseBodyDisabledReason],
    ['TOKEN_SCOPE_ORIGINS', schemas.TOKEN_SCOPE_ORIGINS, ScopesOrigin],
  ];
  for (const [name, ours, sdks] of cases) {
    it(name, () => assert.deepStrictEqual(sorted(ours), sorted(Object.values(sdks))));
  }
  it("Stockroom's team roles are among the SDK's", () => {
    for (const role of ROLES) assert.ok(Object.values<string>(TeamRole).includes(role), role);
  });
});

// ---------------------------------------------------------------------------------------------
// Schema hygiene

const exportedSchemas: Array<[string, TSchema]> = Object.entries(schemas as Record<string, unknown>).flatMap(
  ([name, value]) => (typeof value === 'object' && !Array.isArray(value) && IsSchema(value) ? [[name, value]] : []),
);

describe('every exported schema', () => {
  it('is found (sanity)', () => assert.ok(exportedSchemas.length > 40, String(exportedSchemas.length)));

  it('is plain: no $ref, no $id', () => {
    for (const [name, schema] of exportedSchemas) {
      const text = JSON.stringify(schema);
      assert.ok(!text.includes('"$ref"') && !text.includes('"$id"'), name);
    }
  });

  it('compiles under Ajv strict mode', () => {
    const ajv = new Ajv({ strict: true });
    for (const [name, schema] of exportedSchemas) assert.doesNotThrow(() => ajv.compile(schema), name);
  });
});

// ---------------------------------------------------------------------------------------------
// Random values from our schemas (fast-check)

const keyArb = fc.string({ unit: fc.constantFrom(...'abcxyz019_-'), minLength: 1, maxLength: 6 });

/** An arbitrary for the JSON Schema subset our schemas use: every value it makes matches the schema. */
function arbitraryFor(schema: Record<string, any>): fc.Arbitrary<unknown> {
  if (schema.anyOf) return fc.oneof(...(schema.anyOf as Record<string, any>[]).map(arbitraryFor));
  if ('const' in schema) return fc.constant(schema.const);
  if (schema.enum) return fc.constantFrom(...(schema.enum as unknown[]));
  switch (schema.type) {
    case 'object': {
      if (schema.patternProperties) {
        const [value] = Object.values(schema.patternProperties as Record<string, Record<string, any>>);
        return fc.dictionary(keyArb, arbitraryFor(value!), { maxKeys: 3 });
      }
      const properties = (schema.properties ?? {}) as Record<string, Record<string, any>>;
      const model = Object.fromEntries(Object.entries(properties).map(([key, inner]) => [key, arbitraryFor(inner)]));
      return fc.record(model, { requiredKeys: (schema.required ?? []) as string[] });
    }
    case 'array':
      return fc.array(arbitraryFor(schema.items), { maxLength: 3 });
    case 'string':
      if (schema.pattern) {
        return fc.stringMatching(new RegExp(schema.pattern as string))
          .filter((s) => s.length >= (schema.minLength ?? 0) && s.length <= (schema.maxLength ?? Infinity));
      }
      return fc.string({ minLength: schema.minLength ?? 0, maxLength: Math.min(schema.maxLength ?? 12, 12) });
    case 'integer':
      return fc.integer({ min: schema.minimum ?? -(2 ** 31), max: 2 ** 31 });
    case 'number':
      return fc.double({ noNaN: true, noDefaultInfinity: true }).map((n) => (Object.is(n, -0) ? 0 : n));
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    default:
      return fc.jsonValue();
  }
}

describe('random values generated from our schemas', () => {
  for (const family of families) {
    it(`${family.name}: valid for us, serialized unchanged, parsed exactly by the SDK`, async () => {
      await fc.assert(
        fc.asyncProperty(arbitraryFor(family.schema as Record<string, any>), async (value) => {
          assert.ok(Value.Check(family.schema, value));
          const sent = await serialize(family, value);
          assert.equal(sent.statusCode, 200, sent.body);
          const wire = JSON.parse(sent.body) as Json;
          assert.deepStrictEqual(wire, wireOf(value));
          assertSdkExact(family.inbound, wire, family.expected(wire));
        }),
        { numRuns: family.name === 'createIntegrationStoreDirect' ? 150 : 40 },
      );
    });
  }

  it('CreateStoreDirectBody: every body we accept, the SDK would send as it is', () => {
    fc.assert(
      fc.property(arbitraryFor(schemas.CreateStoreDirectBody as Record<string, any>), (body) => {
        assert.ok(Value.Check(schemas.CreateStoreDirectBody, body));
        const sent = CreateIntegrationStoreDirectRequestBody$outboundSchema.parse(body);
        const source = (body as { source?: string }).source ?? 'marketplace';
        assert.deepStrictEqual(wireOf(sent), wireOf({ ...(body as object), source }));
      }),
      { numRuns: 200 },
    );
  });
});
