import type { Kysely } from 'kysely';
import { requiredText } from './columns.js';

/**
 * What partners may now say through the endpoints they call (docs/partner-calls.md):
 * - `installation_tokens`: an installation's superseded access tokens, hashed, each valid until
 *   `expires_at` (the rotation overlap) unless revoked first. The current token stays in
 *   `installations.access_token_hash`.
 * - installations: the partner's own `status`, `external_id`, billing plan and notification
 *   (Update Installation). `status` is Stockroom's lifecycle, so the partner's is `partner_status`.
 * - stores: `ownership` and `extras` (Import/Update Resource); the notification already has a column.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('installation_tokens')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .$call(requiredText('installation_id'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('revoked_at', 'bigint')
    .execute();
  await db.schema.createIndex('installation_tokens_installation_idx').on('installation_tokens').columns(['installation_id']).execute();
  for (const column of ['partner_status', 'external_id', 'billing_plan', 'notification']) {
    await db.schema.alterTable('installations').addColumn(column, 'text').execute();
  }
  for (const column of ['ownership', 'extras']) {
    await db.schema.alterTable('stores').addColumn(column, 'text').execute();
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const column of ['ownership', 'extras']) await db.schema.alterTable('stores').dropColumn(column).execute();
  for (const column of ['partner_status', 'external_id', 'billing_plan', 'notification']) await db.schema.alterTable('installations').dropColumn(column).execute();
  await db.schema.dropTable('installation_tokens').execute();
}
