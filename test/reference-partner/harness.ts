import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { after, before } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import type { Kysely } from 'kysely';
import { createSecretBox } from '../../src/crypto/secret-box.js';
import { openDatabase } from '../../src/db/database.js';
import { migrateReferencePartner, referencePartnerPlugin, type ReferencePartnerOptions } from '../../src/providers/reference-partner/index.js';
import { createTestDatabase, DIALECTS as SHARED_DIALECTS, dialectsToTest, type TestDialect } from '../helpers/databases.js';

export type Dialect = TestDialect;

/** SQLite always; PostgreSQL too when TEST_DATABASE_URL names a server (helpers/databases.ts). */
export const DIALECTS: readonly Dialect[] = SHARED_DIALECTS;
export { dialectsToTest };

export const CLIENT_ID = 'oac_reference';
export const PREFIX = '/partners/reference';

export interface TestDatabase {
  readonly db: Kysely<any>;
  readonly dialect: Dialect;
  destroy(): Promise<void>;
}

/**
 * A fresh database (test/helpers/databases.ts) opened the way production opens it
 * (src/db/database.ts): SQLite through the group-commit dialect, PostgreSQL through a pool.
 */
export async function openTestDatabase(dialect: Dialect): Promise<TestDatabase> {
  const created = await createTestDatabase(dialect);
  const database = openDatabase(
    dialect === 'sqlite' ? { kind: 'sqlite', path: join(created.dataDir, 'partner.db') } : { kind: 'postgres', url: created.url!, poolSize: 5 },
  );
  return {
    db: database.db as Kysely<any>,
    dialect,
    destroy: async () => {
      await database.destroy();
      await created.drop();
    },
  };
}

/** A clock the tests move by hand, so "pending becomes ready" needs no real waiting. */
export interface TestClock {
  now: number;
  advance(ms: number): void;
}

export interface TokenOptions {
  /** Claims to add or override; `undefined` removes a claim. */
  readonly claims?: Record<string, unknown>;
  /** Sign with this key instead of the one the JWKS publishes. */
  readonly privateKey?: CryptoKey;
  readonly kid?: string;
  /** Seconds from the test clock's now; negative for an expired token. */
  readonly expiresIn?: number;
}

export interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: any;
}

export interface RequestOptions {
  /** A bearer token; `null` sends no Authorization header. Default: a user token for the path's installation. */
  readonly token?: string | null;
  readonly body?: unknown;
  /** Raw text body, sent as is with `content-type: application/json`. */
  readonly rawBody?: string;
  readonly headers?: Record<string, string>;
  readonly signal?: AbortSignal;
}

export interface PartnerHarness {
  readonly url: string;
  readonly db: Kysely<any>;
  readonly dialect: Dialect;
  readonly clock: TestClock;
  readonly app: FastifyInstance;
  /** Opens a resource's sealed `secrets` column, as the partner reads it. */
  openSecrets(row: { [column: string]: unknown }): unknown;
  /** An installation row's sealed access token, opened. */
  openAccessToken(row: { [column: string]: unknown }): string;
  userToken(installationId: string | null, options?: TokenOptions): Promise<string>;
  systemToken(installationId: string | null, options?: TokenOptions): Promise<string>;
  request(method: string, path: string, options?: RequestOptions): Promise<Answer>;
  /** Upserts a new installation and returns its id. */
  install(installationId?: string): Promise<string>;
  /** Provisions on `installationId` with sensible defaults for every field not given. */
  provision(installationId: string, body?: Record<string, unknown>, headers?: Record<string, string>): Promise<Answer>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  readonly partner?: Partial<Omit<ReferencePartnerOptions, 'db' | 'dialect'>>;
  /** Reuse this database instead of opening a fresh one (it is then not destroyed on close). */
  readonly database?: TestDatabase;
}

export function newInstallationId(): string {
  return `icfg_${randomBytes(8).toString('hex')}`;
}

/**
 * A real HTTP server on port 0 that mounts the reference partner under Stockroom's default prefix
 * and, beside it, serves the JWKS of a freshly generated RSA key, as Stockroom would.
 */
export async function startPartner(dialect: Dialect, options: HarnessOptions = {}): Promise<PartnerHarness> {
  const database = options.database ?? (await openTestDatabase(dialect));
  await migrateReferencePartner(database.db);
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const kid = `key-${randomBytes(4).toString('hex')}`;
  const jwk = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };

  const start = Date.now();
  const clock: TestClock = {
    now: start,
    advance(ms) {
      this.now += ms;
    },
  };
  let baseUrl = '';
  const secretBox = options.partner?.secretBox ?? createSecretBox(randomBytes(32).toString('hex'));
  const app = Fastify({ logger: false });
  app.get('/.well-known/jwks', async () => ({ keys: [jwk] }));
  await app.register(referencePartnerPlugin, {
    prefix: PREFIX,
    db: database.db,
    dialect: database.dialect,
    secretBox,
    clientId: CLIENT_ID,
    // Functions, as Stockroom passes them: the URL is only known once the server listens.
    issuer: () => baseUrl,
    jwksUrl: () => `${baseUrl}/.well-known/jwks`,
    now: () => clock.now,
    ...options.partner,
  });
  baseUrl = await app.listen({ port: 0, host: '127.0.0.1' });
  const url = `${baseUrl}${PREFIX}`;

  const sign = async (claims: Record<string, unknown>, o: TokenOptions = {}): Promise<string> => {
    const iat = Math.floor(clock.now / 1000);
    const all: Record<string, unknown> = { iss: baseUrl, aud: CLIENT_ID, iat, exp: iat + (o.expiresIn ?? 300), ...claims, ...o.claims };
    for (const key of Object.keys(all)) if (all[key] === undefined) delete all[key];
    return new SignJWT(all).setProtectedHeader({ alg: 'RS256', kid: o.kid ?? kid }).sign(o.privateKey ?? privateKey);
  };
  const account = randomBytes(6).toString('hex');
  const user = randomBytes(6).toString('hex');

  const harness: PartnerHarness = {
    url,
    db: database.db,
    dialect,
    clock,
    app,
    openSecrets: (row) => JSON.parse(secretBox.open(String(row.secrets), `ref_partner_resources.secrets:${String(row.id)}`)) as unknown,
    openAccessToken: (row) => secretBox.open(String(row.access_token), `ref_partner_installations.access_token:${String(row.id)}`),
    userToken: (installationId, o) =>
      sign(
        {
          sub: `account:${account}:user:${user}`,
          account_id: `team_${account}`,
          installation_id: installationId,
          user_id: `user_${user}`,
          user_role: 'ADMIN',
          user_email: 'tester@example.com',
          type: 'access_token',
        },
        o,
      ),
    systemToken: (installationId, o) =>
      sign({ sub: `account:${account}`, account_id: `team_${account}`, installation_id: installationId, type: 'access_token' }, o),
    async request(method, path, o = {}) {
      const installationId = /^\/v1\/installations\/([^/?]+)/.exec(path)?.[1] ?? null;
      const token = o.token === undefined ? await harness.userToken(installationId) : o.token;
      const headers: Record<string, string> = { ...o.headers };
      if (token !== null) headers.authorization = `Bearer ${token}`;
      let body: string | undefined;
      if (o.rawBody !== undefined) body = o.rawBody;
      else if (o.body !== undefined) body = JSON.stringify(o.body);
      if (body !== undefined) headers['content-type'] ??= 'application/json';
      const response = await fetch(`${url}${path}`, { method, headers, body, signal: o.signal });
      return { status: response.status, headers: response.headers, body: parseAnswerBody(await response.text()) };
    },
    async install(installationId = newInstallationId()) {
      const answer = await harness.request('PUT', `/v1/installations/${installationId}`, { body: installationBody() });
      if (answer.status !== 200) throw new Error(`install failed: ${answer.status} ${JSON.stringify(answer.body)}`);
      return installationId;
    },
    provision(installationId, body = {}, headers = {}) {
      return harness.request('POST', `/v1/installations/${installationId}/resources`, {
        body: { productId: 'acme-db', name: `db-${randomBytes(3).toString('hex')}`, metadata: { region: 'iad1' }, billingPlanId: 'pro', ...body },
        headers,
      });
    },
    async close() {
      await app.close();
      if (!options.database) await database.destroy();
    },
  };
  return harness;
}

/**
 * Starts a partner before the calling describe's tests and closes it after them; `use` receives it
 * (`let p: PartnerHarness; usePartner(dialect, (started) => (p = started));`).
 */
export function usePartner(dialect: Dialect, use: (partner: PartnerHarness) => void, options: HarnessOptions = {}): void {
  let partner: PartnerHarness | undefined;
  before(async () => {
    partner = await startPartner(dialect, options);
    use(partner);
  });
  after(() => partner?.close());
}

/** A valid Upsert Installation body (partner-api.md §1.1 #1). */
export function installationBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    scopes: ['read:project', 'read-write:integration-resource'],
    acceptedPolicies: { toc: '2024-02-28T10:00:00Z', privacy: '2024-02-28T10:00:00Z' },
    credentials: { access_token: `srk_installation_${randomBytes(8).toString('hex')}`, token_type: 'Bearer' },
    account: { name: 'Acme Team', url: 'https://stockroom.example/acme', contact: { email: 'owner@acme.test', name: 'Owner' } },
    ...overrides,
  };
}

/** An answer's body: its JSON, the text itself when it is not JSON, null when empty. */
export function parseAnswerBody(text: string): any {
  if (text === '') return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
