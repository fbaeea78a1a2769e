import type { Kysely } from 'kysely';

// Project lists page newest first on (created_at, id) within a team, like the stores list
// (http/keyset-pagination.ts). Without this index each page read and sorted all of a team's
// projects; with it a page starts at its position and reads `limit + 1` rows.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('projects_team_created_idx').on('projects').columns(['team_id', 'created_at', 'id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('projects_team_created_idx').execute();
}
