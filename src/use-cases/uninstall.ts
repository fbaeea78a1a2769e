import type { CatalogIntegration } from '../catalog/catalog.js';
import { findRunningPlanChangeId } from '../db/installation-updates.js';
import { abortUninstall, beginUninstall, countLiveStoresOfInstallation, finishUninstall } from '../db/installations.js';
import type { Installation } from '../domain/installations.js';
import { ApiError } from '../errors.js';
import type { AppContext } from '../app-context.js';
import { isProviderError } from '../providers/provider-error.js';
import type { UserCaller } from '../providers/partner-client.js';
import { providerFor } from '../providers/provider-for.js';

export interface UninstallRequest {
  readonly installation: Installation;
  readonly integration: CatalogIntegration;
  /** Delete the stores with the installation; without it, stores make the uninstall refuse. */
  readonly cascade: boolean;
  readonly reason: string;
  readonly caller: UserCaller;
  /** The error to answer while the installation has `count` stores and `cascade` is off. */
  readonly refuse: (count: number) => ApiError;
}

/**
 * Uninstalls an installation, ordered against the creates in it (docs/uninstall-and-creates.md):
 * the installation moves to `uninstalling` first, in the database, and from then on no store of
 * it can go live on any replica (`markStoreLive`); a create in flight fails and is undone (its
 * charges refunded, its resource deleted), a row a crashed process left is undone by recovery.
 * Only then is the provider told, and the stores that were live are recorded deleted in the same
 * transaction that deletes the installation. A refusal or a provider failure puts it back to
 * `ready`. A partner answering `{finalized:false}` keeps its billing calls for a while longer.
 */
export async function uninstall(ctx: AppContext, request: UninstallRequest): Promise<void> {
  const { installation, integration, cascade } = request;
  // Stores not gone, provisioning ones included: a create in flight refuses a plain uninstall too.
  const before = await countLiveStoresOfInstallation(ctx.db, installation.id);
  if (before > 0 && !cascade) throw request.refuse(before);
  if (!(await beginUninstall(ctx.db, installation.id, ctx.now()))) {
    if ((await findRunningPlanChangeId(ctx.db, installation.id)) !== null) {
      throw new ApiError(
        'conflict',
        `The integration configuration ${installation.id} has a plan change in progress or being confirmed with the provider; uninstall it when that has finished (a few minutes at most).`,
      );
    }
    throw new ApiError('conflict', `The integration configuration ${installation.id} is being uninstalled by another request.`);
  }
  let finalized = true;
  try {
    if (!cascade) {
      // A create may have written its row between the count and the state change.
      const after = await countLiveStoresOfInstallation(ctx.db, installation.id);
      if (after > 0) throw request.refuse(after);
    }
    ({ finalized } = await providerFor(ctx.partners, ctx.providerBaseUrl, integration).deleteInstallation(
      installation.id,
      { cascadeResourceDeletion: cascade, reason: request.reason },
      request.caller,
    ));
  } catch (error) {
    await abortUninstall(ctx.db, installation.id, ctx.now());
    throw isProviderError(error) ? error.toApiError() : error;
  }
  const now = ctx.now();
  // `{finalized:false}`: gone for the team now, but the partner's billing calls are taken until
  // it finalizes or the wait ends (jobs/uninstall-finalization.ts, docs/partner-billing-and-sso.md).
  const finalizeBy = finalized ? null : now + (ctx.finalizationWaitMs ?? DEFAULT_FINALIZATION_WAIT_MS);
  await finishUninstall(ctx.db, installation.id, now, {
    cascade,
    finalizeBy,
    removedBy: { teamId: installation.teamId, integrationId: installation.integrationId, userId: request.caller.userId },
  });
}

/** Vercel postpones the final deletion of an installation by 24 h for final invoices (partner-api.md §1.1 #4). */
export const DEFAULT_FINALIZATION_WAIT_MS = 24 * 60 * 60 * 1000;
