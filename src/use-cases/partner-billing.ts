/**
 * What a partner reports about billing (partner-api.md §1.5): Submit Billing Data and Submit
 * Prepayment Balances, checked (`domain/partner-billing.ts`) and stored. The routes read the body.
 */
import type { AppContext } from '../app-context.js';
import { recordBalances } from '../db/invoices.js';
import { findReportedResources, recordBillingData } from '../db/partner-billing.js';
import type { BilledResource } from '../domain/invoices.js';
import { findBalanceProblems, findBillingDataProblems, resourceIdsOf, type BillingData, type BillingProblem, type PrepaymentBalance } from '../domain/partner-billing.js';
import { ApiError } from '../errors.js';
import { actOnBalances } from './threshold-top-ups.js';

interface ReportingInstallation {
  readonly id: string;
  readonly teamId: string;
}

/** Submit Billing Data: refused (400, 404) unless every rule holds and every resource is the installation's. */
export async function submitBillingData(ctx: AppContext, installation: ReportingInstallation, data: BillingData): Promise<void> {
  refuseBillingProblems(findBillingDataProblems(data, ctx.now()));
  await requireKnownResources(ctx, installation.id, resourceIdsOf([...data.items, ...data.discounts, ...data.usage]));
  await recordBillingData(ctx.db, installation.id, installation.teamId, data, ctx.now());
}

/**
 * Submit Prepayment Balances: one balance per resource, each the installation's; `timestamp` in
 * epoch ms. Spend thresholds act before the answer, so a report and what it set off are one step.
 */
export async function submitPrepaymentBalances(ctx: AppContext, installation: ReportingInstallation, timestamp: number, balances: readonly PrepaymentBalance[]): Promise<void> {
  refuseBillingProblems(findBalanceProblems(balances));
  const stores = await requireKnownResources(ctx, installation.id, resourceIdsOf(balances));
  // One table with the balances Provision Purchase answers: the latest figure per resource wins.
  await recordBalances(ctx.db, {
    installationId: installation.id,
    teamId: installation.teamId,
    source: 'balance-report',
    reportedAt: timestamp,
    balances: balances.map((b) => ({ ...b, storeId: b.resourceId ? (stores.get(b.resourceId)?.storeId ?? null) : null })),
    now: ctx.now(),
  });
  // A balance below a spend threshold's minimum buys credit now (docs/balances-and-thresholds.md).
  await actOnBalances(ctx, installation.id, balances.map((b) => b.resourceId ?? null));
}

/** A 400 naming the first problem's field and listing them all, when there is any. */
export function refuseBillingProblems(problems: readonly BillingProblem[]): void {
  if (problems.length === 0) return;
  const [first] = problems;
  throw new ApiError('bad_request', `${first!.key} ${first!.message}.`, { param: first!.key, fields: problems.map((p) => ({ key: p.key, message: p.message })) });
}

/** A 404 for the first resource id that is not the installation's; else the billed store of each. */
async function requireKnownResources(ctx: AppContext, installationId: string, resourceIds: readonly string[]): Promise<Map<string, BilledResource>> {
  const { unknown, billed } = await findReportedResources(ctx.db, installationId, resourceIds);
  if (unknown.length > 0) throw new ApiError('not_found', `The resource ${unknown[0]} was not found in ${installationId}.`, { param: 'resourceId' });
  return billed;
}
