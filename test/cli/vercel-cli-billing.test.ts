import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { startBuiltTestServer } from '../helpers/built-server.js';
import { partnerAccessToken } from '../helpers/reference-partner-db.js';
import type { TestServer } from '../helpers/stockroom.js';
import { bootstrapInstallationId } from '../helpers/stores.js';
import { runVercel, type CliResult } from '../helpers/vercel-cli.js';

/**
 * `vercel integration balance` and `vercel integration resource create-threshold` (pinned CLI
 * 58.4.4) against the bundle `npm start` runs (docs/balances-and-thresholds.md): the balances with
 * and without the partner's figure, a threshold created and one refused, and a threshold acting on
 * a low balance the partner reports. Each run checks the exit code, the output and the database.
 */

function assertExit(result: CliResult, code: number): void {
  assert.equal(result.code, code, `exit ${result.code}, expected ${code}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`);
}

// Six CLI runs of 3–5 s each on a quiet machine, up to 20 s on a loaded one.
test('vercel integration balance and resource create-threshold against Stockroom', { timeout: 300_000 }, async (t) => {
  const server = await startBuiltTestServer(t, 'sqlite');
  const work = mkdtempSync(join(tmpdir(), 'stockroom-cli-billing-'));
  t.after(() => rmSync(work, { recursive: true, force: true }));
  const db = server.stockroom.ctx.db as any;
  const icfg = await bootstrapInstallationId(server);
  const vercel = (args: readonly string[]) => runVercel(args, { cwd: work, apiUrl: server.url, token: server.token });

  await t.test('balance with no prepaid store says there is no balance and no threshold', async () => {
    const result = await vercel(['integration', 'balance', 'acme']);
    assertExit(result, 0);
    assert.match(result.output, /No balances found for this integration/);
    assert.match(result.output, /No thresholds found for this integration/);
  });

  const created = await server.request('POST', '/v1/storage/stores/integration/direct', {
    body: { name: 'cli-prepaid', integrationConfigurationId: icfg, integrationProductIdOrSlug: 'acme-db', billingPlanId: 'prepaid', paymentMethodId: 'pm_card_visa', prepaymentAmountCents: 2500, metadata: { region: 'iad1' } },
  });
  assert.equal(created.status, 200, created.text);
  const store = created.body.store as { id: string; externalResourceId: string };

  await t.test("balance --format json: the partner's figure, then the ledger's when the partner gave none", async () => {
    const reported = await vercel(['integration', 'balance', 'acme', '--format', 'json']);
    assertExit(reported, 0);
    assert.deepEqual(JSON.parse(reported.stdout), {
      integration: 'acme',
      balances: [{ resourceName: 'cli-prepaid', resourceId: store.externalResourceId, amountInCents: 2500, amount: '$25.00' }],
      thresholds: [],
    });
    const row = await db.selectFrom('prepayment_balances').selectAll().where('installation_id', '=', icfg).executeTakeFirstOrThrow();
    assert.deepEqual([row.resource_key, row.store_id, Number(row.currency_value_in_cents), row.source], [store.externalResourceId, store.id, 2500, 'provision-purchase']);

    // The partner's figure gone, the ledger's credit row answers the same amount.
    await db.deleteFrom('prepayment_balances').where('installation_id', '=', icfg).execute();
    const fromLedger = await vercel(['integration', 'balance', 'acme']);
    assertExit(fromLedger, 0);
    assert.match(fromLedger.output, /Balances and thresholds for acme:/);
    assert.match(fromLedger.output, /> ● cli-prepaid\n> {5}Balance: \$25\.00\n/);
    assert.match(fromLedger.output, /No thresholds found for this integration/);
  });

  await t.test('resource create-threshold stores the threshold; one over the plan\'s limit is refused and changes nothing', async () => {
    const result = await vercel(['integration', 'resource', 'create-threshold', 'cli-prepaid', '10', '10', '25', '--yes']);
    assertExit(result, 0);
    assert.match(result.output, /Threshold for resource cli-prepaid created successfully\./);
    const rows = await db.selectFrom('spend_thresholds').selectAll().where('installation_id', '=', icfg).execute();
    assert.deepEqual(
      rows.map((r: any) => [r.resource_key, r.store_id, r.billing_plan_id, Number(r.minimum_cents), Number(r.purchase_cents), Number(r.maximum_per_period_cents), r.metadata]),
      [[store.externalResourceId, store.id, 'prepaid', 1000, 1000, 2500, '{}']],
    );

    // $2,000 a month passes the plan's maximumAmountAutoPurchasePerPeriod ($1,000): the server refuses it.
    const refused = await vercel(['integration', 'resource', 'create-threshold', 'cli-prepaid', '10', '10', '2000', '--yes']);
    assertExit(refused, 1);
    assert.match(refused.output, /Error: maximumAmountPerPeriodInCents must be at most the plan's maximumAmountAutoPurchasePerPeriod of 100000/);
    const after = await db.selectFrom('spend_thresholds').select('maximum_per_period_cents').where('installation_id', '=', icfg).execute();
    assert.deepEqual(after.map((r: any) => Number(r.maximum_per_period_cents)), [2500]);
  });

  await t.test('a low balance reported by the partner buys the spend; balance shows the new figure and the threshold', async () => {
    const token = await partnerAccessToken(server as unknown as TestServer, icfg);
    const reported = await server.request('POST', `/v1/installations/${icfg}/billing/balance`, {
      token,
      body: { timestamp: new Date().toISOString(), balances: [{ resourceId: store.externalResourceId, currencyValueInCents: 400, credit: '4.00 USD', nameLabel: 'Prepaid credits' }] },
    });
    assert.equal(reported.status, 201, reported.text);

    const purchase = await db.selectFrom('threshold_purchases').selectAll().where('installation_id', '=', icfg).executeTakeFirstOrThrow();
    assert.equal(purchase.state, 'delivered');
    const ledger = await db.selectFrom('ledger_entries').select(['kind', 'amount_cents', 'store_id']).where('invoice_id', '=', purchase.invoice_id).orderBy('kind').execute();
    assert.deepEqual(ledger.map((e: any) => [e.kind, Number(e.amount_cents), e.store_id]), [['charge', 1000, store.id], ['credit', 1000, store.id]]);

    const result = await vercel(['integration', 'balance', 'acme']);
    assertExit(result, 0);
    assert.match(result.output, /> ● cli-prepaid\n> {5}Balance: \$35\.00\n> {5}Threshold: Spend \$10\.00 if balance goes below \$10\.00/);
    const kept = await db.selectFrom('prepayment_balances').selectAll().where('installation_id', '=', icfg).executeTakeFirstOrThrow();
    assert.deepEqual([Number(kept.currency_value_in_cents), kept.source, kept.invoice_id], [3500, 'provision-purchase', purchase.invoice_id]);
  });
});
