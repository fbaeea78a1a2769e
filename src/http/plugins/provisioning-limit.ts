import { countProvisioningStoresOfTeam } from '../../db/provisioning-stores.js';
import { ApiError } from '../../errors.js';
import type { AnyFastify } from '../app-type.js';
import type { AppContext } from '../context.js';
import { CREATE_STORE_ROUTE } from './rate-limit.js';

/** Seconds a team at its limit is told to wait: about how long a create takes. */
const RETRY_AFTER_SECONDS = 5;

/**
 * A team may have at most `perTeam` stores being provisioned at once; one more create is 429
 * `rate_limited`, in the same shape as the token limits. It protects providers from a burst of
 * creates by one team (a retry storm, a runaway script). `0` turns it off.
 *
 * Checked before the handler with a count, not inside the create's insert: requests that pass the
 * check at the same moment may overshoot the limit by their number. That bound is fine for a
 * guard against bursts, and keeps the create path free of a team-wide lock.
 */
export function registerProvisioningLimit(app: AnyFastify, ctx: AppContext, perTeam: number): void {
  if (perTeam <= 0) return;
  // preHandler, after body validation and after the idempotency hook: a replay is answered even at
  // the limit, and this 429 is not stored under the key (the retry it asks for can use it).
  app.addHook('preHandler', async (request) => {
    if (request.method !== 'POST' || request.routeOptions.url !== CREATE_STORE_ROUTE || !request.team) return;
    const provisioning = await countProvisioningStoresOfTeam(ctx.db, request.team.id);
    if (provisioning < perTeam) return;
    const resetMs = ctx.now() + RETRY_AFTER_SECONDS * 1000;
    throw new ApiError(
      'rate_limited',
      `Team ${request.team.slug} already has ${provisioning} stores being provisioned, the most it may have at once (${perTeam}); retry when one has finished.`,
      { limit: { remaining: 0, reset: Math.ceil(resetMs / 1000), resetMs, total: perTeam } },
      { 'retry-after': String(RETRY_AFTER_SECONDS) },
    );
  });
}
