import type { Kysely, Selectable } from 'kysely';
import type { AccessToken, Membership, Team, User } from '../domain/accounts.js';
import type { Role } from '../domain/roles.js';
import { preparedQuery } from './prepared-queries.js';
import type { DB, TeamsTable } from './schema.js';
import { teamFromRow } from './teams.js';
import { tokenFromRow } from './tokens.js';
import { userFromRow } from './users.js';

// The lookups the auth hook makes on every request, each one query instead of two: a token with
// its user, and a team with the caller's membership (issue 7).

/** The token with this hash and the user it belongs to. */
export async function findTokenWithUser(db: Kysely<DB>, tokenHash: string): Promise<{ token: AccessToken; user: User | undefined } | undefined> {
  const row = await db
    .selectFrom('tokens')
    .leftJoin('users', 'users.id', 'tokens.user_id')
    .selectAll('tokens')
    .select([
      'users.id as u_id',
      'users.email as u_email',
      'users.name as u_name',
      'users.username as u_username',
      'users.default_team_id as u_default_team_id',
      'users.is_admin as u_is_admin',
      'users.created_at as u_created_at',
      'users.updated_at as u_updated_at',
    ])
    .where('tokens.token_hash', '=', tokenHash)
    .executeTakeFirst();
  if (!row) return undefined;
  const user =
    row.u_id === null
      ? undefined
      : userFromRow({
          id: row.u_id,
          email: row.u_email ?? '',
          name: row.u_name,
          username: row.u_username ?? '',
          default_team_id: row.u_default_team_id,
          is_admin: row.u_is_admin ?? 0,
          created_at: row.u_created_at ?? 0,
          updated_at: row.u_updated_at ?? 0,
        });
  return { token: tokenFromRow(row), user };
}

/** The team, by id or slug, and the user's membership in it (undefined when not a member). */
export async function findTeamWithMembership(
  db: Kysely<DB>,
  by: { id: string } | { slug: string },
  userId: string,
): Promise<{ team: Team; membership: Membership | undefined } | undefined> {
  const row = await ('id' in by ? teamByIdWithMembership.first(db, { team: by.id, userId }) : teamBySlugWithMembership.first(db, { team: by.slug, userId }));
  if (!row) return undefined;
  const membership = row.m_role === null ? undefined : { teamId: row.id, userId, role: row.m_role as Role, createdAt: row.m_created_at ?? 0 };
  return { team: teamFromRow(row), membership };
}

type TeamWithMembershipRow = Selectable<TeamsTable> & { m_role: string | null; m_created_at: number | null };

// Prepared once (prepared-queries.ts): every request that names a team runs one of these.
const teamWithMembership = (column: 'teams.id' | 'teams.slug') =>
  preparedQuery<{ team: string; userId: string }, TeamWithMembershipRow>((db: Kysely<DB>, p) =>
    db
      .selectFrom('teams')
      .leftJoin('memberships', (join) => join.onRef('memberships.team_id', '=', 'teams.id').on('memberships.user_id', '=', p.userId))
      .selectAll('teams')
      .select(['memberships.role as m_role', 'memberships.created_at as m_created_at'])
      .where(column, '=', p.team),
  );
const teamByIdWithMembership = teamWithMembership('teams.id');
const teamBySlugWithMembership = teamWithMembership('teams.slug');
