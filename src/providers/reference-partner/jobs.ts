import type { FastifyBaseLogger } from 'fastify';
import { VercelApiError, type InstallationApiClient, type VercelApiClient } from '../partner-kit/vercel-api-client.js';
import { formatCents } from '../../domain/money.js';
import {
  billingItems,
  existedIn,
  hourStart,
  invoicedFor,
  invoiceItems,
  isoPeriod,
  monthOf,
  prepaidBalance,
  PRO_MONTHLY_CENTS,
  usageItems,
  type BilledResource,
  type MonthPeriod,
} from './billing.js';
import { claimInvoice, creditByResource, listBilledResources, listInvoicesInState, updateInvoice, type StoredInvoice } from './billing-store.js';
import { invoiceTestResult, refundsWhenPaid } from './hooks.js';
import { listCallableInstallations, markUsageReported, setFinalization, type CallableInstallation } from './installation-store.js';
import type { PartnerContext } from './options.js';

/** What one pass of the jobs did, for tests and logs. */
export interface JobReport {
  /** Installations whose usage (and prepaid balances) were reported. */
  readonly usageReported: string[];
  /** Partner invoice ids submitted in this pass. */
  readonly invoicesSubmitted: string[];
  /** Stockroom invoice ids a refund was asked for. */
  readonly refundsRequested: string[];
  /** Installations Finalize Installation was sent for. */
  readonly finalized: string[];
  /** Calls that failed, as `operation installation: message`; they are retried on the next pass. */
  readonly failures: string[];
}

/** Invoice states after which nothing more is learnt by asking (refunds are asked for by the partner). */
const SETTLED_STATES = ['notpaid', 'refunded'];
/** Local states still followed with Get Invoice. */
const FOLLOWED_STATES = ['submitted', 'pending', 'scheduled', 'invoiced', 'issued', 'refund_requested', 'overdue'];

export interface PartnerJobs {
  /** One pass of every job, now; passes never overlap (a second caller waits for the first). */
  runOnce(): Promise<JobReport>;
}

/**
 * The reference partner's calls back to Stockroom, as a real partner makes them (partner-api.md
 * §1.5): each hour it submits usage and billing data and, for prepaid resources, their balances;
 * at the start of each month it submits the invoices of its subscription resources; it follows its
 * invoices' states (Get Invoice) and asks for the refunds its hooks call for; and it sends Finalize
 * Installation for uninstalls it answered `{finalized:false}`. Every decision is made from its
 * tables and the clock, so a pass after a crash or on another replica does the same, and a call
 * that fails is simply tried again on the next pass.
 */
export function createPartnerJobs(ctx: PartnerContext, client: VercelApiClient, log: FastifyBaseLogger): PartnerJobs {
  let running: Promise<JobReport> = Promise.resolve(emptyReport());
  return {
    runOnce() {
      running = running.catch(() => emptyReport()).then(() => pass(ctx, client, log));
      return running;
    },
  };
}

function emptyReport(): JobReport {
  return { usageReported: [], invoicesSubmitted: [], refundsRequested: [], finalized: [], failures: [] };
}

async function pass(ctx: PartnerContext, client: VercelApiClient, log: FastifyBaseLogger): Promise<JobReport> {
  const report = emptyReport();
  const attempt = async (operation: string, installationId: string, work: () => Promise<void>) => {
    try {
      await work();
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      report.failures.push(`${operation} ${installationId}: ${message}`);
      log.warn({ installationId, operation, status: error instanceof VercelApiError ? error.status : undefined, err: { message } }, 'reference partner call to Stockroom failed');
    }
  };
  for (const installation of await listCallableInstallations(ctx.db, ctx.secretBox)) {
    const api = client.forInstallation(installation.id, installation.accessToken);
    if (installation.deletedAt === null) {
      await attempt('usage', installation.id, () => reportUsage(ctx, api, installation, report));
      await attempt('invoices', installation.id, () => submitMonthlyInvoices(ctx, api, installation.id, report));
    }
    await attempt('invoice states', installation.id, () => followInvoices(ctx, api, installation.id, report));
    if (installation.finalization === 'pending') {
      await attempt('finalize', installation.id, async () => {
        await api.finalizeInstallation();
        await setFinalization(ctx.db, installation.id, 'done');
        report.finalized.push(installation.id);
      });
    }
  }
  return report;
}

/** Once an hour: usage and billing data for the month so far, then prepaid balances. */
async function reportUsage(ctx: PartnerContext, api: InstallationApiClient, installation: CallableInstallation, report: JobReport): Promise<void> {
  const now = ctx.now();
  const hour = hourStart(now);
  if (installation.usageReportedAt !== null && installation.usageReportedAt >= hour) return;
  const period = monthOf(now);
  const resources = (await listBilledResources(ctx.db, installation.id, period.start)).filter((r) => existedIn(r, period));
  const timestamp = new Date(now).toISOString();
  await api.submitBillingData({
    timestamp,
    eod: timestamp,
    period: isoPeriod(period),
    billing: { items: resources.flatMap((r) => billingItems(r, period, now)) },
    usage: resources.flatMap((r) => usageItems(r, period, now)),
  });
  const prepaid = resources.filter((r) => r.billingPlanId === 'prepaid' && r.deletedAt === null);
  if (prepaid.length > 0) {
    const credit = await creditByResource(ctx.db, installation.id);
    await api.submitPrepaymentBalances(timestamp, prepaid.map((r) => prepaidBalance(r, credit.get(r.id) ?? 0, now)));
  }
  await markUsageReported(ctx.db, installation.id, hour);
  report.usageReported.push(installation.id);
}

/** In the month's first pass: one invoice per `pro` resource for the month, never two. */
async function submitMonthlyInvoices(ctx: PartnerContext, api: InstallationApiClient, installationId: string, report: JobReport): Promise<void> {
  const now = ctx.now();
  const period = monthOf(now);
  for (const resource of await listBilledResources(ctx.db, installationId, period.start)) {
    if (!invoicedFor(resource, period)) continue;
    const claimed = await claimInvoice(
      ctx.db,
      {
        id: invoiceIdFor(resource, period),
        installationId,
        resourceId: resource.id,
        billingPlanId: resource.billingPlanId,
        periodStart: period.start,
        periodEnd: period.end,
        totalCents: PRO_MONTHLY_CENTS,
        testResult: invoiceTestResult(resource.name),
      },
      now,
    );
    if (claimed) await submitInvoice(ctx, api, resource, period, report);
  }
  // Invoices claimed by a pass that failed before Stockroom answered are submitted again; the
  // `externalId` lets Stockroom refuse a second copy if the first did arrive.
  for (const invoice of await listInvoicesInState(ctx.db, installationId, ['submitting'])) {
    if (report.invoicesSubmitted.includes(invoice.id)) continue;
    const resource = (await listBilledResources(ctx.db, installationId, invoice.periodStart)).find((r) => r.id === invoice.resourceId);
    if (resource) await submitInvoice(ctx, api, resource, { start: invoice.periodStart, end: invoice.periodEnd }, report);
  }
}

async function submitInvoice(ctx: PartnerContext, api: InstallationApiClient, resource: BilledResource, period: MonthPeriod, report: JobReport): Promise<void> {
  const id = invoiceIdFor(resource, period);
  const testResult = invoiceTestResult(resource.name);
  const answer = await api.submitInvoice({
    externalId: id,
    invoiceDate: new Date(ctx.now()).toISOString(),
    memo: `Acme Data: ${resource.name}, ${new Date(period.start).toISOString().slice(0, 7)}`,
    period: isoPeriod(period),
    items: invoiceItems(resource, period),
    ...(testResult ? { test: { result: testResult } } : {}),
  });
  if (typeof answer.invoiceId !== 'string') throw new VercelApiError('submitInvoice', 200, undefined, 'the answer has no invoiceId');
  await updateInvoice(ctx.db, id, { state: 'submitted', invoiceId: answer.invoiceId }, ctx.now());
  report.invoicesSubmitted.push(id);
}

/** Learns the state of each invoice still moving, and asks for the refunds the hooks call for. */
async function followInvoices(ctx: PartnerContext, api: InstallationApiClient, installationId: string, report: JobReport): Promise<void> {
  for (const invoice of await listInvoicesInState(ctx.db, installationId, FOLLOWED_STATES)) {
    const seen = await api.getInvoice(invoice.invoiceId!);
    if (seen.state !== invoice.state) await updateInvoice(ctx.db, invoice.id, { state: seen.state }, ctx.now());
  }
  // Paid invoices stay `paid` for good, so they pile up: the resources are read once per period,
  // not once per invoice.
  const resourcesSince = new Map<number, Promise<BilledResource[]>>();
  for (const invoice of await listInvoicesInState(ctx.db, installationId, ['paid'])) {
    let resources = resourcesSince.get(invoice.periodStart);
    if (!resources) resourcesSince.set(invoice.periodStart, (resources = listBilledResources(ctx.db, installationId, invoice.periodStart)));
    const resource = (await resources).find((r) => r.id === invoice.resourceId);
    if (resource && refundsWhenPaid(resource.name)) await requestRefund(ctx, api, invoice, 'Refunded by the invoice-refund test hook', invoice.totalCents, report);
  }
}

/** Invoice Actions `refund` for `cents` of a paid invoice; the invoice is then followed until `refunded`. */
export async function requestRefund(ctx: PartnerContext, api: InstallationApiClient, invoice: StoredInvoice, reason: string, cents: number, report?: JobReport): Promise<void> {
  if (invoice.invoiceId === null) throw new Error(`invoice ${invoice.id} was never submitted`);
  if (SETTLED_STATES.includes(invoice.state)) throw new Error(`invoice ${invoice.invoiceId} is ${invoice.state}`);
  await api.refundInvoice(invoice.invoiceId, reason, formatCents(cents));
  await updateInvoice(ctx.db, invoice.id, { state: 'refund_requested' }, ctx.now());
  report?.refundsRequested.push(invoice.invoiceId);
}

/** The partner's id of a resource's invoice for a month, sent as `externalId`: one per resource and period. */
function invoiceIdFor(resource: BilledResource, period: MonthPeriod): string {
  return `rinv_${resource.id}_${new Date(period.start).toISOString().slice(0, 7)}`;
}
