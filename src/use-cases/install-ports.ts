import type { CatalogIntegration } from '../catalog/catalog.js';
import { hashToken } from '../crypto/secret-box.js';
import { isUniqueViolation } from '../db/errors.js';
import { deletePendingInstallation, findLiveInstallationOfIntegration, insertInstallation, markInstallationReady } from '../db/installations.js';
import type { Membership, Team, User } from '../domain/accounts.js';
import { newTokenValue } from '../domain/access-tokens.js';
import { installIntegration, type InstallPorts } from '../domain/install-integration.js';
import { installationAccount, type Installation } from '../domain/installations.js';
import type { AppContext } from '../app-context.js';
import { providerFor, userCaller } from '../providers/provider-for.js';

/** Binds the install use case to the database and the integration's provider. */
export function createInstallPorts(ctx: AppContext, integration: CatalogIntegration, actor: { user: User; team: Team; membership: Membership }): InstallPorts {
  const provider = providerFor(ctx.partners, ctx.providerBaseUrl, integration);
  return {
    findLive: (teamId, integrationId) => findLiveInstallationOfIntegration(ctx.db, teamId, integrationId),
    async insertPending(installation, accessTokenHash) {
      try {
        await insertInstallation(ctx.db, installation, accessTokenHash);
        return true;
      } catch (error) {
        if (isUniqueViolation(error)) return false;
        throw error;
      }
    },
    markReady: (id, hash, now) => markInstallationReady(ctx.db, id, hash, now),
    deletePending: (id) => deletePendingInstallation(ctx.db, id),
    async upsertAtProvider(installation, accessToken) {
      await provider.upsertInstallation(
        installation.id,
        {
          scopes: installation.scopes,
          acceptedPolicies: { toc: new Date(ctx.now()).toISOString() },
          credentials: { access_token: accessToken, token_type: 'Bearer' },
          account: installationAccount(actor.team, actor.user, ctx.publicUrl()),
        },
        userCaller(actor.user, actor.membership),
      );
    },
    newAccessToken() {
      const value = newTokenValue();
      return { value, hash: hashToken(value) };
    },
    now: ctx.now,
  };
}

/** Installs `integration` for the actor's team, as the actor (the route and the bootstrap both do this). */
export async function installForActor(ctx: AppContext, integration: CatalogIntegration, actor: { user: User; team: Team; membership: Membership }): Promise<Installation> {
  const { installation } = await installIntegration(createInstallPorts(ctx, integration, actor), {
    teamId: actor.team.id,
    userId: actor.user.id,
    integrationId: integration.id,
    source: 'marketplace',
  });
  return installation;
}
