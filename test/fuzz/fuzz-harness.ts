import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { TestContext } from 'node:test';
import fc from 'fast-check';
import { sql, type Kysely } from 'kysely';
import { createMember, createTeam } from '../helpers/accounts.js';
import type { TestDialect } from '../helpers/databases.js';
import { partnerAccessToken } from '../helpers/reference-partner-db.js';
import { send, startTestServer, type TestResponse, type TestServer } from '../helpers/stockroom.js';
import { bootstrapInstallationId, createProject, createStore } from '../helpers/stores.js';
import { anyJson, arbitraryFor, deepJsonText, hostileJson, jsonText, mutated, type Hints, type JsonSchema } from './schema-arbitrary.js';

/**
 * Hostile input against every endpoint of a real server (issue 5 §6): the routes come from
 * `GET /openapi.json`, path parameters are real ids or random text, and bodies, query strings,
 * headers and tokens are random, malformed, or valid in all but one place. Every answer must be
 * below 500, and a 4xx must leave the database exactly as it was.
 *
 * Runs are seeded and bounded: `FUZZ_RUNS` (default below, small enough for CI) and `FUZZ_SEED`;
 * `npm run fuzz` runs longer. A failure prints the seed and path that replay it.
 */

/** Runs per property and dialect; `FUZZ_RUNS` overrides. */
export const FUZZ_RUNS = positiveInt(process.env.FUZZ_RUNS, 400);
/**
 * Fixed by default so CI is reproducible; `FUZZ_SEED=<n>` replays a reported failure, and
 * `FUZZ_SEED=random` (what `npm run fuzz` uses) explores elsewhere each run. A failure's report
 * names the seed either way.
 */
export const FUZZ_SEED = process.env.FUZZ_SEED === 'random' ? (Date.now() ^ (Math.random() * 0x7fffffff)) | 0 : Number.parseInt(process.env.FUZZ_SEED ?? '20260505', 10);

function positiveInt(value: string | undefined, fallback: number): number {
  const n = value === undefined ? NaN : Number.parseInt(value, 10);
  return Number.isSafeInteger(n) && n > 0 ? n : fallback;
}

/** One operation of the OpenAPI document. */
export interface Operation {
  readonly method: string;
  /** With `{name}` placeholders. */
  readonly path: string;
  readonly pathParams: readonly string[];
  readonly queryParams: ReadonlyArray<{ readonly name: string; readonly schema: JsonSchema }>;
  readonly body?: JsonSchema;
}

export interface FuzzWorld {
  readonly server: TestServer;
  readonly dialect: TestDialect;
  readonly operations: readonly Operation[];
  /** Real values by parameter or property name, so requests reach past the 404s. */
  readonly hints: Hints;
  /** Values tried for any path parameter. */
  readonly pathValues: readonly string[];
  /** Bodies a well-behaved client sends, by `METHOD path`, to start mutations from. */
  readonly examples: Readonly<Record<string, fc.Arbitrary<unknown>>>;
  /** Token values by role in the request arbitrary. */
  tokens(): Promise<Record<AuthKind, string | null>>;
}

/**
 * `partner` is Stockroom's own JWT for the reference partner, which no outside client can hold:
 * it reads, but changes go with `partner-elsewhere`, a token for an installation the partner does
 * not have. Otherwise the fuzz would act as Stockroom and, say, delete the partner's installation,
 * and Stockroom's later 500 for a provider that lost its installation would be the test's doing.
 */
export type AuthKind = 'owner' | 'viewer' | 'installation' | 'partner' | 'partner-elsewhere' | 'none';

/**
 * A server with something in it: a second team, a VIEWER, a project, a live store connected to
 * it, a payment method. Background loops are slowed so that only requests change the database.
 */
export async function fuzzWorld(t: TestContext, dialect: TestDialect): Promise<FuzzWorld> {
  const server = await startTestServer(t, dialect, { env: { STOCKROOM_POLL_INTERVAL_MS: '3600000', STOCKROOM_RECOVERY_INTERVAL_MS: '3600000', STOCKROOM_WEBHOOK_INTERVAL_MS: '3600000' } });
  const { ctx, bootstrap } = server.stockroom;
  const icfg = await bootstrapInstallationId(server);
  const team = await createTeam(server);
  const viewer = await createMember(server, bootstrap.teamId, 'VIEWER');
  const project = await createProject(server, 'fuzz-project', { teamId: bootstrap.teamId });
  const store = await createStore(server, icfg, 'fuzz-store');
  const connected = await server.request('POST', `/v1/storage/stores/${store.id}/connections?teamId=${bootstrap.teamId}`, { body: { projectId: project.id } });
  const method = await server.request('POST', `/stockroom/v1/payment-methods?teamId=${bootstrap.teamId}`, { body: { source: 'pm_card_visa' } });
  assert.equal(method.status, 200, method.text);
  const reference = ctx.catalog.integrations.find((i) => i.providerBaseUrl === 'builtin:reference');
  assert.ok(reference);
  const product = ctx.catalog.findProduct(reference, 'acme-db');
  // Neither side keeps the installation's callback token itself: the test makes one and gives Stockroom its hash.
  const installationToken = await partnerAccessToken(server, icfg);

  const doc = (await server.request('GET', '/openapi.json', { token: null })).body as { paths: Record<string, Record<string, OpenApiOperation>> };
  const operations = Object.entries(doc.paths).flatMap(([path, methods]) => Object.entries(methods).map(([m, op]) => toOperation(path, m, op)));

  // The fuzz may revoke a token it holds (DELETE /v3/user/tokens/current): mint another.
  let ownerToken = await mintToken(server, server.token);
  const usable = async (token: string) => (await send(server.url, 'GET', '/v2/user', { token })).status === 200;
  let partnerToken = await ctx.signer.signSystemToken({ audience: reference.clientId, installationId: icfg, accountId: bootstrap.teamId });

  // A create that succeeds unless the fuzz breaks it: any name, one of the three kinds of plan.
  const createBody = fc.record({
    name: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }),
    integrationConfigurationId: fc.constant(icfg),
    integrationProductIdOrSlug: fc.constantFrom('acme-db', 'acme-kv'),
    metadata: fc.constant({ region: 'iad1' }),
    plan: fc.constantFrom({}, { billingPlanId: 'pro', paymentMethodId: 'pm_card_visa' }, { billingPlanId: 'prepaid', paymentMethodId: method.body.id, prepaymentAmountCents: 2500 }),
    externalId: fc.option(fc.string({ maxLength: 20 }), { nil: undefined }),
  }).map(({ plan, externalId, ...rest }) => ({ ...rest, ...plan, ...(externalId === undefined ? {} : { externalId }) }));
  const ids = [bootstrap.teamId, team.id, bootstrap.userId, viewer.id, icfg, reference.id, product?.id ?? 'iap_x', store.id, store.externalResourceId, project.id, method.body.id];
  return {
    server,
    dialect,
    operations,
    examples: {
      'POST /v1/storage/stores/integration/direct': createBody,
      'POST /v1/storage/stores/{storeId}/connections': fc.record({ projectId: fc.constantFrom(project.id, 'fuzz-project') }),
      'POST /v11/projects': fc.record({ name: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }) }),
    },
    pathValues: [...ids, 'stockroom', team.slug, 'acme', 'acme-db', 'acme-kv', 'fuzz-project', 'production', 'preview', 'development', 'default', connected.body?.id ?? 'conn_x'],
    hints: {
      teamId: [bootstrap.teamId, team.id, 'stockroom'],
      slug: ['stockroom', team.slug],
      integrationConfigurationId: [icfg],
      integrationIdOrSlug: ['acme', reference.id],
      integrationProductIdOrSlug: ['acme-db', 'acme-kv'],
      productIdOrSlug: ['acme-db'],
      // The product's one required field, mostly, so that creates reach the provider.
      metadata: [{ region: 'iad1' }, { region: 'iad1' }, { region: 'fra1', storageGb: 10 }, {}, JSON.stringify({ region: 'iad1' })],
      billingPlanId: ['free', 'pro', 'prepaid'],
      paymentMethodId: ['pm_card_visa', 'pm_card_chargeDeclined', method.body.id],
      prepaymentAmountCents: [2500, 50, 50_001],
      projectId: [project.id, 'fuzz-project'],
      storeId: [store.id],
      uid: [viewer.id],
      // A payment method's source and a store's source share the name.
      source: ['pm_card_visa', 'pm_card_chargeDeclined', 'marketplace', 'cli'],
      limit: [1, 0, 100, 101, -1],
      since: [0, Date.now(), -1],
      until: [0, Date.now(), 1e20],
      // Path parameters, by the name the route gives them.
      id: [store.id, icfg, method.body.id, viewer.id],
      idOrName: [project.id, 'fuzz-project'],
      icfg: [icfg],
      installationId: [icfg],
      resourceId: [store.externalResourceId, store.id],
      product: ['acme-db'],
      productSlug: ['acme-db', 'acme-kv'],
      target: ['production', 'preview', 'development'],
      connectionId: [connected.body?.id ?? 'conn_x'],
      tokenId: ['current'],
    },
    async tokens() {
      if (!(await usable(ownerToken))) ownerToken = await mintToken(server, server.token);
      // Signed tokens expire; a fresh one costs nothing (the signer caches it).
      partnerToken = await ctx.signer.signSystemToken({ audience: reference.clientId, installationId: icfg, accountId: bootstrap.teamId });
      const elsewhere = await ctx.signer.signSystemToken({ audience: reference.clientId, installationId: 'icfg_fuzzElsewhere', accountId: team.id });
      return { owner: ownerToken, viewer: viewer.token, installation: installationToken, partner: partnerToken, 'partner-elsewhere': elsewhere, none: null };
    },
  };
}

interface OpenApiOperation {
  parameters?: Array<{ in: string; name: string; schema?: JsonSchema }>;
  requestBody?: { content?: Record<string, { schema?: JsonSchema }> };
}

function toOperation(path: string, method: string, op: OpenApiOperation): Operation {
  const params = op.parameters ?? [];
  const body = op.requestBody?.content?.['application/json']?.schema;
  return {
    method: method.toUpperCase(),
    path,
    pathParams: [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!),
    queryParams: params.filter((p) => p.in === 'query').map((p) => ({ name: p.name, schema: p.schema ?? {} })),
    ...(body ? { body } : {}),
  };
}

async function mintToken(server: TestServer, master: string): Promise<string> {
  const res = await server.request('POST', '/v3/user/tokens', { token: master, body: { name: 'fuzz' } });
  assert.equal(res.status, 200, res.text);
  return res.body.bearerToken;
}

// ── Requests.

/** Printable ASCII: what `fetch` lets through in a header, and all a hostile client needs. */
const printable = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 80 });

/** Text that URLs and parsers trip on, used raw (not percent-encoded). */
const RAW_FRAGMENTS = ['%', '%zz', '%00', '%2F', '..', '.', '~', "'", '"', '<', '&&', '==', '[]', '\\', '%C0%AF', 'a'.repeat(3000)];

export type AuthChoice = { readonly kind: AuthKind } | { readonly kind: 'raw'; readonly value: string } | { readonly kind: 'bearer'; readonly value: string };

export interface FuzzRequest {
  readonly method: string;
  readonly operation: Operation;
  readonly path: string;
  readonly query: string;
  readonly auth: AuthChoice;
  readonly contentType: string | null;
  readonly body: string | undefined;
  readonly headers: Readonly<Record<string, string>>;
}

const pathValue = (w: FuzzWorld, name: string) =>
  fc.oneof(
    ...(w.hints[name] ? [{ arbitrary: fc.constantFrom(...w.hints[name]).map((v) => encodeURIComponent(String(v))), weight: 6 }] : []),
    { arbitrary: fc.constantFrom(...w.pathValues).map(encodeURIComponent), weight: 2 },
    { arbitrary: fc.string({ unit: 'grapheme', maxLength: 30 }).map(encodeURIComponent), weight: 2 },
    { arbitrary: fc.constantFrom(...RAW_FRAGMENTS), weight: 1 },
  );

const queryValue = (w: FuzzWorld, name: string, schema: JsonSchema) =>
  fc.oneof(
    { arbitrary: arbitraryFor(schema, w.hints, name).map(String), weight: 6 },
    { arbitrary: fc.string({ unit: 'grapheme', maxLength: 20 }), weight: 1 },
    { arbitrary: anyJson.map((v) => JSON.stringify(v)), weight: 1 },
    // Long and deep values: some make the URL longer than Node's 16 KiB (431).
    { arbitrary: hostileJson.map(jsonText), weight: 1 },
  );

function queryArbitrary(w: FuzzWorld, op: Operation): fc.Arbitrary<string> {
  // Without teamId or slug a request acts for the default team; with them, mostly a real one.
  const declared = op.queryParams.map((p) =>
    fc.oneof(
      { arbitrary: fc.constant(null), weight: p.name === 'teamId' || p.name === 'slug' ? 6 : 1 },
      { arbitrary: queryValue(w, p.name, p.schema).map((v) => [p.name, v] as const), weight: 1 },
    ),
  );
  const extra = fc.array(fc.tuple(fc.oneof(fc.constantFrom('limit', 'cursor', '__proto__', 'constructor'), fc.string({ maxLength: 10 })), fc.string({ maxLength: 20 })), { maxLength: 2 });
  // fc.option's `freq`: one in `freq` draws is null; a raw fragment is the rarer case.
  const raw = fc.oneof({ arbitrary: fc.constant(null), weight: 8 }, { arbitrary: fc.constantFrom(...RAW_FRAGMENTS), weight: 1 });
  return fc.tuple(fc.tuple(...declared), extra, raw).map(([pairs, more, fragment]) => {
    const parts = [...pairs.filter((p) => p !== null), ...more].map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`);
    if (fragment !== null) parts.push(fragment);
    return parts.length > 0 ? `?${parts.join('&')}` : '';
  });
}

function bodyArbitrary(w: FuzzWorld, op: Operation): fc.Arbitrary<string | undefined> {
  const options: Array<fc.WeightedArbitrary<string | undefined>> = [
    { arbitrary: fc.constant(undefined), weight: 1 },
    { arbitrary: fc.string({ unit: 'grapheme', maxLength: 60 }), weight: 1 },
    { arbitrary: anyJson.map((v) => JSON.stringify(v)), weight: 1 },
    { arbitrary: fc.constantFrom('{', '{"a":', '[1,2', 'null', '""', '{"__proto__":{"x":1}}', '{"constructor":{"prototype":{}}}', `${'['.repeat(2000)}${']'.repeat(2000)}`, deepJsonText(5000)), weight: 1 },
  ];
  if (op.body) {
    options.push({ arbitrary: arbitraryFor(op.body, w.hints).map((v) => JSON.stringify(v)), weight: 4 });
    options.push({ arbitrary: mutated(arbitraryFor(op.body, w.hints)).map(jsonText), weight: 4 });
  }
  const example = w.examples[`${op.method} ${op.path}`];
  if (example) {
    options.push({ arbitrary: example.map((v) => JSON.stringify(v)), weight: 6 });
    options.push({ arbitrary: mutated(example).map(jsonText), weight: 6 });
  }
  return fc.oneof(...options);
}

const authArbitrary: fc.Arbitrary<AuthChoice> = fc.oneof(
  // Mostly a token that passes, so that requests get past authentication to the handlers.
  { arbitrary: fc.constant({ kind: 'owner' as const }), weight: 20 },
  { arbitrary: fc.constantFrom<AuthChoice>({ kind: 'viewer' }, { kind: 'installation' }, { kind: 'partner' }, { kind: 'none' }), weight: 3 },
  { arbitrary: printable.map((value) => ({ kind: 'raw' as const, value })), weight: 1 },
  { arbitrary: printable.map((value) => ({ kind: 'bearer' as const, value })), weight: 1 },
);

const contentTypeArbitrary = fc.oneof(
  { arbitrary: fc.constant('application/json'), weight: 16 },
  {
    arbitrary: fc.constantFrom<string | null>(null, '', 'application/json; charset=utf-8', 'application/json; charset=utf-16', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/jsonx', 'APPLICATION/JSON'),
    weight: 3,
  },
  { arbitrary: printable, weight: 1 },
);

const headersArbitrary = fc.record(
  {
    'idempotency-key': fc.oneof(
      { arbitrary: printable.filter((k) => k.length > 0), weight: 6 },
      { arbitrary: fc.constantFrom('', 'x'.repeat(300)), weight: 1 },
    ),
    'x-request-id': printable, accept: fc.constantFrom('*/*', 'text/html', 'application/xml', ''), 'x-vercel-auth': fc.constantFrom('user', 'system', 'nope') },
  { requiredKeys: [] },
);

export function requestArbitrary(w: FuzzWorld, operations: readonly Operation[] = w.operations): fc.Arbitrary<FuzzRequest> {
  return fc.constantFrom(...operations).chain((op) =>
    fc
      .record({
        wrongMethod: fc.oneof({ arbitrary: fc.constant(null), weight: 12 }, { arbitrary: fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE'), weight: 1 }),
        values: fc.tuple(...op.pathParams.map((name) => pathValue(w, name))),
        query: queryArbitrary(w, op),
        auth: authArbitrary,
        contentType: contentTypeArbitrary,
        body: bodyArbitrary(w, op),
        headers: headersArbitrary,
      })
      .map(({ wrongMethod, values, query, auth, contentType, body, headers }) => {
        let i = 0;
        const path = op.path.replace(/\{[^}]+\}/g, () => values[i++] ?? 'x');
        const method = wrongMethod ?? op.method;
        // fetch refuses a body on GET and HEAD; the others may carry one.
        const request: FuzzRequest = { method, operation: op, path, query, auth, contentType, body: method === 'GET' ? undefined : body, headers };
        // fast-check prints a counterexample with this, instead of the route's whole schema.
        return Object.assign(request, { [fc.toStringMethod]: () => describeRequest(request) });
      }),
  );
}

/**
 * The token a well-behaved caller of this route holds: Stockroom's JWT at the reference partner,
 * the installation's token on partner callbacks, a user token everywhere else.
 */
function fittingAuth(path: string): AuthKind {
  if (path.startsWith('/partners/')) return 'partner';
  if (path.startsWith('/v1/installations/')) return 'installation';
  return 'owner';
}

export async function sendFuzz(w: FuzzWorld, request: FuzzRequest, tokens: Record<AuthKind, string | null>): Promise<TestResponse> {
  const headers: Record<string, string> = { ...request.headers };
  if (request.contentType !== null && (request.body !== undefined || request.contentType !== 'application/json')) headers['content-type'] = request.contentType;
  const auth = request.auth;
  let token: string | null = null;
  if (auth.kind === 'raw') headers.authorization = auth.value;
  else if (auth.kind === 'bearer') token = auth.value;
  else {
    const kind = auth.kind === 'owner' ? fittingAuth(request.operation.path) : auth.kind;
    token = tokens[kind === 'partner' && request.method !== 'GET' ? 'partner-elsewhere' : kind];
  }
  return send(w.server.url, request.method, `${request.path}${request.query}`, { token, headers, ...(request.body !== undefined ? { rawBody: request.body } : {}) });
}

// ── The database, before and after.

/**
 * Tables that record requests rather than resources: an idempotency record is written for a 4xx
 * on purpose (docs/rules.md §5 replays it), and a rate-limit window counts every request. Kysely's
 * own migration tables never change after start.
 */
const BOOKKEEPING = new Set(['idempotency_keys', 'rate_limit_counters', 'kysely_migration', 'kysely_migration_lock']);

/** The tables a world's database holds (migrations ran before the world was made: the list does not change). */
const tablesOfWorld = new WeakMap<FuzzWorld, string[]>();

async function tablesOf(w: FuzzWorld, db: Kysely<Record<string, Record<string, unknown>>>): Promise<string[]> {
  let tables = tablesOfWorld.get(w);
  if (tables === undefined) {
    const names =
      w.dialect === 'sqlite'
        ? (await sql<{ name: string }>`select name from sqlite_master where type = 'table' and name not like 'sqlite_%'`.execute(db)).rows.map((r) => r.name)
        : (await sql<{ name: string }>`select table_name as name from information_schema.tables where table_schema = current_schema() and table_type = 'BASE TABLE'`.execute(db)).rows.map((r) => r.name);
    tables = names.filter((name) => !BOOKKEEPING.has(name)).sort();
    tablesOfWorld.set(w, tables);
  }
  return tables;
}

/**
 * A digest per table of every row, so that a change names its table. Taken twice per request, so
 * on PostgreSQL it is one statement (each table's rows hashed by the server, in a row order of
 * their own hashes) rather than a round trip and a JSON pass per table: the fuzz files spent most
 * of their time here.
 */
export async function snapshotDatabase(w: FuzzWorld): Promise<Map<string, string>> {
  const db = w.server.stockroom.ctx.db as unknown as Kysely<Record<string, Record<string, unknown>>>;
  const tables = await tablesOf(w, db);
  const digests = new Map<string, string>();
  if (w.dialect === 'postgres') {
    const perTable = tables.map(
      (table) => sql`select ${table}::text as name, count(*)::int as n, coalesce(md5(string_agg(md5(r::text), '' order by md5(r::text))), '') as h from ${sql.table(table)} r`,
    );
    const rows = (await sql<{ name: string; n: number; h: string }>`${sql.join(perTable, sql` union all `)}`.execute(db)).rows;
    for (const row of rows) digests.set(row.name, `${row.n}:${row.h}`);
    return digests;
  }
  for (const table of tables) {
    const rows = (await sql<Record<string, unknown>>`select * from ${sql.table(table)}`.execute(db)).rows.map((r) => JSON.stringify(r, Object.keys(r).sort())).sort();
    digests.set(table, `${rows.length}:${createHash('sha256').update(rows.join('\n')).digest('hex').slice(0, 16)}`);
  }
  return digests;
}

export function changedTables(before: Map<string, string>, after: Map<string, string>): string[] {
  const names = new Set([...before.keys(), ...after.keys()]);
  return [...names].filter((name) => before.get(name) !== after.get(name));
}

/** What went over the wire, for a failure message (no token values), with long parts cut. */
export function describeRequest(request: FuzzRequest, response?: TestResponse): string {
  const cut = (text: string | undefined, n = 200) => (text === undefined ? '(none)' : text.length > n ? `${text.slice(0, n)}…(${text.length} chars)` : text);
  const auth = request.auth.kind === 'raw' || request.auth.kind === 'bearer' ? `${request.auth.kind}:${JSON.stringify(cut(request.auth.value, 40))}` : request.auth.kind;
  const sent = `${request.method} ${cut(request.path + request.query)} [route ${request.operation.method} ${request.operation.path}] auth=${auth} content-type=${JSON.stringify(request.contentType)} headers=${cut(JSON.stringify(request.headers), 120)} body=${cut(request.body)}`;
  return response ? `${sent} → ${response.status} ${cut(response.text, 300)}` : sent;
}

/**
 * The property every request must hold: no 5xx, an error in Vercel's shape with a request id,
 * and no change to the database when the answer is a 4xx.
 */
export async function checkRequest(w: FuzzWorld, request: FuzzRequest): Promise<void> {
  // Before the snapshot: replacing a revoked token writes to the database.
  const tokens = await w.tokens();
  const before = await snapshotDatabase(w);
  const response = await sendFuzz(w, request, tokens);
  const what = describeRequest(request, response);
  assert.ok(response.status < 500, `a 5xx: ${what}`);
  assert.ok(response.headers.get('x-request-id'), `no x-request-id: ${what}`);
  if (response.status >= 400) {
    const isPartner = request.path.startsWith('/partners/');
    assert.equal(typeof response.body?.error?.code, 'string', `not an error body: ${what}`);
    if (!isPartner) assert.equal(typeof response.body.error.message, 'string', `no error message: ${what}`);
    const changed = changedTables(before, await snapshotDatabase(w));
    assert.deepEqual(changed, [], `a ${response.status} changed ${changed.join(', ')}: ${what}`);
  }
}

export function fuzzParameters(): fc.Parameters<[FuzzRequest]> {
  return { numRuns: FUZZ_RUNS, seed: FUZZ_SEED, endOnFailure: true, includeErrorInReport: true };
}
