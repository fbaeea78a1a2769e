import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test, type TestContext } from 'node:test';
import { Redis } from 'ioredis';
import pg from 'pg';
import { openDatabase } from '../../src/db/database.js';
import { ROOT } from '../../scripts/build-inputs.mjs';
import { assertFreshBuild } from '../helpers/built-server.js';
import { PG_ADMIN_URL, REDIS_ADMIN_URL } from '../providers-real/real-stores.js';
import { freePort } from '../helpers/free-port.js';
import { BUILTIN_PARTNER_BUNDLE, REFERENCE_PARTNER_BUNDLE, startStandalone } from '../standalone-partners/standalone.js';

/*
 * `stockroom check-partner` against Stockroom's own three partners, each started alone as an
 * outside partner runs (its own process, port and database, trusting the checker's JWKS), and the
 * checker run as people run it: `npx stockroom check-partner`, through the package's bin.
 */

interface CheckerRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly report: any;
}

/** Runs `npx stockroom check-partner … --json` to its end. */
async function runChecker(args: readonly string[]): Promise<CheckerRun> {
  assertFreshBuild();
  const child = spawn('npx', ['--offline', 'stockroom', 'check-partner', ...args, '--json'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  let report: unknown;
  try {
    report = JSON.parse(stdout);
  } catch {
    assert.fail(`the checker printed no JSON report (exit ${code}):\n${stdout}\n${stderr}`);
  }
  return { code, stdout, stderr, report };
}

/**
 * The package's bin (what npx runs) in its own process group, sending SIGINT to the whole group, as
 * Ctrl-C in a terminal does, once stderr matches `interrupt`. Not through npx itself: npm dies of
 * the SIGINT at once (the shell gets its prompt back) while the checker goes on to clean up, so
 * only the bin's exit waits for the cleanup and carries its exit code.
 */
async function runCheckerInGroup(args: readonly string[], interrupt: RegExp): Promise<CheckerRun> {
  assertFreshBuild();
  const child = spawn(process.execPath, [join(ROOT, 'bin', 'stockroom.mjs'), 'check-partner', ...args, '--json'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let stdout = '';
  let stderr = '';
  let interrupted = false;
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    if (!interrupted && interrupt.test(stderr)) {
      interrupted = true;
      process.kill(-child.pid!, 'SIGINT');
    }
  });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  assert.ok(interrupted, `the run never reached ${interrupt}:\n${stderr}`);
  return { code, stdout, stderr, report: JSON.parse(stdout) };
}

const failuresOf = (run: CheckerRun) =>
  run.report.checks.filter((c: any) => c.outcome === 'fail').map((c: any) => `${c.id}: ${c.failures.map((f: any) => f.message).join('; ')}`);
const idsWith = (run: CheckerRun, outcome: string) => run.report.checks.filter((c: any) => c.outcome === outcome).map((c: any) => c.id);

/** A directory for one test's databases and key file, removed afterwards. */
function scratch(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'check-partner-own-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** The reference partner alone, trusting the checker's JWKS on `jwksPort`; its billing jobs off. */
async function startReferencePartner(t: TestContext, dir: string, jwksPort: number, extra: readonly string[] = []): Promise<{ url: string; sqlitePath: string }> {
  const sqlitePath = join(dir, 'reference-partner.db');
  const partner = await startStandalone(t, REFERENCE_PARTNER_BUNDLE, ['--port', '0', '--jwks', `http://127.0.0.1:${jwksPort}/.well-known/jwks`, '--sqlite-path', sqlitePath, '--job-interval-ms', '0', ...extra]);
  return { url: partner.url, sqlitePath };
}

/** The reference partner's own rows: every resource, and those not deleted. */
async function referenceResources(sqlitePath: string): Promise<{ all: number; live: Array<{ name: string }> }> {
  const database = openDatabase({ kind: 'sqlite', path: sqlitePath });
  try {
    const rows = await database.db.selectFrom('ref_partner_resources' as never).select(['name', 'deleted_at'] as never[]).execute();
    const typed = rows as unknown as Array<{ name: string; deleted_at: number | null }>;
    return { all: typed.length, live: typed.filter((r) => r.deleted_at === null).map((r) => ({ name: r.name })) };
  } finally {
    await database.destroy();
  }
}

const REFERENCE_ARGS = ['--client-id', 'oac_reference', '--product', 'acme-db'];

describe('check-partner against the reference partner, run alone', { concurrency: true }, () => {
  test('synchronous rotation: every check passes, JSON and JUnit agree, and nothing is left at the partner', async (t) => {
    const dir = scratch(t);
    const jwksPort = await freePort();
    const partner = await startReferencePartner(t, dir, jwksPort);
    const junit = join(dir, 'report.xml');
    const run = await runChecker(['--url', partner.url, ...REFERENCE_ARGS, '--metadata', '{"region":"fra1"}', '--jwks-port', String(jwksPort), '--key-file', join(dir, 'key.json'), '--junit', junit]);

    assert.deepEqual(failuresOf(run), []);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(idsWith(run, 'skip'), ['rotate-secrets-async'], 'every other check ran');
    assert.deepEqual(idsWith(run, 'warn'), [], JSON.stringify(run.report.checks.flatMap((c: any) => c.warnings)));
    assert.equal(run.report.checks.length, 29);
    assert.equal(run.report.partner.product, 'acme-db');
    assert.match(run.stderr, /PASS {2}provision-idempotent/, 'progress is written to standard error with --json');

    const xml = readFileSync(junit, 'utf8');
    assert.equal((xml.match(/<testcase /g) ?? []).length, 29);
    assert.match(xml, /<testsuites name="stockroom check-partner" tests="29" failures="0" skipped="1"/);

    // The life created a free and a paid resource (and tried one more that was refused); all are gone.
    const rows = await referenceResources(partner.sqlitePath);
    assert.equal(rows.all, 2, 'two resources were provisioned, the unknown plan none, the replay none');
    assert.deepEqual(rows.live, []);
  });

  test('asynchronous rotation: the partner pushes the new secrets to the checker, which awaits them', async (t) => {
    const dir = scratch(t);
    const jwksPort = await freePort();
    // The partner calls "Vercel" back at its issuer's origin: the checker.
    const partner = await startReferencePartner(t, dir, jwksPort, ['--rotation', 'async']);
    const run = await runChecker(['--url', partner.url, ...REFERENCE_ARGS, '--metadata', '{"region":"iad1"}', '--jwks-port', String(jwksPort), '--key-file', join(dir, 'key.json')]);
    assert.deepEqual(failuresOf(run), []);
    assert.equal(run.code, 0);
    assert.deepEqual(idsWith(run, 'skip'), []);
    assert.equal(run.report.checks.find((c: any) => c.id === 'rotate-secrets-async').outcome, 'pass');
  });

  test('a pending resource: the checker waits for ready; Ctrl-C while it waits skips the rest and still deletes everything', async (t) => {
    const dir = scratch(t);
    const jwksPort = await freePort();
    const partner = await startReferencePartner(t, dir, jwksPort);
    // Pending for ten minutes: the run is stopped long before.
    const metadata = JSON.stringify({ region: 'iad1', testing_initial_status: 'pending', testing_ready_after_ms: 600_000 });
    const run = await runCheckerInGroup(['--url', partner.url, ...REFERENCE_ARGS, '--metadata', metadata, '--jwks-port', String(jwksPort), '--key-file', join(dir, 'key.json')], /get-resource-unknown/);

    assert.equal(run.code, 130);
    assert.match(run.stderr, /SIGINT: stopping; deleting what the run created/);
    const skipped = run.report.checks.filter((c: any) => c.skipReason === 'the run was stopped').map((c: any) => c.id);
    assert.ok(skipped.includes('delete-resource') && skipped.includes('refuse-no-token'), `the checks after the stop are skipped: ${skipped}`);
    assert.equal(run.report.cleanup.kept, false);
    assert.deepEqual(run.report.cleanup.failed, []);
    assert.equal(run.report.cleanup.deleted.filter((what: string) => what.startsWith('resource ')).length, 2, JSON.stringify(run.report.cleanup));
    assert.equal(run.report.cleanup.deleted.filter((what: string) => what.startsWith('installation ')).length, 2);
    const rows = await referenceResources(partner.sqlitePath);
    assert.equal(rows.all, 2);
    assert.deepEqual(rows.live, [], 'nothing the run created is left at the partner');
  });

  test('--keep leaves the resources and installations, says so, and skips only the deleting checks', async (t) => {
    const dir = scratch(t);
    const jwksPort = await freePort();
    const partner = await startReferencePartner(t, dir, jwksPort);
    const run = await runChecker(['--url', partner.url, ...REFERENCE_ARGS, '--metadata', '{"region":"iad1"}', '--jwks-port', String(jwksPort), '--key-file', join(dir, 'key.json'), '--keep', '--prefix', 'kept']);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(idsWith(run, 'skip').sort(), ['delete-installation', 'delete-resource', 'rotate-secrets-async']);
    assert.equal(run.report.cleanup.kept, true);
    assert.equal(run.report.cleanup.left.length, 4, JSON.stringify(run.report.cleanup));
    assert.match(run.stderr, /--keep: left for inspection: resource /);
    const rows = await referenceResources(partner.sqlitePath);
    assert.equal(rows.live.length, 2);
    for (const row of rows.live) assert.match(row.name, /^kept-[0-9a-f]{8}-(free|paid)(-renamed)?$/);
  });
});

/** The built-in real provider alone, trusting the checker's JWKS, keeping its books in `<dir>/<provider>.db`. */
async function startBuiltin(t: TestContext, dir: string, provider: 'postgres' | 'redis', adminUrl: string, jwksPort: number): Promise<string> {
  const partner = await startStandalone(t, BUILTIN_PARTNER_BUNDLE, [provider, '--admin-url', adminUrl, '--port', '0', '--jwks', `http://127.0.0.1:${jwksPort}/.well-known/jwks`, '--sqlite-path', join(dir, `${provider}.db`)]);
  return partner.url;
}

/**
 * What the provider made on the real server, from its own books: each resource's handle (the
 * database or ACL user `sr_…`) and each credential's login. Read from its records rather than by
 * listing the server, which other test files share.
 */
async function madeOnServer(dir: string, provider: 'postgres' | 'redis'): Promise<{ handles: string[]; logins: string[] }> {
  const prefix = provider === 'postgres' ? 'pg_provider_' : 'redis_provider_';
  const database = openDatabase({ kind: 'sqlite', path: join(dir, `${provider}.db`) });
  try {
    const resources = (await database.db.selectFrom(`${prefix}resources` as never).select('handle' as never).execute()) as unknown as Array<{ handle: string }>;
    const credentials = (await database.db.selectFrom(`${prefix}credentials` as never).select('login' as never).execute()) as unknown as Array<{ login: string }>;
    return { handles: resources.map((r) => r.handle), logins: credentials.map((c) => c.login) };
  } finally {
    await database.destroy();
  }
}

describe('check-partner against the built-in real providers, run alone', { concurrency: true }, () => {
  test('PostgreSQL: every check passes, and every database it made is dropped', { skip: PG_ADMIN_URL ? false : 'TEST_POSTGRES_ADMIN_URL is not set' }, async (t) => {
    const dir = scratch(t);
    const jwksPort = await freePort();
    const url = await startBuiltin(t, dir, 'postgres', PG_ADMIN_URL!, jwksPort);
    const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
    await admin.connect();
    t.after(() => admin.end());

    const run = await runChecker(['--url', url, '--client-id', 'oac_stockroomPostgres', '--product', 'postgres', '--jwks-port', String(jwksPort), '--key-file', join(dir, 'key.json')]);
    assert.deepEqual(failuresOf(run), []);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(idsWith(run, 'skip'), ['update-installation-plan', 'rotate-secrets-async'], 'no installation-level plans: billed per resource');
    assert.deepEqual(idsWith(run, 'warn'), [], JSON.stringify(run.report.checks.flatMap((c: any) => c.warnings)));
    const made = await madeOnServer(dir, 'postgres');
    assert.equal(made.handles.length, 2, 'a free and a paid database were made');
    assert.ok(made.logins.length >= 3, 'one login each, and one more for the rotation');
    const left = await admin.query('SELECT datname FROM pg_database WHERE datname = ANY($1)', [made.handles]);
    assert.deepEqual(left.rows, [], 'the databases were dropped');
    const roles = await admin.query('SELECT rolname FROM pg_roles WHERE rolname = ANY($1)', [[...made.handles, ...made.logins]]);
    assert.deepEqual(roles.rows, [], 'and their roles');
  });

  test('Redis: every check passes, and every ACL user it made is removed', { skip: REDIS_ADMIN_URL ? false : 'TEST_REDIS_ADMIN_URL is not set' }, async (t) => {
    const dir = scratch(t);
    const jwksPort = await freePort();
    const url = await startBuiltin(t, dir, 'redis', REDIS_ADMIN_URL!, jwksPort);
    const admin = new Redis(REDIS_ADMIN_URL!, { lazyConnect: true, maxRetriesPerRequest: 1 });
    await admin.connect();
    t.after(() => admin.quit());

    const run = await runChecker(['--url', url, '--client-id', 'oac_stockroomRedis', '--product', 'redis', '--jwks-port', String(jwksPort), '--key-file', join(dir, 'key.json')]);
    assert.deepEqual(failuresOf(run), []);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(idsWith(run, 'skip'), ['update-installation-plan', 'rotate-secrets-async'], 'no installation-level plans: billed per resource');
    const made = await madeOnServer(dir, 'redis');
    assert.equal(made.handles.length, 2, 'a free and a paid ACL user were made');
    const users = (await admin.call('ACL', 'USERS')) as string[];
    assert.deepEqual(users.filter((u) => made.handles.includes(u) || made.logins.includes(u)), [], 'the ACL users were removed');
  });
});
