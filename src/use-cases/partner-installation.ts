import { createHash, timingSafeEqual } from 'node:crypto';
import type { AppContext } from '../app-context.js';
import { hashToken } from '../crypto/secret-box.js';
import { currentInstallationTokenHash, revokeSupersededToken, rotateInstallationToken } from '../db/installation-tokens.js';
import { updateInstallationPartnerFields } from '../db/installations.js';
import { findMembership, findTeam, listMembers } from '../db/teams.js';
import { findUserById } from '../db/users.js';
import { newTokenValue } from '../domain/access-tokens.js';
import { installationAccount, type Installation, type InstallationAccount } from '../domain/installations.js';
import { toNotification } from '../domain/partner-resources.js';
import type { ProviderBillingPlan } from '../domain/provider-plans.js';
import { normalizeProviderPlan } from '../domain/provider-plans.js';
import { canWrite } from '../domain/roles.js';
import type { Notification } from '../domain/stores.js';
import { ApiError } from '../errors.js';

/*
 * The installation endpoints partners call with its access token (docs/partner-calls.md): Get
 * Account and Member Information, Update Installation, and rotating and revoking the token.
 */

/** How long a rotated token stays valid when the configuration says nothing: 24 hours. */
export const DEFAULT_TOKEN_OVERLAP_MS = 24 * 60 * 60 * 1000;

/** Get Account Information: the team, reached through whoever installed it or, if they left, its first owner. */
export async function accountOfInstallation(ctx: AppContext, installation: Installation): Promise<InstallationAccount> {
  const team = await findTeam(ctx.db, { id: installation.teamId });
  if (!team) throw new ApiError('not_found', `The team of ${installation.id} no longer exists.`);
  const members = await listMembers(ctx.db, team.id);
  const contact = members.find((m) => m.userId === installation.userId) ?? members.find((m) => m.role === 'OWNER');
  if (!contact) throw new ApiError('not_found', `The team of ${installation.id} has no member to contact.`);
  return installationAccount(team, contact, ctx.publicUrl());
}

/**
 * Get Member Information: a member of the installation's team by user id, with Vercel's role
 * (`ADMIN` for OWNER and MEMBER, who may change stores; `USER` for DEVELOPER, BILLING and VIEWER),
 * the same mapping as the `user_role` of the user-auth tokens partners get (provider-for.ts).
 * Anyone else, another team's member included, is 404.
 */
export async function memberOfInstallation(ctx: AppContext, installation: Installation, memberId: string): Promise<{ id: string; role: 'ADMIN' | 'USER'; userEmail: string }> {
  const membership = await findMembership(ctx.db, installation.teamId, memberId);
  const user = membership ? await findUserById(ctx.db, memberId) : undefined;
  if (!membership || !user) throw new ApiError('not_found', `${memberId} is not a member of the team of ${installation.id}.`);
  return { id: user.id, role: canWrite(membership.role) ? 'ADMIN' : 'USER', userEmail: user.email };
}

export interface InstallationUpdate {
  readonly status?: string;
  readonly externalId?: string;
  readonly billingPlan?: ProviderBillingPlan;
  readonly notification?: Notification | string | null;
}

/** Update Installation: records what the partner says of its installation; nothing is charged or changed besides. */
export async function updateInstallationByPartner(ctx: AppContext, installation: Installation, update: InstallationUpdate): Promise<void> {
  const notification = toNotification(update.notification);
  const written = await updateInstallationPartnerFields(
    ctx.db,
    installation.id,
    {
      ...(update.status !== undefined ? { status: update.status } : {}),
      ...(update.externalId !== undefined ? { externalId: update.externalId } : {}),
      ...(update.billingPlan !== undefined ? { billingPlan: JSON.stringify(normalizeProviderPlan(update.billingPlan)) } : {}),
      ...(notification !== undefined ? { notification: notification === null ? null : JSON.stringify(notification) } : {}),
    },
    ctx.now(),
  );
  if (!written) throw new ApiError('not_found', `The installation ${installation.id} was uninstalled.`);
}

/**
 * The integration's client secret must come with a rotation or a revocation, so that a leaked
 * access token alone cannot take the installation over. Compared in constant time (on digests, so
 * the lengths do not leak either). A `client_id`, when sent, must be the integration's.
 */
export function checkClientCredentials(ctx: AppContext, installation: Installation, given: { readonly client_secret: string; readonly client_id?: string | undefined }): void {
  const integration = ctx.catalog.findIntegration(installation.integrationId);
  const expected = integration?.clientSecret;
  if (!integration || expected === undefined) throw new ApiError('forbidden', `The integration of ${installation.id} has no client secret, so its credentials cannot be rotated or revoked.`);
  const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();
  if (!timingSafeEqual(digest(given.client_secret), digest(expected))) throw new ApiError('forbidden', 'The client secret is not this integration’s.');
  if (given.client_id !== undefined && given.client_id !== integration.clientId) throw new ApiError('forbidden', 'The client id is not this integration’s.');
}

/**
 * Rotate Installation Credential: a new token becomes current; the one current until now (whichever
 * live token authenticated the call) stays valid for the overlap, then is refused. A rotation that
 * races another answers 409, as does one while the install is unfinished; one that races an
 * uninstall answers 404, and the uninstall ends every token of the installation anyway.
 */
export async function rotateInstallationCredential(ctx: AppContext, installation: Installation): Promise<{ accessToken: string; scope: string }> {
  // While Stockroom still installs it, finishing the install writes the token it sent in the
  // upsert (markInstallationReady), which would silently undo a rotation made meanwhile.
  if (installation.status === 'pending') throw new ApiError('conflict', `The installation ${installation.id} is still being installed; rotate once it is ready.`);
  const currentHash = await currentInstallationTokenHash(ctx.db, installation.id);
  if (!currentHash) throw new ApiError('not_found', `The installation ${installation.id} was uninstalled.`);
  const accessToken = newTokenValue();
  const now = ctx.now();
  const outcome = await rotateInstallationToken(ctx.db, installation.id, {
    currentHash,
    newHash: hashToken(accessToken),
    overlapUntil: now + (ctx.installationTokenOverlapMs ?? DEFAULT_TOKEN_OVERLAP_MS),
    now,
  });
  if (outcome === 'gone') throw new ApiError('not_found', `The installation ${installation.id} was uninstalled.`);
  if (outcome === 'raced') throw new ApiError('conflict', `Another rotation of ${installation.id}'s credential finished first; use its token, or rotate again.`);
  return { accessToken, scope: installation.scopes.join(' ') };
}

/**
 * Revoke Installation Credential: retires a superseded token before its overlap ends. The current
 * token is the installation's last one that does not expire, so it is never revoked (409): rotate
 * first. A token the installation never had is 404.
 */
export async function revokeInstallationCredential(ctx: AppContext, installation: Installation, token: string): Promise<{ revoked: boolean; alreadyRevoked: boolean }> {
  const hash = hashToken(token);
  const currentHash = await currentInstallationTokenHash(ctx.db, installation.id);
  if (!currentHash) throw new ApiError('not_found', `The installation ${installation.id} was uninstalled.`);
  if (hash === currentHash) throw new ApiError('conflict', 'This is the installation’s current credential, its last one that does not expire: rotate it first, then revoke it.');
  const outcome = await revokeSupersededToken(ctx.db, installation.id, hash, ctx.now());
  if (outcome === 'unknown') throw new ApiError('not_found', `The token is not a credential of ${installation.id}.`);
  return { revoked: true, alreadyRevoked: outcome === 'already_revoked' };
}
