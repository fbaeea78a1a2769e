import type { AppContext } from '../app-context.js';
import { findLiveInstallation } from '../db/installations.js';
import { insertStoreClaim } from '../db/store-claims.js';
import { findLiveStoreOfInstallation } from '../db/store-reads.js';
import { newId } from '../domain/ids.js';
import { ApiError } from '../errors.js';
import type { UserCaller } from '../providers/partner-client.js';
import { startSso } from './sso.js';

export interface ClaimRequest {
  readonly teamId: string;
  readonly installationId: string;
  /** The store's id or the partner's resource id. */
  readonly resourceId: string;
  readonly caller: UserCaller;
  /** What the client said it is (`cli`); `api` when it said nothing. */
  readonly source: string;
}

/**
 * A claim URL for a sandbox store (docs/resources-and-sso-links.md): the partner's claim page
 * (catalog `sandboxClaimUrl`) with a one-time SSO code for the person asking, recorded as an open
 * claim. The claim completes when the partner changes the store's ownership (Update Resource).
 *
 * The order and wording of refusals follow what `vercel integration resource claim` reads: a 404
 * whose message names the installation, a 404 for the resource, a 400 naming `sandbox` for a
 * store that is not one, a 400 naming the integration when it has no claim page.
 */
export async function startSandboxClaim(ctx: AppContext, request: ClaimRequest): Promise<{ claimUrl: string }> {
  const installation = await findLiveInstallation(ctx.db, request.teamId, request.installationId);
  if (!installation) throw new ApiError('not_found', `The installation ${request.installationId} was not found.`);
  const store = await findLiveStoreOfInstallation(ctx.db, installation.id, request.resourceId);
  if (!store) throw new ApiError('not_found', `The resource ${request.resourceId} was not found in ${installation.id}.`);
  if (store.ownership !== 'sandbox') {
    throw new ApiError('bad_request', `The resource ${store.name} is not a sandbox resource (its ownership is ${store.ownership ?? 'owned'}), so it cannot be claimed.`);
  }
  const integration = ctx.catalog.findIntegration(installation.integrationId);
  if (!integration?.sandboxClaimUrl) {
    throw new ApiError('bad_request', `The integration ${integration?.slug ?? installation.integrationId} offers no claim page (no sandboxClaimUrl in the catalog).`);
  }
  const { url, expiresAt } = await startSso(ctx, integration, integration.sandboxClaimUrl, {
    store,
    teamId: store.teamId,
    installationId: installation.id,
    caller: request.caller,
  });
  await insertStoreClaim(ctx.db, {
    id: newId('clm'),
    storeId: store.id,
    teamId: store.teamId,
    installationId: installation.id,
    userId: request.caller.userId,
    source: request.source,
    expiresAt,
    createdAt: ctx.now(),
  });
  return { claimUrl: url };
}
