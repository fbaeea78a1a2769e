import { sql, type Kysely, type Selectable } from 'kysely';
import type { Project } from '../domain/projects.js';
import { isUniqueViolation } from './errors.js';
import type { Dialect } from './database.js';
import { keysetPageOf, type KeysetPageQuery } from './keyset.js';
import type { DB, ProjectsTable } from './schema.js';
import { enqueueDisconnectsOfProject } from './connections.js';

function projectFromRow(row: Selectable<ProjectsTable>): Project {
  return { id: row.id, teamId: row.team_id, name: row.name, framework: row.framework, createdAt: row.created_at, updatedAt: row.updated_at };
}

/** Inserts the project; false when the team already has a project of that name. */
export async function insertProject(db: Kysely<DB>, project: Project): Promise<boolean> {
  try {
    await db
      .insertInto('projects')
      .values({ id: project.id, team_id: project.teamId, name: project.name, framework: project.framework, created_at: project.createdAt, updated_at: project.updatedAt })
      .execute();
    return true;
  } catch (error) {
    if (isUniqueViolation(error)) return false;
    throw error;
  }
}

/**
 * The team's project by id or by name. Names may look like ids (`prj_x` is a valid name), so an
 * id match wins over a name match, as on Vercel.
 */
export async function findProjectOfTeam(db: Kysely<DB>, teamId: string, idOrName: string): Promise<Project | undefined> {
  const rows = await db
    .selectFrom('projects')
    .selectAll()
    .where('team_id', '=', teamId)
    .where((eb) => eb.or([eb('id', '=', idOrName), eb('name', '=', idOrName)]))
    .execute();
  const row = rows.find((r) => r.id === idOrName) ?? rows[0];
  return row ? projectFromRow(row) : undefined;
}

/** Which of a team's projects a list shows: a page, optionally only names containing `search`. */
export interface ProjectListQuery extends KeysetPageQuery {
  /** A part of the name (names are lowercase, so the match is too). */
  readonly search?: string;
}

/** The team's projects, newest first, up to `limit + 1` rows (see `keyset.ts`). */
export async function listProjectsOfTeam(db: Kysely<DB>, teamId: string, page: ProjectListQuery): Promise<Project[]> {
  let query = db.selectFrom('projects').selectAll().where('team_id', '=', teamId);
  if (page.search !== undefined && page.search !== '') {
    // LIKE with its wildcards escaped: the same substring match on SQLite and PostgreSQL.
    const pattern = `%${page.search.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    query = query.where(sql<boolean>`name like ${pattern} escape '\\'`);
  }
  const rows = await keysetPageOf(query, page).execute();
  return rows.map(projectFromRow);
}

/**
 * Deletes the project and its store connections (the stores stay, as on Vercel, and stop
 * counting it). False when the team has no such project. On PostgreSQL the project's row is
 * locked first, so a connect to it (which reads it FOR SHARE, `upsertConnectionOfLiveStore`)
 * either commits before and its connection is deleted here, or waits and finds the project gone.
 */
export async function deleteProjectOfTeam(
  db: Kysely<DB>,
  dialect: Dialect,
  teamId: string,
  projectId: string,
  actor?: { readonly userId: string; readonly now: number },
): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    let owned = trx.selectFrom('projects').select('id').where('id', '=', projectId).where('team_id', '=', teamId);
    if (dialect === 'postgres') owned = owned.forUpdate();
    if (!(await owned.executeTakeFirst())) return false;
    // Each connection the delete removes is a disconnect its partner is told of (docs/webhooks.md).
    if (actor) await enqueueDisconnectsOfProject(trx, projectId, actor);
    await trx.deleteFrom('store_connections').where('project_id', '=', projectId).execute();
    await trx.deleteFrom('projects').where('id', '=', projectId).execute();
    return true;
  });
}
