import type { Kysely, Selectable } from 'kysely';
import type { BillingState, Membership, Team } from '../domain/accounts.js';
import type { Role } from '../domain/roles.js';
import { keysetPageOf, type KeysetPageQuery } from './keyset.js';
import type { DB, MembershipsTable, TeamsTable } from './schema.js';

export function teamFromRow(row: Selectable<TeamsTable>): Team {
  return {
    id: row.id,
    slug: row.slug,
    name: row.name,
    creatorId: row.creator_id,
    billingState: row.billing_state as BillingState,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function membershipFromRow(row: Selectable<MembershipsTable>): Membership {
  return { teamId: row.team_id, userId: row.user_id, role: row.role as Role, createdAt: row.created_at };
}

export async function findTeam(db: Kysely<DB>, by: { id: string } | { slug: string }): Promise<Team | undefined> {
  const query = db.selectFrom('teams').selectAll();
  const row = await ('id' in by ? query.where('id', '=', by.id) : query.where('slug', '=', by.slug)).executeTakeFirst();
  return row ? teamFromRow(row) : undefined;
}

export async function insertTeam(db: Kysely<DB>, team: Team): Promise<void> {
  await db
    .insertInto('teams')
    .values({
      id: team.id,
      slug: team.slug,
      name: team.name,
      creator_id: team.creatorId,
      billing_state: team.billingState,
      created_at: team.createdAt,
      updated_at: team.updatedAt,
    })
    .execute();
}

export async function setTeamBillingState(db: Kysely<DB>, teamId: string, state: BillingState, now: number): Promise<void> {
  await db.updateTable('teams').set({ billing_state: state, updated_at: now }).where('id', '=', teamId).execute();
}

export async function findMembership(db: Kysely<DB>, teamId: string, userId: string): Promise<Membership | undefined> {
  const row = await db
    .selectFrom('memberships')
    .selectAll()
    .where('team_id', '=', teamId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return row ? membershipFromRow(row) : undefined;
}

export async function upsertMembership(db: Kysely<DB>, m: Membership): Promise<void> {
  await db
    .insertInto('memberships')
    .values({ team_id: m.teamId, user_id: m.userId, role: m.role, created_at: m.createdAt })
    .onConflict((oc) => oc.columns(['team_id', 'user_id']).doUpdateSet({ role: m.role }))
    .execute();
}

export async function deleteMembership(db: Kysely<DB>, teamId: string, userId: string): Promise<void> {
  await db.deleteFrom('memberships').where('team_id', '=', teamId).where('user_id', '=', userId).execute();
}

export interface TeamWithRole {
  readonly team: Team;
  readonly membership: Membership;
}

/** The user's teams, newest first, ties by id, from an exact position (docs/rules.md §7, `KeysetPageQuery`). */
export async function listTeamsOfUser(
  db: Kysely<DB>,
  userId: string,
  page: KeysetPageQuery & { readonly onlyTeamId?: string | null },
): Promise<TeamWithRole[]> {
  let query = db
    .selectFrom('teams')
    .innerJoin('memberships', 'memberships.team_id', 'teams.id')
    .selectAll('teams')
    .select(['memberships.role as m_role', 'memberships.created_at as m_created_at'])
    .where('memberships.user_id', '=', userId);
  if (page.onlyTeamId) query = query.where('teams.id', '=', page.onlyTeamId);
  const rows = await keysetPageOf(query, page, 'teams').execute();
  return rows.map((row) => ({
    team: teamFromRow(row),
    membership: { teamId: row.id, userId, role: row.m_role as Role, createdAt: row.m_created_at },
  }));
}

export async function listMembers(db: Kysely<DB>, teamId: string): Promise<Array<Membership & { email: string; username: string; name: string | null }>> {
  const rows = await db
    .selectFrom('memberships')
    .innerJoin('users', 'users.id', 'memberships.user_id')
    .select(['memberships.team_id', 'memberships.user_id', 'memberships.role', 'memberships.created_at', 'users.email', 'users.username', 'users.name'])
    .where('memberships.team_id', '=', teamId)
    .orderBy('memberships.created_at', 'asc')
    .execute();
  return rows.map((r) => ({ ...membershipFromRow(r), email: r.email, username: r.username, name: r.name }));
}
