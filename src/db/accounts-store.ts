import type { Kysely } from 'kysely';
import { hashToken } from '../crypto/secret-box.js';
import type { AccessToken, Team, User } from '../domain/accounts.js';
import { newTokenValue } from '../domain/access-tokens.js';
import { newId } from '../domain/ids.js';
import { leavesTeamWithoutOwner, marketplaceRoleOf, type Role } from '../domain/roles.js';
import { memberChangedEvent, type MarketplaceRole } from '../domain/webhook-events.js';
import { ApiError } from '../errors.js';
import { isUniqueViolation, uniqueViolationTarget } from './errors.js';
import type { DB } from './schema.js';
import { deleteMembership, findMembership, insertTeam, upsertMembership } from './teams.js';
import { insertToken } from './tokens.js';
import { insertUser, setDefaultTeam } from './users.js';
import { enqueueWebhookEvent } from './webhook-outbox.js';

/**
 * Account operations that touch several tables, each in one transaction, so a crash leaves
 * either all of it or none. Uniqueness is the database's job (unique slugs, emails, usernames),
 * which is what keeps several replicas on one PostgreSQL correct.
 */

/**
 * `marketplace.member.changed` to every installation of the team, in the membership change's
 * transaction, when the member's role as integrations see it changed (docs/webhooks.md).
 */
async function enqueueMemberChanged(
  trx: Kysely<DB>,
  input: { teamId: string; userId: string; role: Role | null; now: number; actorId?: string },
  previousRole: MarketplaceRole | null,
): Promise<void> {
  const role = input.role ? marketplaceRoleOf(input.role) : null;
  if (role === previousRole) return;
  const installations = await trx.selectFrom('installations').select(['id', 'integration_id']).where('team_id', '=', input.teamId).where('deleted_at', 'is', null).where('status', '=', 'ready').orderBy('id').execute();
  for (const installation of installations) {
    const event = memberChangedEvent({ installationId: installation.id, teamId: input.teamId, userId: input.actorId ?? null, memberId: input.userId, role, previousRole });
    await enqueueWebhookEvent(trx, { ...event, installationId: installation.id, teamId: input.teamId, integrationId: installation.integration_id, now: input.now });
  }
}

/** Creates a team with its creator as OWNER. Slug taken → 409 `conflict`. */
export async function createTeam(db: Kysely<DB>, input: { slug: string; name: string; creatorId: string; now: number }): Promise<Team> {
  const team: Team = {
    id: newId('team'),
    slug: input.slug,
    name: input.name,
    creatorId: input.creatorId,
    billingState: 'active',
    createdAt: input.now,
    updatedAt: input.now,
  };
  try {
    await db.transaction().execute(async (trx) => {
      await insertTeam(trx, team);
      await upsertMembership(trx, { teamId: team.id, userId: input.creatorId, role: 'OWNER', createdAt: input.now });
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw new ApiError('conflict', `The team slug "${input.slug}" is already in use.`, { param: 'slug' });
    throw error;
  }
  return team;
}

/**
 * Creates a user with a team of their own (their default team, as Vercel's "northstar" accounts
 * have). Email or username taken → 409 `conflict`.
 */
export async function createUserWithTeam(
  db: Kysely<DB>,
  input: { email: string; username: string; name: string | null; isAdmin: boolean; teamSlug: string; teamName: string; now: number },
): Promise<{ user: User; team: Team }> {
  const userId = newId('user');
  const teamId = newId('team');
  const user: User = {
    id: userId,
    email: input.email,
    name: input.name,
    username: input.username,
    defaultTeamId: teamId,
    isAdmin: input.isAdmin,
    createdAt: input.now,
    updatedAt: input.now,
  };
  const team: Team = { id: teamId, slug: input.teamSlug, name: input.teamName, creatorId: userId, billingState: 'active', createdAt: input.now, updatedAt: input.now };
  try {
    await db.transaction().execute(async (trx) => {
      await insertUser(trx, { ...user, defaultTeamId: null });
      await insertTeam(trx, team);
      await upsertMembership(trx, { teamId, userId, role: 'OWNER', createdAt: input.now });
      await setDefaultTeam(trx, userId, teamId, input.now);
    });
  } catch (error) {
    if (isUniqueViolation(error)) {
      const target = uniqueViolationTarget(error);
      const field = target.includes('email') ? 'email' : target.includes('username') ? 'username' : 'slug';
      throw new ApiError('conflict', `The ${field} is already in use.`, { param: field });
    }
    throw error;
  }
  return { user, team };
}

/** Issues a token; the value is returned once and only its hash is stored. */
export async function issueToken(
  db: Kysely<DB>,
  input: { userId: string; name: string; teamId: string | null; expiresAt: number | null; origin: string; now: number; value?: string },
): Promise<{ token: AccessToken; value: string }> {
  const value = input.value ?? newTokenValue();
  const token: AccessToken = {
    id: newId('tok'),
    userId: input.userId,
    name: input.name,
    teamId: input.teamId,
    origin: input.origin,
    expiresAt: input.expiresAt,
    revokedAt: null,
    createdAt: input.now,
    activeAt: input.now,
  };
  await insertToken(db, token, hashToken(value));
  return { token, value };
}

/**
 * Adds a member, changes their role, or removes them (`role: null`), unless that would leave the
 * team without an OWNER: then nothing changes and the answer is `'last_owner'`.
 *
 * The team's row is written first, which makes this transaction the team's only membership
 * writer until it ends (a row lock on PostgreSQL; SQLite has one writer anyway): two OWNERs
 * demoting each other at once are then counted one after the other, and the second is refused.
 */
export async function changeMembership(
  db: Kysely<DB>,
  input: { teamId: string; userId: string; role: Role | null; now: number; actorId?: string },
): Promise<'changed' | 'last_owner'> {
  return db.transaction().execute(async (trx) => {
    await trx.updateTable('teams').set((eb) => ({ updated_at: eb.ref('updated_at') })).where('id', '=', input.teamId).execute();
    const current = await findMembership(trx, input.teamId, input.userId);
    const owners = await trx
      .selectFrom('memberships')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .where('team_id', '=', input.teamId)
      .where('role', '=', 'OWNER')
      .executeTakeFirstOrThrow();
    if (leavesTeamWithoutOwner(current?.role ?? null, input.role, Number(owners.n))) return 'last_owner';
    if (input.role === null) await deleteMembership(trx, input.teamId, input.userId);
    else await upsertMembership(trx, { teamId: input.teamId, userId: input.userId, role: input.role, createdAt: current?.createdAt ?? input.now });
    await enqueueMemberChanged(trx, input, current ? marketplaceRoleOf(current.role) : null);
    return 'changed';
  });
}
