import type { BootstrapResult } from './bootstrap.js';
import { installForActor } from './use-cases/install-ports.js';
import { isUniqueViolation } from './db/errors.js';
import { findMembership, findTeam } from './db/teams.js';
import { findUserById } from './db/users.js';
import type { AppContext } from './app-context.js';

const MARKER = 'bootstrap_installations';

/**
 * Installs the built-in integrations for the bootstrap team, once per database (a marker row
 * records it, so an owner who uninstalls one does not see it come back on the next start). A
 * failure is logged and retried on the next start rather than stopping this one.
 */
export async function installBootstrapIntegrations(ctx: AppContext, bootstrap: BootstrapResult): Promise<void> {
  const done = await ctx.db.selectFrom('instance_settings').select('key').where('key', '=', MARKER).executeTakeFirst();
  if (done) return;
  const [user, team, membership] = await Promise.all([
    findUserById(ctx.db, bootstrap.userId),
    findTeam(ctx.db, { id: bootstrap.teamId }),
    findMembership(ctx.db, bootstrap.teamId, bootstrap.userId),
  ]);
  if (!user || !team || !membership) return;
  const installed: string[] = [];
  for (const integration of ctx.catalog.integrations.filter((i) => i.providerBaseUrl.startsWith('builtin:'))) {
    try {
      const installation = await installForActor(ctx, integration, { user, team, membership });
      installed.push(installation.id);
      ctx.logger.info({ integration: integration.slug, installation: installation.id, team: team.slug }, 'installed built-in integration for the bootstrap team');
    } catch (error) {
      ctx.logger.warn({ err: error, integration: integration.slug }, 'could not install a built-in integration for the bootstrap team; retrying on next start');
      return;
    }
  }
  try {
    await ctx.db.insertInto('instance_settings').values({ key: MARKER, value: JSON.stringify(installed), created_at: ctx.now() }).execute();
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
  }
}
