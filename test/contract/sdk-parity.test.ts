/**
 * SDK parity: every `@vercel/sdk` 1.28.35 operation whose method and path Stockroom serves (per
 * its own `/openapi.json`) is called against a real Stockroom, and what the SDK parsed is compared
 * with the wire JSON it parsed it from: no ResponseValidationError, no unexpected status, nothing
 * zero-filled (vercel-contract.md §1.4: a missing required string/number/boolean is silently
 * invented by the SDK, so a parse that succeeds is not enough).
 *
 * The list of operations is built mechanically: the SDK's generated `src/funcs/*.ts` each name one
 * operation's method, path template and success status; Stockroom's routes come from its OpenAPI
 * document. A served operation with no call below fails the test, so a new route that an SDK
 * operation reaches cannot go unchecked.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, test, type TestContext } from 'node:test';
import { VercelCore } from '@vercel/sdk/core.js';
import { startCountingDefaultToZeroValue } from '@vercel/sdk/types/defaultToZeroValue.js';
import { startCountingUnrecognized } from '@vercel/sdk/types/unrecognized.js';
import { CreateProjectResponseBody$inboundSchema } from '@vercel/sdk/models/createprojectresponsebody.js';
import { GetProjectResponseBody$inboundSchema } from '@vercel/sdk/models/getprojectresponsebody.js';
import { GetProjectsResponseBody$inboundSchema } from '@vercel/sdk/models/getprojectsresponsebody.js';
import { hashToken } from '../../src/crypto/secret-box.js';
import { randomText } from '../../src/crypto/random-text.js';
import { insertSsoCode } from '../../src/db/sso-codes.js';
import { presentProject } from '../../src/http/presenters/project.js';
import { FRAMEWORKS } from '../../src/schemas/enums.js';
import { NODE_VERSIONS } from '../../src/http/schemas/project.js';
import { createTeam, createUser } from '../helpers/accounts.js';
import { dialectsToTest, type TestDialect } from '../helpers/databases.js';
import { startTestServer, type TestServer } from '../helpers/stockroom.js';
import { partnerAccessToken } from '../helpers/reference-partner-db.js';
import { assertParsedFromWire, recordingHttpClient } from '../helpers/wire-compare.js';

// ---------------------------------------------------------------------------------------------
// The SDK's operations and Stockroom's routes

interface SdkOperation {
  /** The standalone function, also the module name under `@vercel/sdk/funcs/`. */
  readonly func: string;
  readonly operationId: string;
  readonly method: string;
  /** The path template, `/v9/projects/{idOrName}`. */
  readonly path: string;
  /** The one status the SDK takes as success, and whether it parses a JSON body then. */
  readonly success: { readonly status: number; readonly json: boolean };
}

const sdkRoot = join(dirname(createRequire(import.meta.url).resolve('@vercel/sdk')), '..');

/** Reads every generated function of the SDK: its request building names method, path and success matcher. */
function sdkOperations(): SdkOperation[] {
  const dir = join(sdkRoot, 'src', 'funcs');
  const operations: SdkOperation[] = [];
  for (const file of readdirSync(dir).filter((name) => name.endsWith('.ts'))) {
    const source = readFileSync(join(dir, file), 'utf8');
    const path = /pathToFunc\(\s*"([^"]+)"/.exec(source)?.[1];
    const method = /\bmethod: "([A-Z]+)"/.exec(source)?.[1];
    const operationId = /\boperationID:\s*"([^"]+)"/.exec(source)?.[1];
    // The first matcher is the success one: `M.json(200, …)` or `M.nil(204, …)` (a few, never
    // served here, match a range or stream; they are kept with no success status).
    const success = /\bM\.(json|nil|stream)\(\s*\[?\s*("?\w+"?)/.exec(source);
    assert.ok(path && method && operationId && success, `${file}: method, path, operation id and success matcher found`);
    operations.push({ func: file.slice(0, -3), operationId, method, path, success: { json: success[1] === 'json', status: Number(success[2]) } });
  }
  return operations;
}

/** `/v9/projects/{idOrName}` and `/v9/projects/{x}` are the same route. */
const routeKey = (method: string, path: string) => `${method.toUpperCase()} ${path.replace(/\{[^}]+\}/g, '{}')}`;

/** The operations whose method and path template are a route in Stockroom's OpenAPI document. */
function servedOperations(openapi: { paths: Record<string, Record<string, unknown>> }, operations: readonly SdkOperation[]) {
  const routes = new Map<string, string>();
  for (const [path, methods] of Object.entries(openapi.paths)) {
    for (const method of Object.keys(methods)) routes.set(routeKey(method, path), `${method.toUpperCase()} ${path}`);
  }
  return operations.flatMap((operation) => {
    const route = routes.get(routeKey(operation.method, operation.path));
    return route ? [{ ...operation, route }] : [];
  });
}

// ---------------------------------------------------------------------------------------------
// One call of each served operation

/** What the calls share: the server, ids made along the way. */
interface World {
  readonly server: TestServer;
  /** A team of the owner's with an installation of the reference partner. */
  readonly teamId: string;
  readonly icfg: string;
  /** The installation's access token, as the partner holds it (the marketplace calls use it). */
  readonly partnerToken: string;
  /** Filled by earlier calls for later ones. */
  readonly ids: Record<string, string>;
}

type Call = (world: World) => { readonly args: unknown[]; readonly token?: 'partner' };

const PROJECT = 'sdk-parity-web';

/**
 * How each served operation is called, in this order. Later calls use what earlier ones made
 * (the store, the project, the token). `after` records ids from the parsed answer.
 */
const CALLS: ReadonlyArray<{ operationId: string; call: Call; after?: (value: any, world: World) => void | Promise<void> }> = [
  { operationId: 'getAuthUser', call: () => ({ args: [] }), after: (v, w) => void (w.ids.owner = v.user.id) },
  { operationId: 'createTeam', call: () => ({ args: [{ slug: 'sdk-parity-team', name: 'SDK parity' }] }), after: (v, w) => void (w.ids.createdTeam = v.id) },
  { operationId: 'getTeams', call: () => ({ args: [{ limit: 20 }] }) },
  { operationId: 'getTeam', call: (w) => ({ args: [{ teamId: w.teamId }] }) },
  { operationId: 'inviteUserToTeam', call: (w) => ({ args: [{ teamId: w.teamId, requestBody: [{ email: w.ids.memberEmail, role: 'MEMBER' }] }] }), after: (v, w) => void (w.ids.member = v.uid) },
  { operationId: 'getTeamMembers', call: (w) => ({ args: [{ teamId: w.teamId, limit: 10 }] }) },
  { operationId: 'updateTeamMember', call: (w) => ({ args: [{ teamId: w.teamId, uid: w.ids.member, requestBody: { role: 'DEVELOPER' } }] }) },
  { operationId: 'removeTeamMember', call: (w) => ({ args: [{ teamId: w.teamId, uid: w.ids.member }] }) },
  { operationId: 'createAuthToken', call: () => ({ args: [{ requestBody: { name: 'sdk-parity' } }] }), after: (v, w) => void (w.ids.token = v.token.id) },
  { operationId: 'listAuthTokens', call: () => ({ args: [] }) },
  { operationId: 'getAuthToken', call: (w) => ({ args: [{ tokenId: w.ids.token }] }) },
  { operationId: 'deleteAuthToken', call: (w) => ({ args: [{ tokenId: w.ids.token }] }) },
  { operationId: 'getConfigurations', call: (w) => ({ args: [{ view: 'account', teamId: w.teamId }] }) },
  { operationId: 'getConfiguration', call: (w) => ({ args: [{ id: w.icfg, teamId: w.teamId }] }) },
  { operationId: 'getConfigurationProducts', call: (w) => ({ args: [{ id: w.icfg, teamId: w.teamId }] }) },
  { operationId: 'getBillingPlans', call: (w) => ({ args: [{ integrationIdOrSlug: 'acme', productIdOrSlug: 'acme-db', integrationConfigurationId: w.icfg, teamId: w.teamId }] }) },
  {
    operationId: 'createIntegrationStoreDirect',
    call: (w) => ({
      args: [{ teamId: w.teamId, requestBody: { name: 'sdk-parity-db', integrationConfigurationId: w.icfg, integrationProductIdOrSlug: 'acme-db', metadata: { region: 'iad1' } } }],
    }),
    after: async (v, w) => {
      w.ids.resource = v.store.externalResourceId;
      w.ids.store = await storeIdOf(w, v.store.externalResourceId);
    },
  },
  { operationId: 'createProject', call: (w) => ({ args: [{ teamId: w.teamId, requestBody: { name: PROJECT, framework: 'nextjs' } }] }), after: (v, w) => void (w.ids.project = v.id) },
  { operationId: 'getProject', call: (w) => ({ args: [{ idOrName: PROJECT, teamId: w.teamId }] }) },
  { operationId: 'getProjects', call: (w) => ({ args: [{ teamId: w.teamId, limit: '5', search: 'parity' }] }) },
  {
    operationId: 'connectIntegrationResourceToProject',
    call: (w) => ({ args: [{ integrationConfigurationId: w.icfg, resourceId: w.ids.store, teamId: w.teamId, requestBody: { projectId: w.ids.project } }] }),
  },
  { operationId: 'getStorageStoresById', call: (w) => ({ args: [{ id: w.ids.store }] }) },
  { operationId: 'filterProjectEnvs', call: (w) => ({ args: [{ idOrName: w.ids.project, teamId: w.teamId }] }) },
  {
    operationId: 'create-event',
    call: (w) => ({ args: [{ integrationConfigurationId: w.icfg, requestBody: { event: { type: 'resource.updated', productId: 'acme-db', resourceId: w.ids.resource } } }], token: 'partner' }),
  },
  {
    operationId: 'update-resource-secrets-by-id',
    call: (w) => ({ args: [{ integrationConfigurationId: w.icfg, resourceId: w.ids.resource, requestBody: { secrets: [{ name: 'ACME_DB_URL', value: 'postgres://rotated-1' }], partial: true } }], token: 'partner' }),
  },
  {
    operationId: 'update-resource-secrets',
    call: (w) => ({
      args: [{ integrationConfigurationId: w.icfg, integrationProductIdOrSlug: 'acme-db', resourceId: w.ids.resource, requestBody: { secrets: [{ name: 'ACME_DB_URL', value: 'postgres://rotated-2' }], partial: true } }],
      token: 'partner',
    }),
  },
  // The partner-called installation and resource endpoints (docs/partner-calls.md).
  {
    operationId: 'update-installation',
    call: (w) => ({
      args: [{ integrationConfigurationId: w.icfg, requestBody: { status: 'ready', externalId: 'acct-1', billingPlan: { id: 'inst', type: 'subscription', name: 'Inst' }, notification: { level: 'info', title: 'Hi' } } }],
      token: 'partner',
    }),
  },
  { operationId: 'get-account-info', call: (w) => ({ args: [{ integrationConfigurationId: w.icfg }], token: 'partner' }) },
  { operationId: 'get-member', call: (w) => ({ args: [{ integrationConfigurationId: w.icfg, memberId: w.ids.owner }], token: 'partner' }) },
  {
    operationId: 'import-resource',
    call: (w) => ({
      args: [
        {
          integrationConfigurationId: w.icfg,
          resourceId: 'sdk-parity-imported',
          requestBody: { productId: 'acme-db', name: 'sdk-parity-imported', status: 'ready', ownership: 'linked', metadata: { region: 'iad1' }, notification: { level: 'warn', title: 'Imported', message: 'm', href: 'https://example.test' }, secrets: [{ name: 'URL', value: 'x' }] },
        },
      ],
      token: 'partner',
    }),
  },
  { operationId: 'get-integration-resources', call: (w) => ({ args: [{ integrationConfigurationId: w.icfg }], token: 'partner' }) },
  { operationId: 'get-integration-resource', call: (w) => ({ args: [{ integrationConfigurationId: w.icfg, resourceId: 'sdk-parity-imported' }], token: 'partner' }) },
  {
    operationId: 'update-resource',
    call: (w) => ({ args: [{ integrationConfigurationId: w.icfg, resourceId: 'sdk-parity-imported', requestBody: { name: 'sdk-parity-imported-2', secrets: { secrets: [{ name: 'URL', value: 'y' }], partial: true } } }], token: 'partner' }),
  },
  { operationId: 'delete-integration-resource', call: (w) => ({ args: [{ integrationConfigurationId: w.icfg, resourceId: 'sdk-parity-imported' }], token: 'partner' }) },
  {
    // Test mode: paid without money, so the refund below needs no payment method.
    operationId: 'submit-invoice',
    call: (w) => ({
      args: [
        {
          integrationConfigurationId: w.icfg,
          requestBody: {
            externalId: 'sdk-parity-1',
            invoiceDate: new Date('2026-06-01T00:00:00Z'),
            period: { start: new Date('2026-05-01T00:00:00Z'), end: new Date('2026-06-01T00:00:00Z') },
            items: [{ resourceId: w.ids.resource, billingPlanId: 'free', name: 'Reads', price: '0.50', quantity: 3, units: 'M reads', total: '1.50' }],
            test: { result: 'paid' },
          },
        },
      ],
      token: 'partner',
    }),
    after: (v, w) => void (w.ids.invoice = v.invoiceId),
  },
  { operationId: 'get-invoice', call: (w) => ({ args: [{ integrationConfigurationId: w.icfg, invoiceId: w.ids.invoice }], token: 'partner' }) },
  {
    operationId: 'update-invoice',
    call: (w) => ({ args: [{ integrationConfigurationId: w.icfg, invoiceId: w.ids.invoice, requestBody: { action: 'refund', reason: 'parity', total: '1.50' } }], token: 'partner' }),
  },
  {
    operationId: 'submit-billing-data',
    call: (w) => ({
      args: [
        {
          integrationConfigurationId: w.icfg,
          requestBody: {
            timestamp: new Date(),
            eod: new Date(),
            period: { start: new Date(Date.now() - 86_400_000), end: new Date(Date.now() + 86_400_000) },
            billing: { items: [{ billingPlanId: 'pro', resourceId: w.ids.resource, name: 'Storage', price: '0.25', quantity: 4, units: 'GB', total: '1.00' }] },
            usage: [{ resourceId: w.ids.resource, name: 'Storage', type: 'total', units: 'GB', dayValue: 4, periodValue: 4 }],
          },
        },
      ],
      token: 'partner',
    }),
  },
  {
    operationId: 'submit-prepayment-balances',
    call: (w) => ({ args: [{ integrationConfigurationId: w.icfg, requestBody: { timestamp: new Date(), balances: [{ resourceId: w.ids.resource, currencyValueInCents: 1000 }] } }], token: 'partner' }),
    // A code as "Open in provider" makes one (test/http/sso.test.ts covers that route), for the exchange below.
    after: async (_v, w) => {
      w.ids.ssoCode = `sso_parity_${randomText(32)}`;
      const integration = w.server.stockroom.ctx.catalog.findIntegration('acme')!;
      const { teamId, userId } = { teamId: w.teamId, userId: w.server.stockroom.bootstrap.userId };
      const grant = { state: 'parity-state', userId, teamId, installationId: w.icfg, integrationId: integration.id, userRole: 'ADMIN' as const };
      await insertSsoCode(w.server.stockroom.ctx.db, hashToken(w.ids.ssoCode), { ...grant, storeId: w.ids.store!, resourceId: w.ids.resource!, projectId: null, invoiceId: null, nonce: null, expiresAt: Date.now() + 60_000 }, Date.now());
    },
  },
  {
    operationId: 'exchange-sso-token',
    call: (w) => {
      const integration = w.server.stockroom.ctx.catalog.findIntegration('acme')!;
      return { args: [{ code: w.ids.ssoCode, state: 'parity-state', clientId: integration.clientId, clientSecret: integration.clientSecret, grantType: 'authorization_code' }] };
    },
  },
  { operationId: 'deleteProject', call: (w) => ({ args: [{ idOrName: w.ids.project, teamId: w.teamId }] }) },
  {
    operationId: 'deleteConfiguration',
    call: (w) => ({ args: [{ id: w.ids.spareIcfg, teamId: w.ids.spareTeam }] }),
    // Finalize Installation ends an uninstall's wait for final invoices: the installation is put in
    // the state an uninstall in flight gives it (test/http/uninstall-finalize.test.ts drives the real one).
    after: async (_v, w) => void (await w.server.stockroom.ctx.db.updateTable('installations').set({ status: 'uninstalling' }).where('id', '=', w.icfg).execute()),
  },
  { operationId: 'finalize-installation', call: (w) => ({ args: [{ integrationConfigurationId: w.icfg }], token: 'partner' }) },
  // Last of the partner's calls: the revocation retires the token they all used.
  {
    operationId: 'rotate-installation-credential',
    call: (w) => ({ args: [{ integrationConfigurationId: w.icfg, requestBody: { clientSecret: w.ids.clientSecret } }], token: 'partner' }),
  },
  {
    operationId: 'revoke-installation-credential',
    call: (w) => ({ args: [{ integrationConfigurationId: w.icfg, requestBody: { token: w.partnerToken, clientSecret: w.ids.clientSecret } }], token: 'partner' }),
  },
];

// ---------------------------------------------------------------------------------------------
// The run

async function world(t: TestContext, dialect: TestDialect): Promise<World> {
  const server = await startTestServer(t, dialect);
  const team = await createTeam(server);
  const icfg = await install(server, team.id);
  const spare = await createTeam(server);
  const member = await createUser(server);
  const memberEmail = (await server.stockroom.ctx.db.selectFrom('users').select('email').where('id', '=', member.id).executeTakeFirstOrThrow()).email;
  const partnerToken = await partnerAccessToken(server, icfg);
  const clientSecret = server.stockroom.ctx.catalog.findIntegration('acme')?.clientSecret;
  assert.ok(clientSecret, 'the reference integration has a client secret');
  return { server, teamId: team.id, icfg, partnerToken, ids: { memberEmail, clientSecret, spareTeam: spare.id, spareIcfg: await install(server, spare.id) } };
}

async function install(server: TestServer, teamId: string): Promise<string> {
  const installed = await server.request('POST', `/stockroom/v1/installations?teamId=${teamId}`, { body: { integrationIdOrSlug: 'acme' } });
  assert.equal(installed.status, 200, installed.text);
  return installed.body.id;
}

const operations = sdkOperations();

for (const dialect of dialectsToTest()) {
  describe(`@vercel/sdk parity over every served operation (${dialect})`, () => {
    test('each SDK operation Stockroom serves parses, with nothing zero-filled', async (t) => {
      const w = await world(t, dialect);
      const openapi = (await w.server.request('GET', '/openapi.json', { token: null })).body;
      const served = servedOperations(openapi, operations);
      const mapping = served.map((o) => `${o.operationId} (${o.func}) → ${o.route} → ${o.success.status}${o.success.json ? ' JSON' : ''}`);
      t.diagnostic(`${served.length} of ${operations.length} SDK operations are served by Stockroom:\n${mapping.join('\n')}`);

      // Everything wrong is collected, so one run names every broken operation.
      const failures: string[] = [];
      const planned = new Set(CALLS.map((c) => c.operationId));
      for (const o of served) if (!planned.has(o.operationId)) failures.push(`${o.operationId}: served, but CALLS has no call of it`);
      const servedIds = new Set(served.map((o) => o.operationId));
      for (const c of CALLS) if (!servedIds.has(c.operationId)) failures.push(`${c.operationId}: in CALLS, but Stockroom does not serve it`);

      const recorder = recordingHttpClient();
      const asOwner = new VercelCore({ serverURL: w.server.url, bearerToken: w.server.token, httpClient: recorder.httpClient });
      const asPartner = new VercelCore({ serverURL: w.server.url, bearerToken: w.partnerToken, httpClient: recorder.httpClient });
      const called = new Set<string>();
      for (const { operationId, call, after } of CALLS) {
        const operation = served.find((o) => o.operationId === operationId);
        if (!operation) continue;
        const { args, token } = call(w);
        const fn = ((await import(`@vercel/sdk/funcs/${operation.func}.js`)) as Record<string, (...a: unknown[]) => Promise<any>>)[operation.func];
        assert.ok(fn, operation.func);
        const before = recorder.bodies.length;
        const zeroFills = startCountingDefaultToZeroValue();
        const coercions = startCountingUnrecognized();
        const result = await fn(token === 'partner' ? asPartner : asOwner, ...args);
        const coerced = coercions.end();
        const zeroFilled = zeroFills.end();
        const response = recorder.bodies[recorder.bodies.length - 1];
        called.add(operationId);
        if (recorder.bodies.length !== before + 1 || !response) {
          const why = result.ok ? '' : `: ${result.error?.name} ${String(result.error?.message).slice(0, 300)}`;
          failures.push(`${operationId}: ${recorder.bodies.length - before} requests instead of 1${why}`);
          continue;
        }
        if (!result.ok) {
          failures.push(`${operationId}: ${result.error?.name} ${String(result.error?.message).slice(0, 600)}`);
          continue;
        }
        if (response.status !== operation.success.status) failures.push(`${operationId}: status ${response.status}`);
        if (operation.success.json) {
          if (zeroFilled !== 0) failures.push(`${operationId}: the SDK zero-filled ${zeroFilled} missing value(s)`);
          if (coerced !== 0) failures.push(`${operationId}: the SDK coerced ${coerced} value(s) of the wrong type`);
          try {
            assertParsedFromWire(result.value, JSON.parse(response.body));
          } catch (error) {
            failures.push(`${operationId}: ${(error as Error).message}`);
          }
        }
        await after?.(result.value, w);
      }
      assert.deepEqual(failures, []);
      assert.deepEqual(served.filter((o) => !called.has(o.operationId)).map((o) => o.operationId), [], 'every served operation was called');

      // What the calls stored: the SDK-created project is gone with its connection, the token revoked.
      const db = w.server.stockroom.ctx.db;
      assert.equal(await db.selectFrom('projects').select('id').where('id', '=', w.ids.project!).executeTakeFirst(), undefined);
      assert.equal(await db.selectFrom('store_connections').select('id').where('project_id', '=', w.ids.project!).executeTakeFirst(), undefined);
      assert.equal(await db.selectFrom('memberships').select('role').where('team_id', '=', w.teamId).where('user_id', '=', w.ids.member!).executeTakeFirst(), undefined, 'the invited member was removed');
      assert.ok((await db.selectFrom('tokens').select('revoked_at').where('id', '=', w.ids.token!).executeTakeFirstOrThrow()).revoked_at);
    });
  });
}

/** The SDK's create answer has no store id (vercel-contract.md §10.1); the list has it. */
async function storeIdOf(w: World, externalResourceId: string): Promise<string> {
  const list = await w.server.request('GET', `/v1/storage/stores?teamId=${w.teamId}`);
  assert.equal(list.status, 200, list.text);
  const store = list.body.stores.find((s: { externalResourceId: string }) => s.externalResourceId === externalResourceId);
  assert.ok(store, 'the SDK-created store is listed');
  return store.id;
}

// ---------------------------------------------------------------------------------------------
// Closed enums: one call above sends one framework; every value our schema allows must parse

describe('every framework and node version a project may carry parses in createProject, getProject and getProjects', () => {
  const base = presentProject({ id: 'prj_1', teamId: 'team_1', name: 'web', framework: null, createdAt: 1, updatedAt: 2 });
  const parsers = { createProject: CreateProjectResponseBody$inboundSchema, getProject: GetProjectResponseBody$inboundSchema };
  const variants = [...FRAMEWORKS.map((framework) => ({ ...base, framework })), ...NODE_VERSIONS.map((nodeVersion) => ({ ...base, nodeVersion }))];
  for (const [name, schema] of Object.entries(parsers)) {
    test(name, () => {
      for (const project of variants) assert.ok(schema.safeParse(project).success, JSON.stringify([project.framework, project.nodeVersion]));
    });
  }
  test('getProjects', () => {
    const page = { projects: variants, pagination: { count: variants.length, next: null, prev: 1, nextCursor: null } };
    const parsed = GetProjectsResponseBody$inboundSchema.safeParse(page);
    assert.ok(parsed.success);
    assertParsedFromWire(parsed.data, page);
  });
});
