import type { Kysely } from 'kysely';
import type { DB } from './schema.js';

/**
 * How many of the team's stores are being provisioned right now (`lifecycle = 'provisioning'`):
 * creates that have not answered yet, and rows a crashed process left for recovery.
 */
export async function countProvisioningStoresOfTeam(db: Kysely<DB>, teamId: string): Promise<number> {
  const row = await db
    .selectFrom('stores')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('team_id', '=', teamId)
    .where('lifecycle', '=', 'provisioning')
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
