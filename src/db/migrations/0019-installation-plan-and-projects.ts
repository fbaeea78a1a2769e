import type { Kysely } from 'kysely';

/**
 * `vercel integration update` (docs/installation-updates.md): which projects may use an
 * installation, and the claim that keeps two plan changes of one installation from running at once.
 */
export async function up(db: Kysely<any>): Promise<void> {
  // One column per statement: SQLite's ALTER TABLE adds a single column at a time.
  /** JSON array of the project ids allowed to use the installation; null: every project of the team. */
  await db.schema.alterTable('installations').addColumn('allowed_projects', 'text').execute();
  /** The plan change running on the installation (its id), null when none: a second one waits its turn (409). */
  await db.schema.alterTable('installations').addColumn('plan_change_id', 'text').execute();
  /** Epoch ms when that plan change began; one older than a few minutes belongs to a dead process and may be taken over. */
  await db.schema.alterTable('installations').addColumn('plan_change_at', 'bigint').execute();
  // What the change is about to pay, written with its claim before the processor is called: a
  // process that dies between the processor's charge and its ledger row leaves no other trace of it,
  // and the reconciliation loop asks the processor again with the change's key to learn of it.
  /** Epoch ms when the running change began (`plan_change_at` is renewed): its deadline counts from here. */
  await db.schema.alterTable('installations').addColumn('plan_change_began_at', 'bigint').execute();
  /** The plan the running change asks for. */
  await db.schema.alterTable('installations').addColumn('plan_change_plan_id', 'text').execute();
  /** The initial charge it takes, in cents; null when it charges nothing. */
  await db.schema.alterTable('installations').addColumn('plan_change_charge_cents', 'bigint').execute();
  /** The payment method (id) it charges; null when it charges nothing. */
  await db.schema.alterTable('installations').addColumn('plan_change_payment_method_id', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('installations').dropColumn('plan_change_payment_method_id').execute();
  await db.schema.alterTable('installations').dropColumn('plan_change_charge_cents').execute();
  await db.schema.alterTable('installations').dropColumn('plan_change_plan_id').execute();
  await db.schema.alterTable('installations').dropColumn('plan_change_began_at').execute();
  await db.schema.alterTable('installations').dropColumn('plan_change_at').execute();
  await db.schema.alterTable('installations').dropColumn('plan_change_id').execute();
  await db.schema.alterTable('installations').dropColumn('allowed_projects').execute();
}
