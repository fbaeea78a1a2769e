import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createTestDatabase } from '../helpers/databases.js';
import { startBuiltTestServer } from '../helpers/built-server.js';
import { startScriptedProvider } from '../helpers/scripted-provider.js';
import { insertReadyInstallation, writeSingleIntegrationCatalog } from '../helpers/single-integration.js';
import { runVercel } from '../helpers/vercel-cli.js';

/**
 * `vercel integration update scripted --plan org` (CLI 58.4.4) when the provider fails Update
 * Installation with a 5xx and then cannot be asked whether it made the change
 * (docs/installation-updates.md, "When the outcome is unknown"): the change stays pending,
 * charged and claimed, and the CLI fails with a message saying it is being confirmed. The CLI
 * retries a 5xx answer, so what it prints is the 409 its retry gets while the change is pending.
 */

const ICFG = 'icfg_cliPendingPlan1';
const ORG = { id: 'org', type: 'subscription', name: 'Org', scope: 'installation', paymentMethodRequired: true, preauthorizationAmount: 5, initialCharge: '30.00' };

test('vercel integration update: a plan change the provider cannot confirm is left pending, and the CLI says so', { timeout: 180_000 }, async (t) => {
  const provider = await startScriptedProvider();
  t.after(() => provider.close());
  provider.on('GET', `/v1/installations/${ICFG}/plans`, { status: 200, body: { plans: [ORG] } });
  provider.on('PATCH', `/v1/installations/${ICFG}`, { status: 502, body: { error: { code: 'bad_gateway', message: 'upstream down' } } });
  provider.on('GET', `/v1/installations/${ICFG}`, { status: 503, body: { error: { code: 'unavailable', message: 'down' } } });
  const database = await createTestDatabase('sqlite');
  t.after(() => database.drop());
  const catalog = writeSingleIntegrationCatalog(database.dataDir, { slug: 'scripted', label: 'Scripted', providerBaseUrl: provider.baseUrl });
  const server = await startBuiltTestServer(t, 'sqlite', { database, env: { STOCKROOM_CATALOG: catalog, STOCKROOM_PROVIDER_TIMEOUT_MS: '200' } });
  const user = (await server.request('GET', '/v2/user')).body.user;
  // The helper needs only the database and the bootstrap team's ids, which the built server's handle lacks.
  await insertReadyInstallation({ stockroom: { ctx: server.stockroom.ctx as never, bootstrap: { teamId: user.defaultTeamId, userId: user.id } } as never }, ICFG, 'oac_scripted');
  assert.equal((await server.request('PUT', '/stockroom/v1/payment-methods/default', { body: { paymentMethodId: 'pm_card_visa' } })).status, 200);
  const work = mkdtempSync(join(tmpdir(), 'stockroom-cli-planfix-'));
  t.after(() => rmSync(work, { recursive: true, force: true }));

  const result = await runVercel(['integration', 'update', 'scripted', '--plan', 'org', '--non-interactive'], {
    cwd: work,
    apiUrl: server.url,
    token: server.token,
    // The CLI retries a 5xx three times with backoff (about 1, 2 and 4 s) on top of its own start: on a loaded machine that passed 30 s.
    timeoutMs: 120_000,
  });
  assert.equal(result.code, 1, `--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`);
  const printed = JSON.parse(result.stdout);
  assert.equal(printed.status, 'error');
  // The CLI's retry of the 503 met the pending change: its 409 is what it prints.
  assert.match(printed.message, /^Failed to update scripted: Another plan change of the integration configuration icfg_cliPendingPlan1 is in progress or being confirmed with the provider/);
  assert.equal(provider.requestsTo('PATCH', `/v1/installations/${ICFG}`).length >= 1, true);

  const db = server.stockroom.ctx.db;
  const row = await db.selectFrom('installations').select(['billing_plan', 'plan_change_id']).where('id', '=', ICFG).executeTakeFirstOrThrow();
  assert.equal(row.billing_plan, null, 'the recorded plan is unchanged');
  assert.match(row.plan_change_id ?? '', /^ipc_/, 'the change holds the installation until it is settled');
  const ledger = await db.selectFrom('ledger_entries').select(['kind', 'amount_cents']).orderBy('kind').execute();
  assert.deepEqual(ledger, [{ kind: 'authorization', amount_cents: 500 }, { kind: 'charge', amount_cents: 3000 }], 'one change, charged once, not refunded yet');
});
