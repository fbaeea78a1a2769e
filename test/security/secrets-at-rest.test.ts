import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import pg from 'pg';
import { sql } from 'kysely';
import { randomText } from '../../src/crypto/random-text.js';
import type { PartnerClient } from '../../src/providers/partner-client.js';
import { createTeam } from '../helpers/accounts.js';
import { dialectsToTest, type TestDialect } from '../helpers/databases.js';
import { hashToken } from '../../src/crypto/secret-box.js';
import { insertSsoCode } from '../../src/db/sso-codes.js';
import { partnerAccessToken } from '../helpers/reference-partner-db.js';
import { startTestServer, type TestServer } from '../helpers/stockroom.js';
import { dropPostgresObjects, dropRedisObjects, PG_ADMIN_URL, recordedObjects, REDIS_ADMIN_URL } from '../providers-real/real-stores.js';

/**
 * Issue 13, defect 5: every secret in Stockroom's database is sealed (or, for a token only ever
 * verified, hashed), whoever writes it: Stockroom, the reference partner mounted in it, the real
 * providers. Known secrets go in through every path a secret takes (store creation through the
 * reference partner and the real PostgreSQL and Redis providers, rotation, a partner's secrets
 * push, idempotent requests at Stockroom and at the partners, installation and user tokens); then
 * the database is searched for them byte for byte: SQLite's files (main and `-wal`), and on
 * PostgreSQL every text, varchar, json and bytea column of every table. None may be found.
 *
 * Stockroom's own recorded idempotent answers (`idempotency_keys.body`, which replays a created
 * token's `bearerToken`) are sealed by the wt-tokens branch; their needles are checked in a test
 * of their own so that a failure there names its cause.
 */


/** A secret value the test wrote, and what wrote it. */
interface Needle {
  readonly what: string;
  readonly value: string;
  /** `stockroom-idempotency`: only Stockroom's idempotent answer could hold it (wt-tokens' scope). */
  readonly scope: 'everywhere-else' | 'stockroom-idempotency';
}

interface Finding {
  readonly needle: Needle;
  readonly where: string;
}

for (const dialect of dialectsToTest()) {
  describe(`secrets at rest (${dialect}${PG_ADMIN_URL ? ', real PostgreSQL provider' : ''}${REDIS_ADMIN_URL ? ', real Redis provider' : ''})`, () => {
    let needles: Needle[] = [];
    let findings: Finding[] = [];

    before(async () => {
      ({ needles, findings } = await writeSecretsAndScan(dialect));
    });

    test('no secret written through any path is found in the database, in any table or file', () => {
      const mine = needles.filter((n) => n.scope === 'everywhere-else');
      // The world was really built: reference store, rotation, push, tokens, and the real providers when on.
      assert.ok(mine.length >= 8 + (PG_ADMIN_URL ? 4 : 0) + (REDIS_ADMIN_URL ? 4 : 0), `only ${mine.length} secrets were written`);
      const leaks = findings.filter((f) => f.needle.scope === 'everywhere-else').map((f) => `${f.needle.what} in ${f.where}`);
      assert.deepEqual(leaks, []);
    });

    test("no token is found in Stockroom's recorded idempotent answers (sealed on branch wt-tokens)", () => {
      const leaks = findings.filter((f) => f.needle.scope === 'stockroom-idempotency').map((f) => `${f.needle.what} in ${f.where}`);
      assert.deepEqual(leaks, []);
    });
  });
}

async function writeSecretsAndScan(dialect: TestDialect): Promise<{ needles: Needle[]; findings: Finding[] }> {
  // `before` has no TestContext: clean-ups are collected and run at the end of this function.
  const cleanups: Array<() => unknown> = [];
  const t = { after: (fn: () => unknown) => void cleanups.push(fn) } as unknown as Parameters<typeof startTestServer>[0];
  try {
    const env: Record<string, string> = { STOCKROOM_POLL_INTERVAL_MS: '100' };
    if (PG_ADMIN_URL) env.STOCKROOM_POSTGRES_ADMIN_URL = PG_ADMIN_URL;
    if (REDIS_ADMIN_URL) env.STOCKROOM_REDIS_ADMIN_URL = REDIS_ADMIN_URL;
    const server = await startTestServer(t, dialect, { env });
    const needles: Needle[] = [];
    const add = (what: string, value: string, scope: Needle['scope'] = 'everywhere-else') => {
      needles.push({ what, value, scope });
      // A URL's password is a secret on its own, wherever else the URL's parts end up.
      try {
        const password = decodeURIComponent(new URL(value).password);
        if (password.length >= 8) needles.push({ what: `${what} (password)`, value: password, scope });
      } catch {
        // Not a URL.
      }
    };
    const installTokens = spyOnInstallationTokens(server);

    const team = await createTeam(server);
    const q = `?teamId=${team.id}`;
    const install = async (slug: string): Promise<string> => {
      const res = await server.request('POST', `/stockroom/v1/installations${q}`, { body: { integrationIdOrSlug: slug } });
      assert.equal(res.status, 200, res.text);
      return res.body.id as string;
    };

    // Installation access tokens: Stockroom hashes its copy; the partners must not keep one either.
    const icfg = await install('acme');
    const slugs = [...(PG_ADMIN_URL ? ['stockroom-postgres'] : []), ...(REDIS_ADMIN_URL ? ['stockroom-redis'] : [])];
    const realIcfgs = new Map<string, string>();
    for (const slug of slugs) realIcfgs.set(slug, await install(slug));
    assert.equal(installTokens.length, 1 + slugs.length, 'every install sent its access token to the partner');
    for (const [i, token] of installTokens.entries()) add(`installation access token #${i + 1}`, token);

    // User tokens: stored hashed; the one created with an Idempotency-Key is also in a recorded answer.
    const plain = await server.request('POST', `/v3/user/tokens`, { body: { name: 'scan' } });
    assert.equal(plain.status, 200, plain.text);
    add('user token', plain.body.bearerToken);
    const keyed = await server.request('POST', `/v3/user/tokens`, { body: { name: 'scan-keyed' }, headers: { 'idempotency-key': `tok-${randomText(12)}` } });
    assert.equal(keyed.status, 200, keyed.text);
    add('user token created with an Idempotency-Key', keyed.body.bearerToken, 'stockroom-idempotency');

    // Stockroom's signing key: its private exponent is sealed.
    const signingKey = await server.stockroom.ctx.db.selectFrom('signing_keys').selectAll().executeTakeFirstOrThrow();
    const jwk = JSON.parse(server.stockroom.ctx.secretBox.open(signingKey.private_jwk_sealed, `signing_keys.private_jwk_sealed:${signingKey.kid}`)) as { d: string };
    add('signing key private exponent', jwk.d);

    const project = await server.request('POST', `/v11/projects${q}`, { body: { name: `scan-${randomText(6).toLowerCase()}` } });
    assert.equal(project.status, 200, project.text);
    const pull = async (): Promise<Record<string, string>> => {
      const res = await server.request('GET', `/v3/env/pull/${project.body.id}/development${q}`);
      assert.equal(res.status, 200, res.text);
      return res.body.env as Record<string, string>;
    };
    // Host names, user and database names are not secrets; passwords, tokens, keys and URLs
    // carrying a password are.
    const addPulled = async (what: string) => {
      for (const [name, value] of Object.entries(await pull())) if (isSecretVariable(name, value)) add(`${what}: ${name}`, value);
    };

    // A store at the reference partner, created with an Idempotency-Key at Stockroom (Stockroom
    // sends the partner its own key, so the partner records its answer, secrets included).
    const created = await server.request('POST', `/v1/storage/stores/integration/direct${q}`, {
      body: { name: 'scan-ref', integrationConfigurationId: icfg, integrationProductIdOrSlug: 'acme-db', metadata: { region: 'iad1' } },
      headers: { 'idempotency-key': `create-${randomText(12)}` },
    });
    assert.equal(created.status, 200, created.text);
    const refStore = created.body.store as { id: string; externalResourceId: string };
    const connect = async (storeId: string, envVarPrefix?: string) => {
      const res = await server.request('POST', `/v1/storage/stores/${storeId}/connections${q}`, { body: { projectId: project.body.id, ...(envVarPrefix ? { envVarPrefix } : {}) } });
      assert.equal(res.status, 200, res.text);
    };
    await connect(refStore.id);
    await addPulled('reference store at creation');

    // Rotation, answered synchronously by the partner with new values (and an idempotency key).
    const rotate = async (storeId: string) => {
      const res = await server.request('POST', `/v1/storage/stores/${storeId}/secrets/rotate${q}`, { body: { delayOldSecretsExpirationHours: 1 } });
      assert.equal(res.status, 200, res.text);
    };
    await rotate(refStore.id);
    await addPulled('reference store after rotation');

    // The partner pushes a secret with its installation access token.
    const partnerToken = await partnerAccessToken(server, icfg);
    add('partner access token', partnerToken);
    const pushed = `pushed_${randomText(32)}`;
    const push = await server.request('PUT', `/v1/installations/${icfg}/resources/${refStore.externalResourceId}/secrets`, {
      token: partnerToken,
      body: { secrets: [{ name: 'PUSHED_SECRET', value: pushed }], partial: true },
    });
    assert.equal(push.status, 201, push.text);
    assert.equal((await pull()).PUSHED_SECRET, pushed, 'the push reached the project');
    add('pushed secret', pushed);

    // The partner rotates its token (with the client secret) and imports a resource with a secret.
    const clientSecret = server.stockroom.ctx.catalog.findIntegration('acme')?.clientSecret;
    assert.ok(clientSecret);
    add('integration client secret', clientSecret);
    const rotatedToken = await server.request('POST', `/v1/installations/${icfg}/credentials/rotate`, { token: partnerToken, body: { client_secret: clientSecret } });
    assert.equal(rotatedToken.status, 200, rotatedToken.text);
    add('rotated installation access token', rotatedToken.body.access_token as string);
    const imported = `imported_${randomText(32)}`;
    const importAnswer = await server.request('PUT', `/v1/installations/${icfg}/resources/scan-imported`, {
      token: rotatedToken.body.access_token as string,
      body: { productId: 'acme-db', name: 'scan-imported', status: 'ready', secrets: [{ name: 'IMPORTED_SECRET', value: imported }] },
    });
    assert.equal(importAnswer.status, 200, importAnswer.text);
    add('imported resource secret', imported);

    // SSO: a one-time code (stored only hashed), the integration's client secret (derived for a
    // built-in provider, never stored) and the id_token the exchange answers (never stored).
    const integration = server.stockroom.ctx.catalog.findIntegration('acme')!;
    const ssoCode = `sso_${randomText(43)}`;
    const grant = { state: 'scan-state', userId: server.stockroom.bootstrap.userId, teamId: team.id, installationId: icfg, integrationId: integration.id, userRole: 'ADMIN' as const };
    const bound = { storeId: refStore.id, resourceId: refStore.externalResourceId, projectId: null, invoiceId: null, nonce: null, expiresAt: server.clock.now() + 60_000 };
    await insertSsoCode(server.stockroom.ctx.db, hashToken(ssoCode), { ...grant, ...bound }, server.clock.now());
    add('SSO code', ssoCode);
    const exchanged = await server.request('POST', '/v1/integrations/sso/token', {
      token: null,
      body: { code: ssoCode, state: 'scan-state', client_id: integration.clientId, client_secret: integration.clientSecret, grant_type: 'authorization_code' },
    });
    assert.equal(exchanged.status, 200, exchanged.text);
    add('SSO id_token', exchanged.body.id_token);

    // The real providers: a store each, rotated once.
    for (const [slug, product, prefix] of [['stockroom-postgres', 'postgres', 'PG_'], ['stockroom-redis', 'redis', 'KV_']] as const) {
      const realIcfg = realIcfgs.get(slug);
      if (!realIcfg) continue;
      const res = await server.request('POST', `/v1/storage/stores/integration/direct${q}`, {
        body: { name: `scan-${product}`, integrationConfigurationId: realIcfg, integrationProductIdOrSlug: product, metadata: {} },
        headers: { 'idempotency-key': `create-${product}-${randomText(12)}` },
      });
      assert.equal(res.status, 200, res.text);
      await connect(res.body.store.id as string, prefix);
      await addPulled(`${product} store at creation`);
      await rotate(res.body.store.id as string);
      await addPulled(`${product} store after rotation`);
    }

    // The real stores are a database, roles and an ACL user on the machine's servers: dropped at the
    // end. Read now: on SQLite the scan closes the server (to read its files after a checkpoint).
    if (PG_ADMIN_URL) {
      const recorded = await recordedObjects(server, 'pg_provider_');
      cleanups.push(() => dropPostgresObjects(recorded));
    }
    if (REDIS_ADMIN_URL) {
      const { handles } = await recordedObjects(server, 'redis_provider_');
      cleanups.push(() => dropRedisObjects(handles));
    }
    const findings = await scan(server, dialect, needles);
    return { needles: dedupe(needles), findings };
  } finally {
    for (const fn of cleanups.reverse()) await fn();
  }
}

function isSecretVariable(name: string, value: string): boolean {
  if (/PASSWORD|TOKEN|SECRET|_KEY$/.test(name)) return true;
  try {
    return new URL(value).password !== '';
  } catch {
    return false;
  }
}

/** Records the access token of every Upsert Installation Stockroom sends a partner. */
function spyOnInstallationTokens(server: TestServer): string[] {
  const tokens: string[] = [];
  const partners = server.stockroom.ctx.partners as { forProvider: (p: { baseUrl: string; clientId: string }) => PartnerClient };
  const forProvider = partners.forProvider.bind(partners);
  partners.forProvider = (provider) => {
    const client = forProvider(provider);
    return {
      ...client,
      upsertInstallation: async (id, body, caller, options) => {
        tokens.push(body.credentials.access_token);
        return client.upsertInstallation(id, body, caller, options);
      },
    };
  };
  return tokens;
}

function dedupe(needles: Needle[]): Needle[] {
  const seen = new Set<string>();
  return needles.filter((n) => (seen.has(n.value) ? false : (seen.add(n.value), true)));
}

/**
 * Where each needle is found: every text-like and binary column of every table, and on SQLite the
 * raw bytes of the database and its write-ahead log (read while the server runs, and again after
 * it closed and checkpointed).
 */
async function scan(server: TestServer, dialect: TestDialect, all: Needle[]): Promise<Finding[]> {
  const needles = dedupe(all);
  const findings: Finding[] = [];
  const columns = dialect === 'postgres' ? await postgresColumns(server.database.url!) : await sqliteColumns(server);
  for (const { where, values } of columns) {
    for (const needle of needles) {
      const bytes = Buffer.from(needle.value, 'utf8');
      if (values.some((v) => v.includes(bytes))) findings.push({ needle, where });
    }
  }
  if (dialect === 'sqlite') {
    const path = join(server.database.dataDir, 'stockroom.db');
    const readFiles = (when: string) => {
      for (const file of [path, `${path}-wal`]) {
        if (!existsSync(file)) continue;
        const raw = readFileSync(file);
        for (const needle of needles) if (raw.includes(Buffer.from(needle.value, 'utf8'))) findings.push({ needle, where: `${file.endsWith('-wal') ? 'the -wal file' : 'the database file'} (${when})` });
      }
    };
    readFiles('running');
    await server.stop();
    readFiles('after close');
  }
  return findings;
}

interface ColumnValues {
  readonly where: string;
  readonly values: Buffer[];
}

async function sqliteColumns(server: TestServer): Promise<ColumnValues[]> {
  const db = server.stockroom.ctx.db;
  const tables = (await sql<{ name: string }>`select name from sqlite_master where type = 'table'`.execute(db)).rows.map((r) => r.name);
  const out: ColumnValues[] = [];
  for (const table of tables) {
    const rows = (await sql<Record<string, unknown>>`select * from ${sql.table(table)}`.execute(db)).rows;
    const names = new Set(rows.flatMap((r) => Object.keys(r)));
    for (const column of names) out.push({ where: `${table}.${column}`, values: rows.map((r) => asBytes(r[column])) });
  }
  return out;
}

async function postgresColumns(url: string): Promise<ColumnValues[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows: columns } = await client.query<{ table_schema: string; table_name: string; column_name: string; data_type: string }>(
      `select c.table_schema, c.table_name, c.column_name, c.data_type
         from information_schema.columns c
         join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name and t.table_type = 'BASE TABLE'
        where c.table_schema not in ('pg_catalog', 'information_schema')
          and c.data_type in ('text', 'character varying', 'character', 'json', 'jsonb', 'bytea', 'USER-DEFINED', 'ARRAY')`,
    );
    assert.ok(columns.length > 20, 'the scan sees the tables');
    const out: ColumnValues[] = [];
    for (const c of columns) {
      const ident = (s: string) => `"${s.replace(/"/g, '""')}"`;
      // bytea as its bytes; everything else as text (json keeps its strings readable).
      const expr = c.data_type === 'bytea' ? ident(c.column_name) : `${ident(c.column_name)}::text`;
      const { rows } = await client.query<{ v: unknown }>(`select ${expr} as v from ${ident(c.table_schema)}.${ident(c.table_name)}`);
      out.push({ where: `${c.table_name}.${c.column_name}`, values: rows.map((r) => asBytes(r.v)) });
    }
    return out;
  } finally {
    await client.end();
  }
}

function asBytes(value: unknown): Buffer {
  if (value === null || value === undefined) return Buffer.alloc(0);
  if (Buffer.isBuffer(value)) return value;
  if (value instanceof Uint8Array) return Buffer.from(value);
  return Buffer.from(typeof value === 'string' ? value : JSON.stringify(value), 'utf8');
}
