import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { startBuiltTestServer, type BuiltTestServer as TestServer } from '../helpers/built-server.js';
import { bootstrapInstallationId, createProject, createStore } from '../helpers/stores.js';
import { runVercel, type CliResult } from '../helpers/vercel-cli.js';

/**
 * `vercel integration update` (CLI 58.4.4) against the bundle `npm start` runs: `--plan` to the
 * reference partner's installation-level plans (`team`, paid; `hobby`, free), a declined card, an
 * unknown plan, and `--projects`. The CLI runs `--non-interactive`, so it prints its JSON answer.
 * Each run is checked for its exit code, its output and the rows: the installation, the ledger and
 * the partner's own record. One SQLite server; test/http/installation-updates.test.ts covers both
 * dialects and the partner's refusals.
 */

function assertExit(result: CliResult, code: number): void {
  assert.equal(result.code, code, `exit ${result.code}, expected ${code}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`);
}

/** A failure as the CLI prints it with `--non-interactive`: JSON on stdout, the API's message in `message`. */
function assertApiFailure(result: CliResult, message: RegExp): void {
  assertExit(result, 1);
  const printed = JSON.parse(result.stdout);
  assert.equal(printed.status, 'error');
  assert.equal(printed.reason, 'api_error');
  assert.match(printed.message, message);
}

async function installationState(server: TestServer, icfg: string) {
  const db = server.stockroom.ctx.db;
  const row = await db.selectFrom('installations').select(['billing_plan', 'allowed_projects']).where('id', '=', icfg).executeTakeFirstOrThrow();
  const partner = await (db as any).selectFrom('ref_partner_installations').select('billing_plan_id').where('id', '=', icfg).executeTakeFirstOrThrow();
  const ledger = await db.selectFrom('ledger_entries').select(['kind', 'amount_cents', 'billing_plan_id', 'store_id']).orderBy('created_at').orderBy('kind').execute();
  return {
    plan: row.billing_plan === null ? null : (JSON.parse(row.billing_plan).id as string),
    allowedProjects: row.allowed_projects === null ? null : (JSON.parse(row.allowed_projects) as string[]),
    partnerPlan: partner.billing_plan_id as string | null,
    ledger,
  };
}

// Six CLI runs of 3–5 s each; the bound leaves room for a loaded machine.
test('vercel integration update against Stockroom', { timeout: 300_000 }, async (t) => {
  const server = await startBuiltTestServer(t, 'sqlite');
  const work = mkdtempSync(join(tmpdir(), 'stockroom-cli-update-'));
  t.after(() => rmSync(work, { recursive: true, force: true }));
  const teamId: string = (await server.request('GET', '/v2/user')).body.user.defaultTeamId;
  const icfg = await bootstrapInstallationId(server);
  const web = await createProject(server, 'web');
  const docs = await createProject(server, 'docs');
  mkdirSync(join(work, '.vercel'), { recursive: true });
  writeFileSync(join(work, '.vercel', 'project.json'), JSON.stringify({ projectId: web.id, orgId: teamId }));
  const vercel = (args: readonly string[]) => runVercel(['integration', 'update', 'acme', ...args], { cwd: work, apiUrl: server.url, token: server.token });

  await t.test('--plan team (paid): the card is checked and charged, the partner moves the installation, the plan is recorded', async () => {
    const result = await vercel(['--plan', 'team']);
    assertExit(result, 0);
    assert.deepEqual(JSON.parse(result.stdout), { integration: 'acme', configurationId: icfg, updated: true, billingPlanId: 'team' });
    const state = await installationState(server, icfg);
    assert.equal(state.plan, 'team');
    assert.equal(state.partnerPlan, 'team');
    assert.deepEqual(state.ledger, [
      { kind: 'authorization', amount_cents: 1000, billing_plan_id: 'team', store_id: null },
      { kind: 'charge', amount_cents: 5000, billing_plan_id: 'team', store_id: null },
    ]);
  });

  await t.test('--plan hobby (free) --format json: moved, nothing charged', async () => {
    const result = await vercel(['--plan', 'hobby', '--format', 'json']);
    assertExit(result, 0);
    assert.equal(JSON.parse(result.stdout).billingPlanId, 'hobby');
    const state = await installationState(server, icfg);
    assert.equal(state.plan, 'hobby');
    assert.equal(state.partnerPlan, 'hobby');
    assert.equal(state.ledger.length, 2, 'no new ledger row');
  });

  await t.test('--plan team with a declining default card: exit 1 with the decline, nothing charged, the plan unchanged here and at the partner', async () => {
    const set = await server.request('PUT', '/stockroom/v1/payment-methods/default', { body: { paymentMethodId: 'pm_card_chargeDeclined' } });
    assert.equal(set.status, 200, set.text);
    const result = await vercel(['--plan', 'team']);
    await server.request('PUT', '/stockroom/v1/payment-methods/default', { body: { paymentMethodId: 'pm_card_visa' } });
    assertApiFailure(result, /^Failed to update acme: Your card was declined\.$/);
    const state = await installationState(server, icfg);
    assert.equal(state.plan, 'hobby');
    assert.equal(state.partnerPlan, 'hobby');
    assert.equal(state.ledger.length, 2, 'nothing charged or authorized');
  });

  await t.test('--plan platinum (no such plan): exit 1 naming the installation-level plans', async () => {
    const result = await vercel(['--plan', 'platinum']);
    assertApiFailure(result, /^Failed to update acme: Billing plan "platinum" is not offered to the integration configuration icfg_\w+\. Installation-level plans: "hobby" \(Hobby\), "team" \(Team\)\./);
    assert.equal((await installationState(server, icfg)).plan, 'hobby');
  });

  await t.test('--projects <web>: stored; connecting a store to another project is then refused (403)', async () => {
    const store = await createStore(server, icfg, 'cli-update-db');
    const result = await vercel(['--projects', web.id]);
    assertExit(result, 0);
    assert.deepEqual(JSON.parse(result.stdout), { integration: 'acme', configurationId: icfg, updated: true, projects: [web.id] });
    assert.deepEqual((await installationState(server, icfg)).allowedProjects, [web.id]);
    const refused = await server.request('POST', `/v1/storage/stores/${store.id}/connections`, { body: { projectId: docs.id } });
    assert.equal(refused.status, 403, refused.text);
    assert.equal(refused.body.error.code, 'forbidden');
    assert.equal((await server.request('POST', `/v1/storage/stores/${store.id}/connections`, { body: { projectId: web.id } })).status, 200);
    const connections = await server.stockroom.ctx.db.selectFrom('store_connections').select('project_id').where('store_id', '=', store.id).execute();
    assert.deepEqual(connections, [{ project_id: web.id }]);
  });

  await t.test('--projects prj_unknown: exit 1, the list unchanged', async () => {
    const result = await vercel(['--projects', 'prj_unknown']);
    assertApiFailure(result, /^Failed to update acme: Not projects of this team: prj_unknown\./);
    assert.deepEqual((await installationState(server, icfg)).allowedProjects, [web.id]);
  });
});
