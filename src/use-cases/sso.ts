import { findInvoice } from '../db/invoices.js';
import { timingSafeEqual } from 'node:crypto';
import { hashToken } from '../crypto/secret-box.js';
import { randomText } from '../crypto/random-text.js';
import { resolvePartnerUrl, type CatalogIntegration } from '../catalog/catalog.js';
import { findLiveInstallation } from '../db/installations.js';
import { findProjectOfTeam } from '../db/projects.js';
import { findLiveStoreOfInstallation } from '../db/store-reads.js';
import { consumeSsoCode, findSsoCodeIntegration, insertSsoCode } from '../db/sso-codes.js';
import { findUserById } from '../db/users.js';
import type { Store } from '../domain/stores.js';
import { ApiError } from '../errors.js';
import type { AppContext } from '../app-context.js';
import type { UserCaller } from '../providers/partner-client.js';

/** How long an SSO code may wait for its exchange: the partner exchanges it as the browser lands. */
export const SSO_CODE_TTL_MS = 5 * 60 * 1000;

/** The integration of a live installation of the team, when it offers SSO (has a Redirect Login URL). */
export async function ssoIntegrationOf(ctx: AppContext, teamId: string, installationId: string): Promise<CatalogIntegration | undefined> {
  const installation = await findLiveInstallation(ctx.db, teamId, installationId);
  const integration = installation ? ctx.catalog.findIntegration(installation.integrationId) : undefined;
  return integration?.redirectLoginUrl ? integration : undefined;
}

export interface SsoStart {
  /** The store the person opens; absent for the installation's dashboard (`vercel integration open`). */
  readonly store?: Store;
  readonly teamId: string;
  readonly installationId: string;
  readonly caller: UserCaller;
  readonly projectId?: string;
  readonly invoiceId?: string;
}

/** "Open in provider" from a store: the store's installation's integration must have a Redirect Login URL (else 404). */
export async function startStoreSso(ctx: AppContext, start: Omit<SsoStart, 'teamId' | 'installationId'> & { readonly store: Store }): Promise<{ url: string; expiresAt: number }> {
  const { store } = start;
  const integration = await ssoIntegrationOf(ctx, store.teamId, store.installationId);
  if (!integration?.redirectLoginUrl) throw new ApiError('not_found', `The integration of the store ${store.id} offers no sign-in to its dashboard (no redirect login URL).`);
  return startSso(ctx, integration, integration.redirectLoginUrl, { ...start, teamId: store.teamId, installationId: store.installationId });
}

/**
 * A one-time code bound to the user, team, installation, resource (if any) and a fresh `state`,
 * kept only as a hash for `SSO_CODE_TTL_MS`, and `landing` (a partner URL of the catalog: its
 * Redirect Login URL, or its sandbox claim page) carrying it with `state`, `resource_id` (the
 * partner's id) and, where given, `project_id` and `invoice_id` (partner-api.md §1.3).
 */
export async function startSso(ctx: AppContext, integration: CatalogIntegration, landing: string, start: SsoStart): Promise<{ url: string; expiresAt: number }> {
  const { store, caller } = start;
  if (start.projectId !== undefined && !(await findProjectOfTeam(ctx.db, start.teamId, start.projectId))) {
    throw new ApiError('not_found', `The project ${start.projectId} was not found.`, { param: 'projectId' });
  }
  // The partner signs the person in to this invoice: it must be one of this installation's.
  if (start.invoiceId !== undefined && !(await findInvoice(ctx.db, start.invoiceId, start.installationId))) {
    throw new ApiError('not_found', `The invoice ${start.invoiceId} was not found.`, { param: 'invoiceId' });
  }
  const code = randomText(43);
  const state = randomText(24);
  const now = ctx.now();
  const expiresAt = now + SSO_CODE_TTL_MS;
  const resourceId = store?.externalResourceId ?? null;
  await insertSsoCode(
    ctx.db,
    hashToken(code),
    {
      state,
      userId: caller.userId,
      teamId: start.teamId,
      installationId: start.installationId,
      integrationId: integration.id,
      userRole: caller.userRole,
      storeId: store?.id ?? null,
      resourceId,
      projectId: start.projectId ?? null,
      invoiceId: start.invoiceId ?? null,
      nonce: null,
      expiresAt,
    },
    now,
  );
  const url = new URL(resolvePartnerUrl(landing, ctx.providerBaseUrl));
  url.searchParams.set('code', code);
  url.searchParams.set('state', state);
  if (resourceId) url.searchParams.set('resource_id', resourceId);
  if (start.projectId !== undefined) url.searchParams.set('project_id', start.projectId);
  if (start.invoiceId !== undefined) url.searchParams.set('invoice_id', start.invoiceId);
  return { url: url.toString(), expiresAt };
}

export interface SsoExchange {
  /** Required with the `authorization_code` grant, the only one Stockroom issues. */
  readonly code?: string;
  readonly state?: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly grantType?: string;
}

/**
 * SSO Token Exchange: the partner's client id and secret first (403, and the code is not used
 * up), then the code — unknown, of another integration, with another `state`, expired or already
 * used: 400 — and only then is it used, once, for an `id_token` signed with Stockroom's keys.
 */
export async function exchangeSsoCode(ctx: AppContext, exchange: SsoExchange): Promise<{ idToken: string }> {
  const integration = ctx.catalog.integrations.find((i) => i.clientId === exchange.clientId);
  if (!integration || !integration.clientSecret || !sameSecret(integration.clientSecret, exchange.clientSecret)) {
    throw new ApiError('forbidden', 'The client id and client secret do not match an integration.');
  }
  if (exchange.grantType !== undefined && exchange.grantType !== 'authorization_code') {
    throw new ApiError('bad_request', `The grant type ${exchange.grantType} is not supported: Stockroom issues no refresh tokens, exchange a code with grant_type authorization_code.`, { param: 'grant_type' });
  }
  if (exchange.code === undefined) throw new ApiError('bad_request', 'The code is required: exchange the one-time code from the redirect.', { param: 'code' });
  const codeHash = hashToken(exchange.code);
  const issued = await findSsoCodeIntegration(ctx.db, codeHash);
  if (!issued || issued.integrationId !== integration.id) throw invalidCode();
  if (exchange.state !== undefined && exchange.state !== issued.state) throw new ApiError('bad_request', 'The state does not match the one sent with the code.', { param: 'state' });
  const grant = await consumeSsoCode(ctx.db, codeHash, ctx.now());
  if (!grant) throw invalidCode();
  const user = await findUserById(ctx.db, grant.userId);
  const idToken = await ctx.signer.signIdToken({
    audience: integration.clientId,
    accountId: grant.teamId,
    installationId: grant.installationId,
    userId: grant.userId,
    userRole: grant.userRole,
    ...(user?.email ? { userEmail: user.email } : {}),
    ...(user?.name ? { userName: user.name } : {}),
    ...(grant.resourceId !== null ? { resourceId: grant.resourceId } : {}),
    ...(grant.projectId !== null ? { projectId: grant.projectId } : {}),
    ...(grant.invoiceId !== null ? { invoiceId: grant.invoiceId } : {}),
    ...(grant.nonce !== null ? { nonce: grant.nonce } : {}),
  });
  return { idToken };
}

function invalidCode(): ApiError {
  return new ApiError('bad_request', 'The code is invalid, expired or already used.', { param: 'code' });
}

/** Compares two secrets in time independent of where they differ (by their hashes, so lengths need not match). */
function sameSecret(expected: string, given: string): boolean {
  return timingSafeEqual(Buffer.from(hashToken(expected), 'utf8'), Buffer.from(hashToken(given), 'utf8'));
}

export interface MarketplaceSsoLink {
  readonly teamId: string;
  readonly installationId: string;
  /** The partner's resource id (`resource_id` of the link), for a resource's dashboard. */
  readonly resourceId?: string;
  readonly caller: UserCaller;
}

/**
 * The link `vercel integration open` prints (`/api/marketplace/sso?teamId&integrationConfigurationId&resource_id`):
 * the installation must be a live one of the team (404), the resource a live store of it (404),
 * and the integration must have a Redirect Login URL (404); then the same one-time code as
 * "Open in provider", for the installation or the store.
 */
export async function startMarketplaceSso(ctx: AppContext, link: MarketplaceSsoLink): Promise<{ url: string; expiresAt: number }> {
  const installation = await findLiveInstallation(ctx.db, link.teamId, link.installationId);
  if (!installation) throw new ApiError('not_found', `The installation ${link.installationId} was not found.`, { param: 'integrationConfigurationId' });
  const store = link.resourceId === undefined ? undefined : await findLiveStoreOfInstallation(ctx.db, installation.id, link.resourceId);
  if (link.resourceId !== undefined && !store) throw new ApiError('not_found', `The resource ${link.resourceId} was not found in ${installation.id}.`, { param: 'resource_id' });
  const integration = ctx.catalog.findIntegration(installation.integrationId);
  if (!integration?.redirectLoginUrl) throw new ApiError('not_found', `The integration of the installation ${installation.id} offers no sign-in to its dashboard (no redirect login URL).`);
  return startSso(ctx, integration, integration.redirectLoginUrl, { teamId: link.teamId, installationId: installation.id, caller: link.caller, ...(store ? { store } : {}) });
}
