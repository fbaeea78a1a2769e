import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { DEFAULT_OUTFILE, staleness, bundlesOf } from '../../scripts/build-inputs.mjs';
import { freePort } from '../helpers/free-port.js';
import { FIXTURE_PRODUCT, startFixturePartner, type FixturePartnerOptions, type VercelCall } from './fixture-partner.js';

// `stockroom check-partner` as people run it (the bundle, a child process, --json) against the
// fixture partner: conformant, it passes every check; with one departure switched on, exactly the
// check(s) that name that departure fail, and nothing else does (issue 16, "Done means").

/** The checker's bundle, which the build writes beside the server's (scripts/build.mjs). */
const CHECKER = bundlesOf(DEFAULT_OUTFILE).find((b) => b.outfile.endsWith('/check-partner.mjs'))!.outfile;
const CLIENT_ID = 'oac_fixture';

interface Finding {
  readonly message: string;
  readonly expected: unknown;
  readonly exchange?: { request: { method: string; url: string; headers: Record<string, string>; body: any }; response: { status: number; headers: Record<string, string>; body: any; durationMs: number } | { error: string } };
}
interface Check {
  readonly id: string;
  readonly outcome: 'pass' | 'fail' | 'warn' | 'skip';
  readonly durationMs: number;
  readonly failures: Finding[];
  readonly warnings: Finding[];
}
interface Report {
  readonly tool: string;
  readonly summary: { passed: number; failed: number; warned: number; skipped: number };
  readonly checks: Check[];
}

interface Run {
  readonly exitCode: number | null;
  readonly report: Report;
  readonly stdout: string;
  readonly stderr: string;
  /** Every secret value the fixture handed out during the run. */
  readonly secretValues: readonly string[];
  readonly vercelCalls: ReadonlyArray<VercelCall>;
}

/** One checker run against a fresh fixture partner with `options`; the partner is closed after. */
async function check(options: Partial<FixturePartnerOptions>, extraArgs: string[] = []): Promise<Run> {
  const port = await freePort();
  const checkerUrl = `http://127.0.0.1:${port}`;
  const partner = await startFixturePartner({ jwksUrl: `${checkerUrl}/.well-known/jwks.json`, issuer: checkerUrl, clientId: CLIENT_ID, vercelUrl: checkerUrl, ...options });
  const dir = mkdtempSync(join(tmpdir(), 'check-partner-test-'));
  try {
    const args = ['--url', partner.url, '--client-id', CLIENT_ID, '--product', FIXTURE_PRODUCT, '--jwks-port', String(port), '--key-file', join(dir, 'key.json'), '--json', ...extraArgs];
    const child = spawn(process.execPath, [CHECKER, ...args], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const [exitCode] = (await once(child, 'exit')) as [number | null];
    let report: Report;
    try {
      report = JSON.parse(stdout) as Report;
    } catch {
      assert.fail(`the checker's stdout is not a JSON report (exit ${exitCode}).\nstdout: ${stdout}\nstderr: ${stderr}`);
    }
    return { exitCode, report, stdout, stderr, secretValues: [...partner.issuedSecretValues], vercelCalls: [...partner.vercelCalls] };
  } finally {
    await partner.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const failedIds = (run: Run) => run.report.checks.filter((c) => c.outcome === 'fail').map((c) => c.id).sort();
const outcomeOf = (run: Run, id: string) => run.report.checks.find((c) => c.id === id)?.outcome;

/** What a failed assertion shows: each failed check's first finding. */
function describeFailures(run: Run): string {
  const failed = run.report.checks.filter((c) => c.outcome === 'fail');
  return JSON.stringify(failed.map((c) => ({ id: c.id, finding: c.failures[0] })), null, 2);
}

/** No secret value the fixture handed out appears in what the checker printed (report or progress). */
function assertNoSecretShown(run: Run): void {
  assert.ok(run.secretValues.length > 0, 'the fixture handed out secrets during the run');
  for (const value of run.secretValues) {
    assert.ok(!run.stdout.includes(value), `the JSON report shows the secret value ${value.slice(0, 4)}…`);
    assert.ok(!run.stderr.includes(value), `the terminal output shows the secret value ${value.slice(0, 4)}…`);
  }
}

function assertOnlyFailures(run: Run, expected: string[]): void {
  assert.deepEqual(failedIds(run), [...expected].sort(), describeFailures(run));
  assert.equal(run.report.summary.failed, expected.length);
  assert.equal(run.exitCode, expected.length === 0 ? 0 : 1, run.stderr);
  assertNoSecretShown(run);
}

const MASKED = /^\*{4}\(\d+ chars\)$/;

before(() => {
  const why = staleness(DEFAULT_OUTFILE);
  assert.ok(why === undefined, `The checker's bundle is not usable: ${why}.\nRun \`npm run build\` first (\`npm test\` does), then run the tests again.`);
});

const idsWith = (run: Run, outcome: Check['outcome']) => run.report.checks.filter((c) => c.outcome === outcome).map((c) => c.id);

describe('check-partner against a conformant partner', { concurrency: true }, () => {
  test('synchronous rotation: every check passes without a warning, exit code 0', async () => {
    const run = await check({ rotation: 'sync' });
    assertOnlyFailures(run, []);
    assert.equal(run.report.tool, 'stockroom check-partner');
    assert.deepEqual(idsWith(run, 'warn'), [], JSON.stringify(run.report.checks.flatMap((c) => c.warnings)));
    assert.deepEqual(idsWith(run, 'skip'), ['update-installation-plan', 'rotate-secrets-async'], 'every other check ran (the fixture has no installation-level plans)');
    assert.equal(run.report.checks.length, 29);
  });

  test('asynchronous rotation: the secrets PUT is awaited, every check passes', async () => {
    const run = await check({ rotation: 'async' });
    assertOnlyFailures(run, []);
    assert.deepEqual(idsWith(run, 'warn'), [], JSON.stringify(run.report.checks.flatMap((c) => c.warnings)));
    assert.deepEqual(idsWith(run, 'skip'), ['update-installation-plan']);
    assert.deepEqual(run.vercelCalls.map((c) => `${c.method} ${c.status}`), ['PUT 201'], 'the stand-in Vercel took the rotated secrets');
  });

  test('resources pending for 2 s become ready within the deadline', async () => {
    const run = await check({ pendingFor: 2000 }, ['--ready-timeout-ms', '10000']);
    assertOnlyFailures(run, []);
    assert.equal(outcomeOf(run, 'ready-within-deadline'), 'pass');
    const readyCheck = run.report.checks.find((c) => c.id === 'ready-within-deadline');
    assert.ok(readyCheck && readyCheck.durationMs >= 250, 'the checker waited for the pending resources');
    assert.deepEqual(run.vercelCalls.map((c) => `${c.method} ${c.status}`), ['POST 201', 'POST 201'], 'each resource was announced ready');
  });

  // The partner turns the status first and tells Vercel after: the checker waits a moment for the
  // event in flight instead of calling it missing.
  test('a resource.updated event that follows the ready status by 300 ms is no warning', async () => {
    const run = await check({ pendingFor: 2000, readyEventDelayMs: 300 }, ['--ready-timeout-ms', '10000']);
    assertOnlyFailures(run, []);
    assert.deepEqual(run.vercelCalls.map((c) => `${c.method} ${c.status}`), ['POST 201', 'POST 201'], 'each resource was announced ready');
    assert.equal(outcomeOf(run, 'ready-within-deadline'), 'pass', JSON.stringify(run.report.checks.find((c) => c.id === 'ready-within-deadline')?.warnings.map((w) => w.message)));
  });
});

test('a partner that never announces readiness passes ready-within-deadline with a warning, and nothing else warns', async () => {
  const run = await check({ pendingFor: 2000, silentWhenReady: true }, ['--ready-timeout-ms', '10000', '--callback-timeout-ms', '1000']);
  assertOnlyFailures(run, []);
  assert.deepEqual(idsWith(run, 'warn'), ['ready-within-deadline']);
  const warnings = run.report.checks.find((c) => c.id === 'ready-within-deadline')?.warnings.map((w) => w.message) ?? [];
  assert.equal(warnings.length, 2, 'one per pending resource');
  for (const message of warnings) assert.match(message, /became ready without a resource\.updated event/);
  assert.deepEqual(run.vercelCalls, []);
});

const DEPARTURES: ReadonlyArray<{ readonly name: keyof FixturePartnerOptions; readonly fails: string[]; readonly args?: string[] }> = [
  { name: 'ignoresIdempotencyKey', fails: ['provision-idempotent'] },
  { name: 'acceptsExpiredTokens', fails: ['refuse-expired-token'] },
  { name: 'unknownKid500', fails: ['refuse-unknown-key'] },
  { name: 'omitsSecrets', fails: ['provision-free', 'provision-paid'] },
  { name: 'wrongStatusCodes', fails: ['provision-unknown-plan', 'get-resource-unknown'] },
  { name: 'nonStandardErrorBodies', fails: ['error-bodies'] },
  { name: 'neverReady', fails: ['ready-within-deadline'], args: ['--ready-timeout-ms', '1500'] },
  { name: 'secretsAsMap', fails: ['provision-free', 'provision-paid'] },
];

describe('check-partner against a partner with one departure', { concurrency: true }, () => {
  for (const departure of DEPARTURES) {
    test(`${departure.name}: exactly ${departure.fails.join(' and ')} fail(s), exit code 1`, async () => {
      const run = await check({ [departure.name]: true }, departure.args);
      assertOnlyFailures(run, departure.fails);
      for (const id of departure.fails) {
        const failures = run.report.checks.find((c) => c.id === id)?.failures ?? [];
        assert.ok(failures.length > 0 && failures.every((f) => typeof f.message === 'string' && f.message !== '' && f.expected !== undefined), `${id} names what it expected`);
      }
    });
  }

  test("a failure's finding shows the request sent and the answer got, secrets masked", async () => {
    const run = await check({ wrongStatusCodes: true });
    const finding = run.report.checks.find((c) => c.id === 'provision-unknown-plan')?.failures[0];
    assert.ok(finding?.exchange, describeFailures(run));
    const { request, response } = finding.exchange;
    assert.equal(request.method, 'POST');
    assert.match(request.url, /^http:\/\/127\.0\.0\.1:\d+\/v1\/installations\/[^/]+\/resources$/);
    assert.equal(request.body.billingPlanId, 'srcheck-no-such-plan');
    const authorization = Object.entries(request.headers).find(([name]) => name.toLowerCase() === 'authorization')?.[1];
    assert.match(String(authorization), /^(Bearer )?\*{4}\(\d+ chars\)$/, 'the token is masked');
    assert.ok('status' in response);
    assert.equal(response.status, 404);
    assert.equal(response.body.error.code, 'not_found');
  });

  test('an asynchronous rotation whose secrets never come fails rotate-secrets-async, and only it', async () => {
    const run = await check({ rotation: 'async', neverPushes: true }, ['--callback-timeout-ms', '1000']);
    assertOnlyFailures(run, ['rotate-secrets-async']);
    assert.match(run.report.checks.find((c) => c.id === 'rotate-secrets-async')!.failures[0]!.message, /no Update Resource Secrets call .* within 1000 ms/);
  });

  test('secrets sent as a map: the failure names the shape, never a value', async () => {
    const run = await check({ secretsAsMap: true });
    const messages = run.report.checks.find((c) => c.id === 'provision-free')!.failures.map((f) => f.message);
    assert.ok(messages.includes('secrets must be an array of {name, value}, is an object with keys DATABASE_URL, DATABASE_PASSWORD'), messages.join('\n'));
    assertNoSecretShown(run);
  });

  test('a token quoted back in an error message is a warning, and is masked in every report', async () => {
    const run = await check({ echoesToken: true });
    assertOnlyFailures(run, []);
    assert.deepEqual(idsWith(run, 'warn'), ['error-bodies']);
    const jwt = /eyJ[\w-]{10,}\.[\w-]{10,}\.[\w-]{10,}/;
    assert.doesNotMatch(run.stdout, jwt, 'no token in the JSON report');
    assert.doesNotMatch(run.stderr, jwt, 'no token in the terminal output');
  });

  test("a replayed provision's finding shows both answers' secrets masked", async () => {
    const run = await check({ ignoresIdempotencyKey: true });
    const finding = run.report.checks.find((c) => c.id === 'provision-idempotent')?.failures[0];
    assert.ok(finding?.exchange && 'status' in finding.exchange.response, describeFailures(run));
    const secrets: Array<{ name: string; value: string }> = finding.exchange.response.body.secrets;
    assert.deepEqual(secrets.map((s) => s.name), ['DATABASE_URL', 'DATABASE_PASSWORD']);
    for (const secret of secrets) assert.match(secret.value, MASKED);
    assertNoSecretShown(run);
  });
});
