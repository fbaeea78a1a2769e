import type { Kysely } from 'kysely';

// Update Installation: the installation-level plan the installation is on (docs/installation-updates.md).
export async function up(db: Kysely<any>): Promise<void> {
  // The id of one of the installation-level plans (`plans.ts`); null while it is billed per resource.
  await db.schema.alterTable('ref_partner_installations').addColumn('billing_plan_id', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('ref_partner_installations').dropColumn('billing_plan_id').execute();
}
