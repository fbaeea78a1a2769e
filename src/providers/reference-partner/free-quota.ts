import type { Kysely } from 'kysely';
import { PartnerError } from '../partner-kit/errors.js';
import { FREE_PLAN_ID } from '../partner-kit/billing-plan.js';
import { countLiveResourcesOnPlan } from './resource-store.js';
import type { PartnerContext } from './options.js';
import type { PartnerTables } from './tables.js';

/**
 * Whether the installation may take one more free-plan resource. Like a real partner's free tier,
 * the free plan is withdrawn once the installation holds `freeResourceQuota` live free
 * resources; a caller without an installation (plans listed before installing) is offered it.
 */
export async function isFreePlanOffered(ctx: PartnerContext, db: Kysely<PartnerTables>, installationId: string | null): Promise<boolean> {
  if (installationId === null || !isFreeQuotaCounted(ctx)) return true;
  return (await countLiveResourcesOnPlan(db, installationId, FREE_PLAN_ID)) < ctx.freeResourceQuota;
}

/** An unlimited quota (load tests) needs no count, which would grow with every free resource. */
export function isFreeQuotaCounted(ctx: Pick<PartnerContext, 'freeResourceQuota'>): boolean {
  return ctx.freeResourceQuota !== Infinity;
}

export async function assertFreePlanOffered(ctx: PartnerContext, db: Kysely<PartnerTables>, installationId: string): Promise<void> {
  if (await isFreePlanOffered(ctx, db, installationId)) return;
  throw new PartnerError(
    'free_quota_exceeded',
    `Installation ${installationId} already has ${ctx.freeResourceQuota} resources on the free plan; choose a paid plan or delete one.`,
  );
}
