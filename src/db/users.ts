import type { Kysely, Selectable } from 'kysely';
import type { User } from '../domain/accounts.js';
import type { DB, UsersTable } from './schema.js';

export function userFromRow(row: Selectable<UsersTable>): User {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    username: row.username,
    defaultTeamId: row.default_team_id,
    isAdmin: row.is_admin === 1,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export async function findUserById(db: Kysely<DB>, id: string): Promise<User | undefined> {
  const row = await db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? userFromRow(row) : undefined;
}

export async function findUserByEmail(db: Kysely<DB>, email: string): Promise<User | undefined> {
  const row = await db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst();
  return row ? userFromRow(row) : undefined;
}

export async function insertUser(db: Kysely<DB>, user: User): Promise<void> {
  await db
    .insertInto('users')
    .values({
      id: user.id,
      email: user.email,
      name: user.name,
      username: user.username,
      default_team_id: user.defaultTeamId,
      is_admin: user.isAdmin ? 1 : 0,
      created_at: user.createdAt,
      updated_at: user.updatedAt,
    })
    .execute();
}

export async function setDefaultTeam(db: Kysely<DB>, userId: string, teamId: string, now: number): Promise<void> {
  await db.updateTable('users').set({ default_team_id: teamId, updated_at: now }).where('id', '=', userId).execute();
}
