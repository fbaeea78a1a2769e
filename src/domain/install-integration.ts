import { ApiError } from '../errors.js';
import type { Installation } from './installations.js';
import { DEFAULT_INSTALLATION_SCOPES } from './installations.js';
import { newId } from './ids.js';

/** What installing needs from the outside world (implemented over the database and the partner client). */
export interface InstallPorts {
  findLive(teamId: string, integrationId: string): Promise<Installation | undefined>;
  /** Inserts a pending installation; false when the team already has a live one (unique index). */
  insertPending(installation: Installation, accessTokenHash: string): Promise<boolean>;
  markReady(id: string, accessTokenHash: string, now: number): Promise<void>;
  deletePending(id: string): Promise<void>;
  /** Calls the provider's Upsert Installation (partner-api.md §1.1 #1). */
  upsertAtProvider(installation: Installation, accessToken: string): Promise<void>;
  newAccessToken(): { value: string; hash: string };
  now(): number;
}

export interface InstallCommand {
  readonly teamId: string;
  readonly userId: string;
  readonly integrationId: string;
  readonly source: string;
}

/**
 * Installs an integration for a team, or returns the live installation it already has (so a
 * retried install is harmless). The row is written `pending` before the provider is called and
 * becomes `ready` after; a provider failure removes the pending row, so nothing half-installed
 * stays. A pending row left by a crash is finished by the next install call.
 */
export async function installIntegration(ports: InstallPorts, command: InstallCommand): Promise<{ installation: Installation; created: boolean }> {
  const existing = await ports.findLive(command.teamId, command.integrationId);
  if (existing?.status === 'ready') return { installation: existing, created: false };
  if (existing?.status === 'uninstalling') {
    throw new ApiError('conflict', `The integration ${command.integrationId} is being uninstalled for this team; retry once it is gone.`);
  }
  const installation: Installation =
    existing ??
    {
      id: newId('icfg'),
      teamId: command.teamId,
      integrationId: command.integrationId,
      userId: command.userId,
      scopes: [...DEFAULT_INSTALLATION_SCOPES],
      source: command.source,
      status: 'pending',
      createdAt: ports.now(),
      updatedAt: ports.now(),
      deletedAt: null,
    };
  const token = ports.newAccessToken();
  if (!existing) {
    const inserted = await ports.insertPending(installation, token.hash);
    if (!inserted) {
      // Another request (or replica) is installing the same integration right now.
      const winner = await ports.findLive(command.teamId, command.integrationId);
      if (winner?.status === 'ready') return { installation: winner, created: false };
      throw new ApiError('conflict', `The integration ${command.integrationId} is being installed for this team by another request; retry shortly.`);
    }
  }
  try {
    await ports.upsertAtProvider(installation, token.value);
  } catch (error) {
    if (!existing) await ports.deletePending(installation.id);
    throw error;
  }
  const now = ports.now();
  await ports.markReady(installation.id, token.hash, now);
  return { installation: { ...installation, status: 'ready', updatedAt: now }, created: !existing };
}
