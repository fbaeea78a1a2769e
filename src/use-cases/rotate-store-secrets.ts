import { randomUUID } from 'node:crypto';
import type { AppContext } from '../app-context.js';
import { findVisibleStoreOfTeam } from '../db/store-reads.js';
import { replaceStoreSecrets } from '../db/store-secrets.js';
import type { Membership, User } from '../domain/accounts.js';
import { toSecretValue } from '../domain/env-vars.js';
import type { SecretInfo } from '../domain/stores.js';
import { ApiError } from '../errors.js';
import type { SecretsRotation } from '../providers/partner-client.js';
import { isProviderError } from '../providers/provider-error.js';
import { providerFor, userCaller } from '../providers/provider-for.js';

export interface RotationRequest {
  readonly reason?: string;
  /** Hours the old secrets stay valid (partner-api.md §1.1 #10). */
  readonly delayOldSecretsExpirationHours?: number;
}

/**
 * Asks the provider of the team's live store `storeId` for new secrets ("Request Secrets
 * Rotation", partner-api.md §1.1 #10) and, when it answers them at once (`sync`), stores them
 * sealed; a provider that rotates later pushes them through Update Resource Secrets. Returns the
 * secrets' names and lengths, never values.
 */
export async function rotateStoreSecrets(
  ctx: AppContext,
  actor: { readonly user: User; readonly membership: Membership },
  storeId: string,
  request: RotationRequest,
): Promise<{ readonly sync: false } | { readonly sync: true; readonly secrets: SecretInfo[] }> {
  const store = await findVisibleStoreOfTeam(ctx.db, actor.membership.teamId, storeId);
  if (!store || store.lifecycle !== 'live' || store.externalResourceId === null) throw new ApiError('not_found', `The store ${storeId} was not found.`);
  const integration = ctx.catalog.findIntegration(store.integrationId);
  if (!integration) throw new ApiError('internal_server_error', `The integration of store ${store.id} is no longer in the catalog.`);

  let rotation: SecretsRotation;
  try {
    rotation = await providerFor(ctx.partners, ctx.providerBaseUrl, integration).rotateSecrets(
      store.installationId,
      store.externalResourceId,
      request,
      userCaller(actor.user, actor.membership),
      // One key per request, reused by the client's own retries of it.
      { idempotencyKey: `rotate-${store.id}-${randomUUID()}` },
    );
  } catch (error) {
    throw isProviderError(error) ? error.toApiError() : error;
  }
  if (!rotation.sync) return { sync: false };
  const secrets = await replaceStoreSecrets(ctx.db, ctx.secretBox, store.id, rotation.secrets.map(toSecretValue), { partial: rotation.partial === true, now: ctx.now() });
  return { sync: true, secrets };
}
