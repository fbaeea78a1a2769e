import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createTeam } from '../helpers/accounts.js';
import { dialectsToTest } from '../helpers/databases.js';
import { startTestServer, type TestServer } from '../helpers/stockroom.js';

/*
 * The reference partner, mounted in a real Stockroom, runs a month of billing in fast-forward
 * (issue 15, item 7): its jobs report usage every few hours with the installation's own access
 * token, push its prepaid balance, issue the next month's invoices at the turn of the month — one
 * paid, one not paid (test mode), one paid and then refunded by the `invoice-refund` hook — and
 * follow them with Get Invoice. Then Stockroom's ledger, the console's read routes and the
 * partner's own records agree to the cent. The clock is injected; nothing sleeps.
 */

const HOUR = 3_600_000;
const STEP = 6 * HOUR;

interface Store {
  readonly id: string;
  readonly externalResourceId: string;
}

async function setUp(server: TestServer) {
  const team = await createTeam(server);
  const q = `?teamId=${team.id}`;
  const installed = await server.request('POST', `/stockroom/v1/installations${q}`, { body: { integrationIdOrSlug: 'acme' } });
  assert.equal(installed.status, 200, installed.text);
  const icfg = installed.body.id as string;
  const method = await server.request('PUT', `/stockroom/v1/payment-methods/default${q}`, { body: { paymentMethodId: 'pm_card_visa' } });
  assert.equal(method.status, 200, method.text);
  const create = async (name: string, plan: Record<string, unknown>): Promise<Store> => {
    const res = await server.request('POST', `/v1/storage/stores/integration/direct${q}`, {
      body: { name, integrationConfigurationId: icfg, integrationProductIdOrSlug: 'acme-db', metadata: { region: 'iad1', storageGb: 2 }, ...plan },
    });
    assert.equal(res.status, 200, res.text);
    return { id: res.body.store.id, externalResourceId: res.body.store.externalResourceId };
  };
  const pro = { billingPlanId: 'pro', paymentMethodId: 'pm_card_visa' };
  return {
    team,
    q,
    icfg,
    paid: await create('orders-db', pro),
    notpaid: await create('invoice-notpaid', pro),
    refunded: await create('invoice-refund', pro),
    prepaid: await create('credits-db', { billingPlanId: 'prepaid', paymentMethodId: 'pm_card_visa', prepaymentAmountCents: 2500 }),
    free: await create('free-db', { billingPlanId: 'free' }),
  };
}

for (const dialect of dialectsToTest()) {
  describe(`the reference partner calls Stockroom back: a month of billing (${dialect})`, () => {
    test('usage, balances and invoices paid, not paid and refunded: the ledger, the console routes and the partner agree to the cent', async (t) => {
      // The partner's own timer is off: every pass is one the test runs, on the clock it set.
      const server = await startTestServer(t, dialect, { env: { STOCKROOM_REFERENCE_JOB_INTERVAL_MS: '0' } });
      const partner = server.stockroom.referencePartner;
      assert.ok(partner, 'the reference partner is mounted with its controls');
      // Start at 00:30 UTC on the 1st of a month ahead of the real one, so every token is still valid.
      const real = new Date(server.clock.now());
      const monthStart = Date.UTC(real.getUTCFullYear(), real.getUTCMonth() + 2, 1);
      const nextMonth = Date.UTC(real.getUTCFullYear(), real.getUTCMonth() + 3, 1);
      server.clock.advance(monthStart + 30 * 60_000 - server.clock.now());
      const w = await setUp(server);
      const db = server.stockroom.ctx.db as any;
      const created = server.clock.now();

      // A month in steps of six hours: usage and balances each time, no invoice before the month turns.
      let passes = 0;
      while (server.clock.now() + STEP < nextMonth) {
        server.clock.advance(STEP);
        const report = await partner.runJobs();
        assert.deepEqual(report.failures, [], `pass ${passes}`);
        assert.ok(report.usageReported.includes(w.icfg));
        passes += 1;
      }
      assert.ok(passes >= 110, `${passes} passes`);
      assert.equal((await db.selectFrom('invoices').select('id').where('installation_id', '=', w.icfg).where('kind', '=', 'partner').execute()).length, 0);

      // The month turns: one invoice per pro store for the new month, issued and settled at once.
      server.clock.advance(nextMonth + 20 * 60_000 - server.clock.now());
      const turn = await partner.runJobs();
      assert.deepEqual(turn.failures, []);
      assert.equal(turn.invoicesSubmitted.length, 3);
      // Following the states (Get Invoice) in the same pass, it saw the hook's invoice paid and asked
      // for its refund; the next pass sees the refund done.
      assert.equal(turn.refundsRequested.length, 1);
      server.clock.advance(HOUR);
      const refund = await partner.runJobs();
      assert.deepEqual(refund.failures, []);
      assert.equal(refund.refundsRequested.length, 0, 'refunded once');
      server.clock.advance(HOUR);
      assert.deepEqual((await partner.runJobs()).failures, []);
      const lastReport = server.clock.now();

      // The partner's own records.
      const partnerInvoices = await db.selectFrom('ref_partner_invoices').selectAll().where('installation_id', '=', w.icfg).execute();
      const partnerState = (store: Store) => partnerInvoices.find((i: any) => i.resource_id === store.externalResourceId);
      assert.equal(partnerInvoices.length, 3);
      assert.equal(partnerState(w.paid).state, 'paid');
      assert.equal(partnerState(w.notpaid).state, 'notpaid');
      assert.equal(partnerState(w.refunded).state, 'refunded');
      for (const invoice of partnerInvoices) assert.equal(Number(invoice.total_cents), 2000);

      // Stockroom's invoices, as Get Invoice and the store's console route show them.
      const invoiceRow = (store: Store) => db.selectFrom('invoices').selectAll().where('id', '=', partnerState(store).invoice_id).executeTakeFirstOrThrow();
      const paidRow = await invoiceRow(w.paid);
      const notpaidRow = await invoiceRow(w.notpaid);
      const refundedRow = await invoiceRow(w.refunded);
      assert.deepEqual([paidRow.state, Number(paidRow.total_cents), paidRow.test ? 1 : 0], ['paid', 2000, 0]);
      assert.equal(notpaidRow.state, 'notpaid');
      assert.ok(notpaidRow.test, 'the invoice-notpaid hook submits in test mode');
      assert.deepEqual([refundedRow.state, Number(refundedRow.total_cents), Number(refundedRow.refund_cents)], ['refunded', 2000, 2000]);
      assert.equal(Number(paidRow.period_start), nextMonth);
      assert.equal(paidRow.external_id, `rinv_${w.paid.externalResourceId}_${new Date(nextMonth).toISOString().slice(0, 7)}`);

      const consoleInvoices = async (store: Store) => {
        const res = await server.request('GET', `/stockroom/v1/stores/${store.id}/invoices${w.q}`);
        assert.equal(res.status, 200, res.text);
        return res.body.invoices.filter((i: any) => i.kind === 'partner').map((i: any) => [i.state, i.totalCents, i.refundCents, i.period.start]);
      };
      assert.deepEqual(await consoleInvoices(w.paid), [['paid', 2000, null, nextMonth]]);
      assert.deepEqual(await consoleInvoices(w.refunded), [['refunded', 2000, 2000, nextMonth]]);
      // A test invoice bills nobody, so it is on no store.
      assert.deepEqual(await consoleInvoices(w.notpaid), []);

      // The ledger, read through the console's route, per store: sign-up charge + the month's invoice − refund.
      const ledger = async (store: Store) => {
        const res = await server.request('GET', `/stockroom/v1/ledger${w.q}&storeId=${store.id}&limit=100`);
        assert.equal(res.status, 200, res.text);
        return res.body.entries as Array<{ kind: string; amountCents: number }>;
      };
      const net = (entries: Array<{ kind: string; amountCents: number }>) =>
        entries.reduce((sum, e) => sum + (e.kind === 'charge' ? e.amountCents : e.kind === 'refund' ? -e.amountCents : 0), 0);
      const charges = (entries: Array<{ kind: string; amountCents: number }>) => entries.filter((e) => e.kind === 'charge').map((e) => e.amountCents).sort();
      const paidLedger = await ledger(w.paid);
      assert.deepEqual(charges(paidLedger), [2000, 2000], 'sign-up charge and the month invoiced');
      assert.equal(net(paidLedger), 4000);
      const refundedLedger = await ledger(w.refunded);
      assert.deepEqual(refundedLedger.filter((e) => e.kind === 'refund').map((e) => e.amountCents), [2000]);
      assert.equal(net(refundedLedger), 2000);
      assert.equal(net(await ledger(w.notpaid)), 2000, 'only its sign-up charge: the test invoice moved no money');
      // The ledger's rows are the invoices' own charges and refund.
      const rows = await db.selectFrom('ledger_entries').select(['kind', 'amount_cents', 'invoice_id']).where('invoice_id', 'in', [paidRow.id, refundedRow.id, notpaidRow.id]).execute();
      assert.deepEqual(
        rows.map((r: any) => `${r.invoice_id === paidRow.id ? 'paid' : r.invoice_id === refundedRow.id ? 'refunded' : 'notpaid'} ${r.kind} ${Number(r.amount_cents)}`).sort(),
        ['paid charge 2000', 'refunded charge 2000', 'refunded refund 2000'],
      );

      // Usage as the console shows it: the partner's numbers, from the last report.
      const hoursLive = Math.floor((lastReport - created) / HOUR);
      const monthHours = Math.floor((lastReport - nextMonth) / HOUR);
      const usage = async (store: Store) => {
        const res = await server.request('GET', `/stockroom/v1/stores/${store.id}/usage${w.q}`);
        assert.equal(res.status, 200, res.text);
        return res.body as { usage: Array<{ name: string; periodValue: number; dayValue: number; units: string }>; balance: { currencyValueInCents: number } | null };
      };
      const free = await usage(w.free);
      const metric = (u: Awaited<ReturnType<typeof usage>>, name: string) => u.usage.find((m) => m.name === name);
      assert.equal(metric(free, 'Compute')?.periodValue, monthHours);
      assert.equal(metric(free, 'Compute')?.units, 'hours');
      assert.equal(metric(free, 'Storage')?.periodValue, 2);
      assert.equal(free.balance, null);

      // The prepaid store: 25.00 bought, one cent per hour used since it was created.
      const prepaid = await usage(w.prepaid);
      assert.equal(prepaid.balance?.currencyValueInCents, 2500 - hoursLive);
      const consoleBalances = await server.request('GET', `/stockroom/v1/stores/${w.prepaid.id}/invoices${w.q}`);
      const reported = consoleBalances.body.balances.filter((b: any) => b.source === 'balance-report');
      assert.ok(reported.some((b: any) => b.currencyValueInCents === 2500 - hoursLive && b.credit === `${((2500 - hoursLive) / 100).toFixed(2)} USD`), JSON.stringify(consoleBalances.body.balances));
      assert.equal(net(await ledger(w.prepaid)), 2500);

      // What Stockroom stored of the billing data: one submission per pass, the last one the partner's totals.
      const submissions = await db.selectFrom('billing_submissions').selectAll().where('installation_id', '=', w.icfg).execute();
      assert.equal(submissions.length, passes + 3);
    });
  });
}
