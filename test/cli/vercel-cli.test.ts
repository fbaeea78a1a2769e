import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createTeam } from '../helpers/accounts.js';
import { startBuiltTestServer, type BuiltTestServer as TestServer } from '../helpers/built-server.js';
import { bootstrapInstallationId, createProject } from '../helpers/stores.js';
import { runVercel, type CliResult } from '../helpers/vercel-cli.js';

/**
 * The real `vercel` CLI (pinned 58.4.4) as a client of a running Stockroom (the bundle `npm start` runs): `vercel api` on the
 * direct endpoint, `vercel integration add` end to end (auto-provision, connect to the linked
 * project, env pull into .env.local), `vercel integration list`, removing a store and uninstalling. Each step
 * checks what the CLI printed, its exit code, and then the database. One server (SQLite) for the
 * file: the CLI is slow to start, and the HTTP suites cover every dialect.
 */

async function storeRow(server: TestServer, name: string) {
  return server.stockroom.ctx.db.selectFrom('stores').selectAll().where('name', '=', name).orderBy('created_at', 'desc').executeTakeFirst();
}

function assertExit(result: CliResult, code: number): void {
  assert.equal(result.code, code, `exit ${result.code}, expected ${code}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`);
}

/** `KEY="value"` lines of a dotenv file. */
function parseDotenv(text: string): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const match = /^([A-Z0-9_]+)="(.*)"$/.exec(line.trim());
    if (match?.[1] !== undefined && match[2] !== undefined) vars[match[1]] = match[2];
  }
  return vars;
}

// Eight CLI runs of 3–5 s each on a quiet machine; on a loaded one (seen: load 13 on 2 cores) each took
// 9–20 s, so the bound leaves room for that rather than failing a correct run.
test('the vercel CLI against Stockroom', { timeout: 300_000 }, async (t) => {
  const server = await startBuiltTestServer(t, 'sqlite');
  const work = mkdtempSync(join(tmpdir(), 'stockroom-cli-'));
  t.after(() => rmSync(work, { recursive: true, force: true }));
  const teamId: string = (await server.request('GET', '/v2/user')).body.user.defaultTeamId;
  const teamSlug: string = (await server.request('GET', `/v2/teams/${teamId}`)).body.slug;
  const icfg = await bootstrapInstallationId(server);

  // A directory linked to a project, as `vercel link` leaves it.
  const project = await createProject(server, 'web');
  const linked = join(work, 'web');
  mkdirSync(join(linked, '.vercel'), { recursive: true });
  writeFileSync(join(linked, '.vercel', 'project.json'), JSON.stringify({ projectId: project.id, orgId: teamId }));
  const unlinked = join(work, 'elsewhere');
  mkdirSync(unlinked);
  const vercel = (args: readonly string[], cwd = linked) => runVercel(args, { cwd, apiUrl: server.url, token: server.token });

  await t.test('vercel api creates a store on the direct endpoint and prints it (--scope reads /v1/teams)', async () => {
    const result = await vercel(
      ['api', '/v1/storage/stores/integration/direct', '-X', 'POST', '-F', 'name=cli-direct', '-F', `integrationConfigurationId=${icfg}`, '-F', 'integrationProductIdOrSlug=acme-db', '-F', 'metadata={"region":"iad1"}', '--scope', teamSlug],
      unlinked,
    );
    assertExit(result, 0);
    const { store } = JSON.parse(result.stdout);
    assert.equal(store.name, 'cli-direct');
    assert.equal(store.status, 'available');
    assert.equal(store.billingPlan.id, 'free');
    assert.deepEqual(store.secrets.map((s: { name: string }) => s.name), ['ACME_DB_URL', 'ACME_DB_TOKEN']);
    const row = await storeRow(server, 'cli-direct');
    assert.equal(row?.id, store.id);
    assert.equal(row?.team_id, teamId);
    assert.equal(row?.lifecycle, 'live');
  });

  await t.test('vercel api prints an error as "Error: <message> (<status>)" and exits 1; nothing is stored', async () => {
    const result = await vercel(
      ['api', '/v1/storage/stores/integration/direct', '-X', 'POST', '-F', 'name=cli-unpaid', '-F', `integrationConfigurationId=${icfg}`, '-F', 'integrationProductIdOrSlug=acme-db', '-F', 'metadata={"region":"iad1"}', '-F', 'billingPlanId=pro', '-F', 'paymentMethodId=pm_card_chargeDeclined'],
      unlinked,
    );
    assertExit(result, 1);
    assert.match(result.stderr, /Error: Your card was declined\. \(402\)/);
    assert.equal(await storeRow(server, 'cli-unpaid'), undefined);
  });

  await t.test('vercel integration add provisions, connects the linked project and pulls its env vars into .env.local', async () => {
    const result = await vercel(['integration', 'add', 'acme/acme-db', '--name', 'cli-db', '-m', 'region=fra1', '-m', 'storageGb=8']);
    assertExit(result, 0);
    assert.match(result.output, /Installing Acme DB by Acme Data \(reference partner\) under stockroom/);
    assert.match(result.output, /Acme DB successfully provisioned: cli-db/);
    assert.match(result.output, /cli-db successfully connected to web/);
    assert.match(result.output, /Downloading `development` environment variables for stockroom\/web/);

    const row = await storeRow(server, 'cli-db');
    assert.ok(row);
    assert.equal(row.source, 'cli');
    assert.equal(row.installation_id, icfg);
    assert.equal(JSON.parse(row.billing_plan).id, 'free', 'no --plan: the first free plan');
    assert.deepEqual(JSON.parse(row.metadata), { region: 'fra1', storageGb: 8 });
    const connection = await server.stockroom.ctx.db.selectFrom('store_connections').selectAll().where('store_id', '=', row.id).executeTakeFirstOrThrow();
    assert.equal(connection.project_id, project.id);

    // .env.local holds exactly the store's secrets, with their real values.
    assert.ok(row.secrets_sealed);
    const secrets: Array<{ name: string; value: string }> = JSON.parse(server.stockroom.ctx.secretBox.open(row.secrets_sealed, `stores.secrets_sealed:${row.id}`));
    const env = parseDotenv(readFileSync(join(linked, '.env.local'), 'utf8'));
    assert.deepEqual(env, Object.fromEntries(secrets.map((s) => [s.name, s.value])));
  });

  await t.test('vercel integration add without a required metadata value is sent to the browser form, naming the key', async () => {
    const result = await vercel(['integration', 'add', 'acme/acme-db', '--name', 'cli-no-region', '--no-connect']);
    assertExit(result, 1);
    assert.match(result.output, /Missing required metadata: region\./);
    assert.match(result.output, /Provide -m region=iad1 to provision directly from the CLI\./);
    assert.equal(await storeRow(server, 'cli-no-region'), undefined);
  });

  await t.test("vercel integration add --plan pro pays with a fresh server's default test card, and fails clearly without one", async () => {
    const starterCard: string = (await server.request('GET', '/stockroom/v1/payment-methods')).body.defaultPaymentMethodId;
    assert.match(starterCard, /^pm_[A-Za-z0-9]{24}$/, 'the bootstrap team starts with a default card');
    const paid = await vercel(['integration', 'add', 'acme/acme-db', '--name', 'cli-pro', '-m', 'region=iad1', '--plan', 'pro', '--no-connect']);
    assertExit(paid, 0);
    assert.match(paid.output, /Acme DB successfully provisioned: cli-pro/);
    assert.doesNotMatch(paid.output, /connected to/, '--no-connect');
    const row = await storeRow(server, 'cli-pro');
    assert.ok(row);
    assert.equal(JSON.parse(row.billing_plan).id, 'pro');
    const ledger = await server.stockroom.ctx.db.selectFrom('ledger_entries').select(['kind', 'amount_cents', 'payment_method_id']).where('store_id', '=', row.id).orderBy('created_at').execute();
    assert.deepEqual(ledger.map((e) => [e.kind, Number(e.amount_cents), e.payment_method_id]), [
      ['authorization', 1000, starterCard],
      ['charge', 2000, starterCard],
    ]);

    // With the card removed the team has no default, and the CLI says what is missing.
    assert.equal((await server.request('DELETE', `/stockroom/v1/payment-methods/${starterCard}`)).status, 200);
    const refused = await vercel(['integration', 'add', 'acme/acme-db', '--name', 'cli-pro-unpaid', '-m', 'region=iad1', '--plan', 'pro', '--no-connect']);
    assertExit(refused, 1);
    assert.match(refused.output, /Error: Billing plan "pro" needs a payment method.*\(400\)/);
    assert.equal(await storeRow(server, 'cli-pro-unpaid'), undefined);
  });

  await t.test('vercel integration add for a team without the integration asks for the terms in a browser and installs nothing', async () => {
    const team = await createTeam(server);
    const result = await vercel(['integration', 'add', 'acme/acme-db', '--name', 'cli-new-team', '-m', 'region=iad1', '--scope', team.slug], unlinked);
    assertExit(result, 1);
    const answer = JSON.parse(result.stdout);
    assert.equal(answer.status, 'action_required');
    assert.equal(answer.reason, 'integration_terms_acceptance_required');
    const installations = await server.stockroom.ctx.db.selectFrom('installations').select('id').where('team_id', '=', team.id).execute();
    assert.deepEqual(installations, []);
  });

  await t.test('vercel integration list shows the linked project\'s stores, and every store with --all', async () => {
    const table = await vercel(['integration', 'list']);
    assertExit(table, 0);
    assert.match(table.output, /Integration resources for project web in stockroom/);
    assert.match(table.output, /cli-db\s+● Available\s+Acme DB\s+acme-db\s+web/);
    assert.doesNotMatch(table.output, /cli-direct/, 'not connected to web');

    const all = await vercel(['integration', 'list', '--all', '--format', 'json']);
    assertExit(all, 0);
    const { resources } = JSON.parse(all.stdout);
    const byName = new Map(resources.map((r: { name: string }) => [r.name, r]));
    assert.deepEqual([...byName.keys()].sort(), ['cli-db', 'cli-direct', 'cli-pro']);
    assert.deepEqual(byName.get('cli-db'), { id: (await storeRow(server, 'cli-db'))?.id, name: 'cli-db', status: 'available', product: 'Acme DB', installationId: icfg, projects: ['web'] });
  });

  await t.test('vercel integration-resource remove refuses a connected store, then deletes it with --disconnect-all', async () => {
    const row = await storeRow(server, 'cli-db');
    assert.ok(row);
    const refused = await vercel(['integration-resource', 'remove', 'cli-db', '--yes']);
    assertExit(refused, 1);
    assert.match(refused.output, /Cannot delete resource cli-db while it has connected projects/);
    assert.equal((await storeRow(server, 'cli-db'))?.lifecycle, 'live');

    const removed = await vercel(['integration-resource', 'remove', 'cli-db', '--disconnect-all', '--yes']);
    assertExit(removed, 0);
    assert.match(removed.output, /Disconnected all projects from cli-db/);
    assert.match(removed.output, /cli-db successfully deleted\./);
    const deleted = await server.stockroom.ctx.db.selectFrom('stores').select(['lifecycle', 'secrets_sealed']).where('id', '=', row.id).executeTakeFirstOrThrow();
    assert.equal(deleted.lifecycle, 'deleted');
    assert.equal(deleted.secrets_sealed, null);
    assert.deepEqual(await server.stockroom.ctx.db.selectFrom('store_connections').select('id').where('store_id', '=', row.id).execute(), []);

    const gone = await vercel(['integration', 'list', '--all', '--format', 'json']);
    assert.deepEqual(JSON.parse(gone.stdout).resources.map((r: { name: string }) => r.name).sort(), ['cli-direct', 'cli-pro']);
    assert.ok(existsSync(join(linked, '.env.local')), 'removing a store leaves the local file alone, as on Vercel');
  });

  await t.test('vercel integration installations lists the team\'s installations, as a table and as JSON', async () => {
    const rows = await server.stockroom.ctx.db.selectFrom('installations').select(['id', 'integration_id']).where('deleted_at', 'is', null).execute();
    assert.ok(rows.some((row) => row.id === icfg));
    const table = await vercel(['integration', 'installations'], unlinked);
    assertExit(table, 0);
    assert.match(table.output, /Installation\s+Integration\s+Owner/);
    assert.match(table.output, new RegExp(`${icfg}\\s+acme\\s+${teamId}`));

    const json = await vercel(['integration', 'installations', '--integration', 'acme', '--format', 'json'], unlinked);
    assertExit(json, 0);
    const { installations } = JSON.parse(json.stdout) as { installations: Array<{ id: string; integration?: { slug: string } }> };
    const acmeRows = rows.filter((row) => row.integration_id === 'oac_stockroomReference').map((row) => row.id).sort();
    assert.deepEqual(installations.map((i) => i.id).sort(), acmeRows);
    assert.ok(installations.every((i) => i.integration?.slug === 'acme'));
  });

  await t.test('vercel integration remove refuses while stores live, naming them, then uninstalls', async () => {
    const refused = await vercel(['integration', 'remove', 'acme', '--yes'], unlinked);
    assertExit(refused, 1);
    const answer = JSON.parse(refused.stdout);
    assert.equal(answer.reason, 'has_resources');
    assert.deepEqual([...answer.resources].sort(), ['cli-direct', 'cli-pro']);
    assert.equal((await server.stockroom.ctx.db.selectFrom('installations').select('deleted_at').where('id', '=', icfg).executeTakeFirstOrThrow()).deleted_at, null);

    // One through `vercel integration resource remove` (the path the alias `integration-resource` shares), one through the API.
    const viaCli = await vercel(['integration', 'resource', 'remove', 'cli-direct', '--yes'], unlinked);
    assertExit(viaCli, 0);
    assert.match(viaCli.output, /cli-direct successfully deleted\./);
    assert.equal((await storeRow(server, 'cli-direct'))?.lifecycle, 'deleted');
    const pro = await storeRow(server, 'cli-pro');
    assert.equal((await server.request('DELETE', `/v1/storage/stores/integration/${pro?.id}`)).status, 200);
    const removed = await vercel(['integration', 'remove', 'acme', '--yes'], unlinked);
    assertExit(removed, 0);
    assert.match(removed.output, /acme successfully removed\./);
    const installation = await server.stockroom.ctx.db.selectFrom('installations').select('deleted_at').where('id', '=', icfg).executeTakeFirstOrThrow();
    assert.equal(typeof installation.deleted_at, 'number');
  });
});
