/**
 * The balances and thresholds of an installation, as `vercel integration balance` reads them
 * (docs/balances-and-thresholds.md): per prepaid store the balance its partner last gave (Submit
 * Prepayment Balances or Provision Purchase's answer), else the credit Stockroom's ledger recorded
 * for it; the installation's own balance when the partner gave one; and every threshold.
 */
import type { AppContext } from '../app-context.js';
import { sumCreditsOfStores } from '../db/ledger.js';
import { listBalancesOfInstallation } from '../db/invoices.js';
import { listThresholdsOfInstallation } from '../db/spend-thresholds.js';
import { listLiveStoresOfInstallation } from '../db/store-reads.js';
import type { SpendThreshold } from '../domain/spend-thresholds.js';

export interface BalanceView {
  /** The partner's resource id; null for the installation's own balance. */
  readonly resourceId: string | null;
  readonly storeId: string | null;
  readonly currencyValueInCents: number;
  readonly credit: string | null;
  readonly nameLabel: string | null;
  /** `partner`: the partner's figure; `ledger`: no figure from the partner, the credit bought. */
  readonly source: 'partner' | 'ledger';
  /** The partner's `timestamp` of its figure; null for a ledger figure. */
  readonly reportedAt: number | null;
}

export async function readInstallationBalances(ctx: AppContext, installationId: string): Promise<{ balances: BalanceView[]; thresholds: SpendThreshold[] }> {
  const [reported, stores, thresholds] = await Promise.all([
    listBalancesOfInstallation(ctx.db, installationId),
    listLiveStoresOfInstallation(ctx.db, installationId),
    listThresholdsOfInstallation(ctx.db, installationId),
  ]);
  const storeOfResource = new Map(stores.map((store) => [store.externalResourceId, store]));
  const reportedFor = new Set(reported.map((b) => b.resourceId));
  const unreported = stores.filter((store) => store.billingPlan.type === 'prepayment' && !reportedFor.has(store.externalResourceId));
  const credits = await sumCreditsOfStores(ctx.db, unreported.map((store) => store.id));
  const balances: BalanceView[] = [
    // A deleted store's last figure is history, not a balance: only the installation's and live stores' are shown.
    ...reported
      .filter((b) => b.resourceId === null || storeOfResource.has(b.resourceId))
      .map((b) => ({
        resourceId: b.resourceId,
        storeId: b.resourceId === null ? null : (storeOfResource.get(b.resourceId)?.id ?? null),
        currencyValueInCents: b.currencyValueInCents,
        credit: b.credit,
        nameLabel: b.nameLabel,
        source: 'partner' as const,
        reportedAt: b.reportedAt,
      })),
    ...unreported.map((store) => ({
      resourceId: store.externalResourceId,
      storeId: store.id,
      currencyValueInCents: credits.get(store.id) ?? 0,
      credit: null,
      nameLabel: null,
      source: 'ledger' as const,
      reportedAt: null,
    })),
  ];
  return { balances, thresholds: thresholds.filter((t) => t.resourceId === null || storeOfResource.has(t.resourceId)) };
}
