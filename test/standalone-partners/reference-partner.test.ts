import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test, type TestContext } from 'node:test';
import type { Kysely } from 'kysely';
import { createSecretBox } from '../../src/crypto/secret-box.js';
import { openDatabase } from '../../src/db/database.js';
import { openJson, resourceSecretsContext } from '../../src/providers/reference-partner/sealed-values.js';
import { createTestDatabase, NO_POSTGRES } from '../helpers/databases.js';
import { eventually } from '../helpers/eventually.js';
import { startMiniVercel, type MiniVercel } from './mini-vercel.js';
import { freePort } from '../helpers/free-port.js';
import { call, installationBody, REFERENCE_PARTNER_BUNDLE, runNpm, runToExit, startStandalone } from './standalone.js';

const KEY = randomBytes(32).toString('hex');

interface Standalone {
  readonly url: string;
  readonly vercel: MiniVercel;
  readonly sqlitePath: string;
  readonly stop: () => Promise<number | null>;
  readonly output: () => string;
}

/** The reference partner bundle on its own SQLite file, trusting a fresh mini Vercel's JWKS; `args` added last. */
async function startReferencePartner(t: TestContext, args: string[] = [], options: { vercel?: MiniVercel; sqlitePath?: string; env?: Record<string, string> } = {}): Promise<Standalone> {
  const vercel = options.vercel ?? (await startMiniVercel());
  if (!options.vercel) t.after(() => vercel.close());
  let sqlitePath = options.sqlitePath;
  if (!sqlitePath) {
    const dir = mkdtempSync(join(tmpdir(), 'h1-reference-partner-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    sqlitePath = join(dir, 'partner.db');
  }
  const process = await startStandalone(t, REFERENCE_PARTNER_BUNDLE, ['--port', '0', '--jwks', vercel.jwksUrl, '--sqlite-path', sqlitePath, '--encryption-key', KEY, '--job-interval-ms', '0', ...args], options.env);
  return { url: process.url, vercel, sqlitePath, stop: () => process.stop(), output: () => process.output() };
}

function openPartnerDb(t: TestContext, sqlitePath: string): Kysely<any> {
  const database = openDatabase({ kind: 'sqlite', path: sqlitePath });
  t.after(() => database.destroy());
  return database.db as Kysely<any>;
}

const newIcfg = () => `icfg_${randomBytes(8).toString('hex')}`;

async function install(partner: Standalone, clientId: string, icfg: string, accessToken: string): Promise<void> {
  const answer = await call(partner.url, 'PUT', `/v1/installations/${icfg}`, await partner.vercel.userToken(clientId, icfg), installationBody(accessToken));
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
}

async function provision(partner: Standalone, clientId: string, icfg: string, name: string): Promise<{ id: string; secrets: Array<{ name: string; value: string }> }> {
  const answer = await call(partner.url, 'POST', `/v1/installations/${icfg}/resources`, await partner.vercel.userToken(clientId, icfg), { productId: 'acme-db', name, metadata: { region: 'iad1' }, billingPlanId: 'free' }, { 'idempotency-key': `prov-${name}` });
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  assert.equal(answer.body.name, name);
  assert.ok(answer.body.secrets.length > 0);
  return answer.body;
}

describe('npm run reference-partner: the reference partner as its own process', () => {
  test('listens on --port, requires the --jwks origin as issuer and --client-id (over its variable) as audience', async (t) => {
    const port = await freePort();
    const partner = await startReferencePartner(t, ['--port', String(port), '--client-id', 'oac_h1flag'], { env: { REFERENCE_PARTNER_CLIENT_ID: 'oac_h1env' } });
    assert.equal(partner.url, `http://127.0.0.1:${port}`);
    const icfg = newIcfg();
    const path = `/v1/installations/${icfg}`;
    const vercel = partner.vercel;

    // The issuer defaults to the JWKS URL's origin, as Vercel's does.
    assert.equal(new URL(vercel.jwksUrl).origin, vercel.url);
    assert.equal((await call(partner.url, 'PUT', path, await vercel.userToken('oac_h1flag', icfg), installationBody('tok_a'))).status, 200);
    const otherIssuer = await call(partner.url, 'GET', path, await vercel.systemToken('oac_h1flag', icfg, { iss: `${vercel.url}/other` }));
    assert.equal(otherIssuer.status, 403, JSON.stringify(otherIssuer.body));
    assert.equal(otherIssuer.body.error.code, 'forbidden');
    // The flag's client id, not the variable's nor the default.
    for (const aud of ['oac_h1env', 'oac_reference']) {
      const refused = await call(partner.url, 'GET', path, await vercel.systemToken(aud, icfg));
      assert.equal(refused.status, 403, `aud ${aud}: ${JSON.stringify(refused.body)}`);
    }
    assert.equal((await call(partner.url, 'GET', path, await vercel.systemToken('oac_h1flag', icfg))).status, 200);
    assert.equal((await call(partner.url, 'GET', path, null)).status, 403);

    const row = await openPartnerDb(t, partner.sqlitePath).selectFrom('ref_partner_installations').selectAll().where('id', '=', icfg).executeTakeFirst();
    assert.ok(row, 'the installation is stored in the --sqlite-path database');
    assert.match(partner.output(), /"issuer":"http:\/\/127\.0\.0\.1:\d+"/);
  });

  test('provision, get and delete over HTTP, stored in its own database', async (t) => {
    const partner = await startReferencePartner(t);
    const clientId = 'oac_reference';
    const icfg = newIcfg();
    await install(partner, clientId, icfg, 'tok_b');
    const created = await provision(partner, clientId, icfg, 'h1-standalone-db');
    const db = openPartnerDb(t, partner.sqlitePath);
    const stored = await db.selectFrom('ref_partner_resources').selectAll().where('id', '=', created.id).executeTakeFirstOrThrow();
    assert.deepEqual(openJson(createSecretBox(KEY), stored.secrets, resourceSecretsContext(created.id)), created.secrets);

    const read = await call(partner.url, 'GET', `/v1/installations/${icfg}/resources/${created.id}`, await partner.vercel.systemToken(clientId, icfg));
    assert.equal(read.status, 200, JSON.stringify(read.body));
    assert.equal(read.body.id, created.id);
    assert.equal(read.body.secrets, undefined, 'Get Resource carries no secret');

    const deleted = await call(partner.url, 'DELETE', `/v1/installations/${icfg}/resources/${created.id}`, await partner.vercel.userToken(clientId, icfg));
    assert.equal(deleted.status, 204);
    assert.equal((await call(partner.url, 'GET', `/v1/installations/${icfg}/resources/${created.id}`, await partner.vercel.systemToken(clientId, icfg))).status, 404);
    const after = await db.selectFrom('ref_partner_resources').select('deleted_at').where('id', '=', created.id).executeTakeFirstOrThrow();
    assert.notEqual(after.deleted_at, null);

    // The sign-in pages carry one-time codes in their query: logged by path only.
    for (const page of ['/sso', '/claim']) await (await fetch(`${partner.url}${page}?code=h1-one-time-code&state=h1-state`)).text();
    await eventually('both pages logged', () => /"url":"\/claim"/.test(partner.output()));
    assert.match(partner.output(), /"url":"\/sso"/);
    assert.doesNotMatch(partner.output(), /h1-one-time-code|h1-state/);
  });

  test('the npm scripts run the fresh bundles with the flags after --', async () => {
    for (const [script, usage] of [['reference-partner', /usage: npm run reference-partner/], ['builtin-partner', /usage: npm run builtin-partner/]] as const) {
      const run = await runNpm(['run', '-s', script, '--', '--help']);
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, usage);
    }
    const bad = await runNpm(['run', '-s', 'reference-partner', '--', '--bogus']);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /Unknown option '--bogus'/);
  });

  test('--database-url keeps its tables in PostgreSQL, sealed with --encryption-key', { skip: NO_POSTGRES }, async (t) => {
    const database = await createTestDatabase('postgres');
    t.after(() => database.drop());
    const partner = await startReferencePartner(t, ['--database-url', database.url!]);
    assert.match(partner.output(), /"database":"postgres"/);
    const icfg = newIcfg();
    await install(partner, 'oac_reference', icfg, 'tok_pg');
    const created = await provision(partner, 'oac_reference', icfg, 'h1-pg-books');
    const opened = openDatabase({ kind: 'postgres', url: database.url! });
    t.after(() => opened.destroy());
    const row = await (opened.db as Kysely<any>).selectFrom('ref_partner_resources').select('secrets').where('id', '=', created.id).executeTakeFirstOrThrow();
    assert.deepEqual(openJson(createSecretBox(KEY), row.secrets, resourceSecretsContext(created.id)), created.secrets);
  });

  test('--help prints the flags and exits 0; a bad command line exits 2 and says what is wrong', async () => {
    const help = await runToExit(REFERENCE_PARTNER_BUNDLE, ['--help']);
    assert.equal(help.code, 0);
    for (const flag of ['--port', '--jwks', '--issuer', '--client-id', '--vercel-url', '--rotation', '--database-url', '--sqlite-path', '--encryption-key']) assert.ok(help.stdout.includes(flag), flag);

    const cases: Array<[string[], RegExp]> = [
      [['--bogus'], /Unknown option '--bogus'/],
      [['--port', 'abc'], /--port \(REFERENCE_PARTNER_PORT\)/],
      [['--rotation', 'later'], /--rotation \(REFERENCE_PARTNER_ROTATION\)/],
      [['--jwks', 'not a url'], /--jwks must be an http\(s\) URL/],
      [['--port'], /--port/],
      [['extra'], /unexpected argument: extra/],
      [['--database-url', 'postgres://u@h/db'], /--encryption-key \(REFERENCE_PARTNER_ENCRYPTION_KEY\): required/],
    ];
    for (const [args, message] of cases) {
      const run = await runToExit(REFERENCE_PARTNER_BUNDLE, args);
      assert.equal(run.code, 2, `${args.join(' ')}: ${run.stderr}`);
      assert.match(run.stderr, message, args.join(' '));
      assert.equal(run.stdout, '', 'nothing started, so nothing logged');
    }
  });
});

describe('npm run reference-partner -- --rotation async', () => {
  test('Request Secrets Rotation answers 202 (a replay too), then PUTs the new secrets to --vercel-url with the installation token', async (t) => {
    const partner = await startReferencePartner(t, ['--rotation', 'async']);
    const clientId = 'oac_reference';
    const icfg = newIcfg();
    const accessToken = `tok_${randomBytes(8).toString('hex')}`;
    await install(partner, clientId, icfg, accessToken);
    const created = await provision(partner, clientId, icfg, 'h1-async-db');

    const rotate = async () =>
      call(partner.url, 'POST', `/v1/installations/${icfg}/resources/${created.id}/secrets/rotate`, await partner.vercel.userToken(clientId, icfg), { reason: 'test', delayOldSecretsExpirationHours: 0 }, { 'idempotency-key': 'rot-1' });
    const first = await rotate();
    assert.equal(first.status, 202, JSON.stringify(first.body));
    assert.deepEqual(first.body, { sync: false });
    const replay = await rotate();
    assert.equal(replay.status, 202);
    assert.deepEqual(replay.body, { sync: false });

    const push = await eventually('the partner pushed the new secrets', () => partner.vercel.pushes.find((p) => p.status === 201) ?? false, { timeoutMs: 10_000 });
    assert.equal(push.installationId, icfg);
    assert.equal(push.resourceId, created.id);
    assert.equal(push.authorization, `Bearer ${accessToken}`);
    assert.equal(push.body.partial, false);
    assert.deepEqual(push.body.secrets.map((s: { name: string }) => s.name), created.secrets.map((s) => s.name));
    for (const secret of created.secrets) assert.notEqual(push.body.secrets.find((s: { name: string }) => s.name === secret.name).value, secret.value, secret.name);

    // What was pushed is what it keeps, sealed; nothing more is due, so the replay pushed nothing.
    const db = openPartnerDb(t, partner.sqlitePath);
    const row = await db.selectFrom('ref_partner_resources').selectAll().where('id', '=', created.id).executeTakeFirstOrThrow();
    assert.deepEqual(openJson(createSecretBox(KEY), row.secrets, resourceSecretsContext(created.id)), push.body.secrets);
    assert.ok(!String(row.secrets).includes(push.body.secrets[0].value), 'sealed at rest');
    await eventually('no push is due', async () => (await db.selectFrom('ref_partner_resources').select('secrets_push_due_at').where('id', '=', created.id).executeTakeFirstOrThrow()).secrets_push_due_at === null);
    assert.equal(partner.vercel.pushes.length, 1);
  });

  test('a failed push is retried with backoff; one left due by a stopped process is made by the next', async (t) => {
    const vercel = await startMiniVercel();
    t.after(() => vercel.close());
    const clientId = 'oac_reference';
    const icfg = newIcfg();
    const accessToken = `tok_${randomBytes(8).toString('hex')}`;
    let partner = await startReferencePartner(t, ['--rotation', 'async'], { vercel });
    await install(partner, clientId, icfg, accessToken);
    const created = await provision(partner, clientId, icfg, 'h1-retry-db');
    const rotatePath = `/v1/installations/${icfg}/resources/${created.id}/secrets/rotate`;

    vercel.failPushes = 2;
    assert.equal((await call(partner.url, 'POST', rotatePath, await vercel.userToken(clientId, icfg), {})).status, 202);
    await eventually('the third push succeeded', () => vercel.pushes.length === 3 && vercel.pushes[2]!.status === 201, { timeoutMs: 10_000 });
    assert.deepEqual(vercel.pushes.map((p) => p.status), [500, 500, 201]);
    assert.ok(vercel.pushes.every((p) => p.authorization === `Bearer ${accessToken}`));
    assert.match(partner.output(), /could not push rotated secrets; retrying/);
    assert.doesNotMatch(partner.output(), new RegExp(vercel.pushes[2]!.body.secrets[0].value), 'no secret value is logged');

    // Vercel fails every push; the process stops after the first failure, with the push still due.
    vercel.failPushes = 1_000;
    assert.equal((await call(partner.url, 'POST', rotatePath, await vercel.userToken(clientId, icfg), {})).status, 202);
    await eventually('a push failed', () => vercel.pushes.length >= 4);
    assert.equal(await partner.stop(), 0);
    const db = openPartnerDb(t, partner.sqlitePath);
    const due = await db.selectFrom('ref_partner_resources').select(['secrets_push_due_at', 'secrets', 'secrets_push_attempts']).where('id', '=', created.id).executeTakeFirstOrThrow();
    assert.notEqual(due.secrets_push_due_at, null, 'the push is still due when the process stops');
    assert.ok(Number(due.secrets_push_attempts) < 5);

    vercel.failPushes = 0;
    const before = vercel.pushes.length;
    partner = await startReferencePartner(t, ['--rotation', 'async'], { vercel, sqlitePath: partner.sqlitePath });
    const pushed = await eventually('the restarted partner pushed', () => vercel.pushes.slice(before).find((p) => p.status === 201) ?? false, { timeoutMs: 10_000 });
    assert.deepEqual(pushed.body.secrets, openJson(createSecretBox(KEY), due.secrets, resourceSecretsContext(created.id)));
  });
});
