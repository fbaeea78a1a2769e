import type { Kysely } from 'kysely';

/**
 * The reference partner's own rows, read straight from its table: what a test checks was (or was
 * not) stored, beside what the partner answered.
 */

/** Every resource row of an installation. */
export function resourceRows(db: Kysely<any>, installationId: string) {
  return db.selectFrom('ref_partner_resources').selectAll().where('installation_id', '=', installationId).execute();
}

/** The row of one resource; throws when there is none. */
export function resourceRow(db: Kysely<any>, resourceId: string) {
  return db.selectFrom('ref_partner_resources').selectAll().where('id', '=', resourceId).executeTakeFirstOrThrow();
}

/** How many resources an installation has stored. */
export async function countResources(db: Kysely<any>, installationId: string): Promise<number> {
  return (await db.selectFrom('ref_partner_resources').select('id').where('installation_id', '=', installationId).execute()).length;
}
