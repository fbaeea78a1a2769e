import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { ReferencePartnerControl } from '../../src/providers/reference-partner/index.js';
import { sdkEquivalent, startFakeStockroom, type CallBack, type FakeStockroom } from './fake-stockroom.js';
import { dialectsToTest, installationBody, newInstallationId, startPartner, type PartnerHarness } from './harness.js';

/*
 * The reference partner's jobs (jobs.ts) against a recording stand-in for Stockroom: which calls
 * it makes, when, with which token, and that each request is exactly what @vercel/sdk sends for
 * the same operation. The same jobs against the real Stockroom endpoints: partner-calls-back*.test.ts.
 */

const HOUR = 3_600_000;
/** 20:30 UTC on the last day of January 2026: the month ends in a few hours. */
const START = Date.UTC(2026, 0, 31, 20, 30);

for (const dialect of dialectsToTest()) {
  describe(`reference partner calls Stockroom back (${dialect})`, () => {
    let p: PartnerHarness;
    let fake: FakeStockroom;
    let control: ReferencePartnerControl;
    before(async () => {
      fake = await startFakeStockroom();
      p = await startPartner(dialect, { partner: { stockroomUrl: fake.url, jobIntervalMs: 0, onControl: (c) => (control = c) } });
    });
    after(async () => {
      await p?.close();
      await fake?.close();
    });

    /** Installs with a known access token and returns both. */
    const install = async () => {
      const id = newInstallationId();
      const body = installationBody();
      assert.equal((await p.request('PUT', `/v1/installations/${id}`, { body })).status, 200);
      return { id, token: (body.credentials as { access_token: string }).access_token };
    };
    const callsOf = (id: string) => fake.calls.filter((c) => c.path.startsWith(`/v1/installations/${id}/`));
    const provision = async (id: string, name: string, billingPlanId: string, metadata: Record<string, unknown> = { region: 'iad1' }) => {
      const answer = await p.provision(id, { name, billingPlanId, metadata });
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      return answer.body.id as string;
    };
    const assertSdkShaped = async (call: CallBack) => {
      const sdk = await sdkEquivalent(fake, call);
      assert.deepEqual({ method: call.method, path: call.path, authorization: call.authorization, body: call.body }, { method: sdk.method, path: sdk.path, authorization: sdk.authorization, body: sdk.body });
    };

    test('hourly: usage and billing data per resource, prepaid balances; once an hour, with the installation token, shaped as the SDK sends them', async () => {
      p.clock.now = START;
      const { id, token } = await install();
      const free = await provision(id, 'free-one', 'free', { region: 'iad1', storageGb: 3 });
      const pro = await provision(id, 'pro-one', 'pro');
      const prepaid = await provision(id, 'prepaid-one', 'prepaid');
      await control.recordCreditPurchase({ invoiceId: `inv_credit_${randomBytes(3).toString('hex')}`, installationId: id, resourceId: prepaid, amountCents: 500 });
      p.clock.advance(2 * HOUR + 5 * 60_000); // 22:35, two whole hours of compute

      const report = await control.runJobs();
      assert.ok(report.usageReported.includes(id));
      const calls = callsOf(id);
      assert.deepEqual(calls.map((c) => `${c.method} ${c.path}`), [`POST /v1/installations/${id}/billing`, `POST /v1/installations/${id}/billing/balance`]);
      for (const call of calls) {
        assert.equal(call.authorization, `Bearer ${token}`);
        assert.match(call.userAgent ?? '', /^Acme Data \(Stockroom reference partner\)\//);
        await assertSdkShaped(call);
      }
      const [billing, balance] = calls as [CallBack, CallBack];
      assert.deepEqual(billing.body.period, { start: '2026-01-01T00:00:00.000Z', end: '2026-02-01T00:00:00.000Z' });
      assert.equal(billing.body.timestamp, new Date(p.clock.now).toISOString());
      const usage = (resourceId: string, name: string) => billing.body.usage.find((u: any) => u.resourceId === resourceId && u.name === name);
      assert.deepEqual(usage(free, 'Compute'), { resourceId: free, name: 'Compute', type: 'interval', units: 'hours', dayValue: 2, periodValue: 2 });
      assert.deepEqual(usage(free, 'Storage'), { resourceId: free, name: 'Storage', type: 'total', units: 'GB', dayValue: 3, periodValue: 3 });
      assert.equal(billing.body.usage.length, 6);
      const item = (resourceId: string) => billing.body.billing.items.find((i: any) => i.resourceId === resourceId);
      assert.equal(billing.body.billing.items.length, 2);
      assert.deepEqual(item(pro), { billingPlanId: 'pro', resourceId: pro, ...billing.body.period, name: 'Pro plan', price: '20.00', quantity: 1, units: 'month', total: '20.00' });
      assert.deepEqual(item(prepaid), { billingPlanId: 'prepaid', resourceId: prepaid, ...billing.body.period, name: 'Compute', price: '0.01', quantity: 2, units: 'hours', total: '0.02' });
      assert.deepEqual(balance.body.balances, [{ resourceId: prepaid, currencyValueInCents: 498, credit: '4.98 USD', nameLabel: 'Prepaid credits' }]);
      const row = await p.db.selectFrom('ref_partner_installations').select('usage_reported_at').where('id', '=', id).executeTakeFirstOrThrow();
      assert.equal(Number(row.usage_reported_at), Date.UTC(2026, 0, 31, 22));

      // The same hour again: nothing new. The next hour: reported again.
      await control.runJobs();
      assert.equal(callsOf(id).length, 2);
      p.clock.advance(HOUR);
      await control.runJobs();
      assert.equal(callsOf(id).filter((c) => c.path.endsWith('/billing')).length, 2);
    });

    test('monthly: one invoice per pro resource for the new month, in advance, never two; invoice-notpaid asks test.result notpaid; states followed with Get Invoice', async () => {
      p.clock.now = START;
      const { id, token } = await install();
      const pro = await provision(id, 'pro-two', 'pro');
      const notpaid = await provision(id, 'invoice-notpaid', 'pro');
      await provision(id, 'prepaid-two', 'prepaid');
      await provision(id, 'free-two', 'free');
      // Still January: the sign-up charge paid January, so no invoice yet.
      await control.runJobs();
      assert.equal(callsOf(id).filter((c) => c.path.endsWith('/invoices')).length, 0);

      p.clock.now = Date.UTC(2026, 1, 1, 0, 10);
      const report = await control.runJobs();
      const invoices = callsOf(id).filter((c) => c.path.endsWith('/billing/invoices'));
      assert.equal(invoices.length, 2);
      // (The report also names invoices of the other tests' installations.)
      assert.ok(report.invoicesSubmitted.includes(`rinv_${pro}_2026-02`) && report.invoicesSubmitted.includes(`rinv_${notpaid}_2026-02`));
      for (const call of invoices) {
        assert.equal(call.authorization, `Bearer ${token}`);
        await assertSdkShaped(call);
        assert.deepEqual(call.body.period, { start: '2026-02-01T00:00:00.000Z', end: '2026-03-01T00:00:00.000Z' });
        assert.equal(call.body.items.length, 1);
        assert.equal(call.body.items[0].total, '20.00');
      }
      const byResource = (resourceId: string) => invoices.find((c) => c.body.items[0].resourceId === resourceId)!;
      assert.equal(byResource(pro).body.test, undefined);
      assert.deepEqual(byResource(notpaid).body.test, { result: 'notpaid' });
      assert.equal(byResource(pro).body.externalId, `rinv_${pro}_2026-02`);

      const rows = await p.db.selectFrom('ref_partner_invoices').selectAll().where('installation_id', '=', id).orderBy('resource_id').execute();
      assert.equal(rows.length, 2);
      for (const row of rows) {
        // Followed in the same pass: the state Stockroom gives a new invoice.
        assert.equal(row.state, 'scheduled');
        assert.match(row.invoice_id, /^inv_fake/);
        assert.equal(Number(row.total_cents), 2000);
      }

      // A later pass in the month submits nothing new, and learns the states.
      const stockroomId = (resourceId: string) => rows.find((r) => r.resource_id === resourceId)!.invoice_id as string;
      fake.invoiceStates.set(stockroomId(pro), 'paid');
      fake.invoiceStates.set(stockroomId(notpaid), 'notpaid');
      p.clock.advance(HOUR);
      await control.runJobs();
      assert.equal(callsOf(id).filter((c) => c.path.endsWith('/billing/invoices')).length, 2, JSON.stringify(callsOf(id).filter((c) => c.path.endsWith('/billing/invoices')), null, 1));
      const states = await p.db.selectFrom('ref_partner_invoices').select(['resource_id', 'state']).where('installation_id', '=', id).execute();
      assert.deepEqual(Object.fromEntries(states.map((s) => [s.resource_id, s.state])), { [pro]: 'paid', [notpaid]: 'notpaid' });
      // Settled invoices are not asked about again; paid ones are (a refund may come).
      const gets = (invoiceId: string) => callsOf(id).filter((c) => c.method === 'GET' && c.path.endsWith(invoiceId)).length;
      const [notpaidGets, paidGets] = [gets(stockroomId(notpaid)), gets(stockroomId(pro))];
      p.clock.advance(HOUR);
      await control.runJobs();
      assert.equal(gets(stockroomId(notpaid)), notpaidGets);
      assert.equal(gets(stockroomId(pro)), paidGets);
    });

    test('invoice-refund: a paid invoice is refunded in full with Invoice Actions, then followed to refunded; refundInvoice refunds any paid invoice', async () => {
      p.clock.now = START;
      const { id } = await install();
      const refunded = await provision(id, 'invoice-refund', 'pro');
      const other = await provision(id, 'pro-three', 'pro');
      p.clock.now = Date.UTC(2026, 1, 1, 1, 0);
      await control.runJobs();
      const rows = await p.db.selectFrom('ref_partner_invoices').select(['resource_id', 'invoice_id']).where('installation_id', '=', id).execute();
      const stockroomId = (resourceId: string) => rows.find((r) => r.resource_id === resourceId)!.invoice_id as string;
      fake.invoiceStates.set(stockroomId(refunded), 'paid');
      fake.invoiceStates.set(stockroomId(other), 'paid');
      const report = await control.runJobs();
      assert.ok(report.refundsRequested.includes(stockroomId(refunded)));
      assert.ok(!report.refundsRequested.includes(stockroomId(other)));
      const action = callsOf(id).find((c) => c.path.endsWith('/actions'))!;
      assert.equal(action.path, `/v1/installations/${id}/billing/invoices/${stockroomId(refunded)}/actions`);
      assert.deepEqual(action.body, { action: 'refund', reason: 'Refunded by the invoice-refund test hook', total: '20.00' });
      await assertSdkShaped(action);
      fake.invoiceStates.set(stockroomId(refunded), 'refunded');
      await control.runJobs();
      const state = async (resourceId: string) =>
        (await p.db.selectFrom('ref_partner_invoices').select('state').where('resource_id', '=', resourceId).executeTakeFirstOrThrow()).state;
      assert.equal(await state(refunded), 'refunded');
      assert.equal(await state(other), 'paid');

      await control.refundInvoice(stockroomId(other), 'Goodwill', 750);
      const partial = callsOf(id).filter((c) => c.path.endsWith('/actions')).at(-1)!;
      assert.deepEqual(partial.body, { action: 'refund', reason: 'Goodwill', total: '7.50' });
      assert.equal(await state(other), 'refund_requested');
      await assert.rejects(control.refundInvoice('inv_unknown', 'x'), /never submitted/);
    });

    test('uninstall hooks: finalize-later answers {finalized:false} then sends Finalize Installation; unfinalized never does', async () => {
      p.clock.now = START;
      const later = await install();
      await provision(later.id, 'finalize-later', 'pro');
      const held = await install();
      await provision(held.id, 'unfinalized', 'pro');
      for (const { id } of [later, held]) {
        const answer = await p.request('DELETE', `/v1/installations/${id}`, { body: { cascadeResourceDeletion: true } });
        assert.equal(answer.status, 200);
        assert.deepEqual(answer.body, { finalized: false });
      }
      const report = await control.runJobs();
      assert.ok(report.finalized.includes(later.id) && !report.finalized.includes(held.id));
      const finalize = callsOf(later.id).filter((c) => c.path.endsWith('/billing/finalize'));
      assert.equal(finalize.length, 1);
      assert.equal(finalize[0]!.authorization, `Bearer ${later.token}`);
      await assertSdkShaped(finalize[0]!);
      // A deleted installation reports no usage.
      assert.equal(callsOf(later.id).filter((c) => c.path.endsWith('/billing')).length, 0);
      assert.equal(callsOf(held.id).length, 0);
      assert.deepEqual((await p.request('DELETE', `/v1/installations/${later.id}`, { body: {} })).body, { finalized: true });
      assert.deepEqual((await p.request('DELETE', `/v1/installations/${held.id}`, { body: {} })).body, { finalized: false });
      await control.runJobs();
      assert.equal(callsOf(later.id).filter((c) => c.path.endsWith('/billing/finalize')).length, 1);
      // An installation without hooks is final at once.
      const plain = await install();
      await provision(plain.id, 'plain', 'pro');
      assert.deepEqual((await p.request('DELETE', `/v1/installations/${plain.id}`, { body: {} })).body, { finalized: true });
    });

    test('an installation whose token was kept only as a hash (before migration 0004) is skipped, and a failing call is retried on the next pass', async (t) => {
      p.clock.now = START;
      const { id } = await install();
      await p.db.updateTable('ref_partner_installations').set({ access_token: null }).where('id', '=', id).execute();
      await control.runJobs();
      assert.equal(callsOf(id).length, 0);

      // Stockroom unreachable: the failure is reported, nothing is marked done.
      const down = await install();
      let control2!: ReferencePartnerControl;
      const partner = await startPartner(dialect, { partner: { stockroomUrl: 'http://127.0.0.1:9', jobIntervalMs: 0, onControl: (c) => (control2 = c) } });
      t.after(() => partner.close());
      const reinstall = await partner.request('PUT', `/v1/installations/${down.id}`, { body: installationBody() });
      assert.equal(reinstall.status, 200);
      const report = await control2.runJobs();
      assert.equal(report.usageReported.length, 0);
      assert.ok(report.failures.some((f) => f.startsWith(`usage ${down.id}:`)), report.failures.join('\n'));
      const row = await partner.db.selectFrom('ref_partner_installations').select('usage_reported_at').where('id', '=', down.id).executeTakeFirstOrThrow();
      assert.equal(row.usage_reported_at, null);
      // The next pass tries again (and, Stockroom still down, fails again without marking it done).
      const retried = await control2.runJobs();
      assert.ok(retried.failures.some((f) => f.startsWith(`usage ${down.id}:`)), retried.failures.join('\n'));
      assert.equal((await partner.db.selectFrom('ref_partner_installations').select('usage_reported_at').where('id', '=', down.id).executeTakeFirstOrThrow()).usage_reported_at, null);
    });
  });
}
