import type { Kysely } from 'kysely';
import type { DB } from './schema.js';

/** What an SSO code stands for: who asked to open the partner's dashboard, on what. */
export interface SsoGrant {
  readonly state: string;
  readonly userId: string;
  readonly teamId: string;
  readonly installationId: string;
  readonly integrationId: string;
  readonly userRole: 'ADMIN' | 'USER';
  readonly storeId: string | null;
  readonly resourceId: string | null;
  readonly projectId: string | null;
  readonly invoiceId: string | null;
  readonly nonce: string | null;
  readonly expiresAt: number;
}

/** Codes this long past their expiry are removed when a new one is stored. */
const KEEP_EXPIRED_MS = 60 * 60 * 1000;

/** Stores a new code by its hash, and drops codes long expired. */
export async function insertSsoCode(db: Kysely<DB>, codeHash: string, grant: SsoGrant, now: number): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx.deleteFrom('sso_codes').where('expires_at', '<', now - KEEP_EXPIRED_MS).execute();
    await trx
      .insertInto('sso_codes')
      .values({
        code_hash: codeHash,
        state: grant.state,
        user_id: grant.userId,
        team_id: grant.teamId,
        installation_id: grant.installationId,
        integration_id: grant.integrationId,
        user_role: grant.userRole,
        store_id: grant.storeId,
        resource_id: grant.resourceId,
        project_id: grant.projectId,
        invoice_id: grant.invoiceId,
        nonce: grant.nonce,
        expires_at: grant.expiresAt,
        used_at: null,
        created_at: now,
      })
      .execute();
  });
}

/**
 * Uses a code: it must exist, be unexpired and unused; the one request whose UPDATE marks it used
 * gets its grant, so two concurrent exchanges of one code (a replay) yield one token.
 */
export async function consumeSsoCode(db: Kysely<DB>, codeHash: string, now: number): Promise<SsoGrant | undefined> {
  const result = await db.updateTable('sso_codes').set({ used_at: now }).where('code_hash', '=', codeHash).where('used_at', 'is', null).where('expires_at', '>', now).executeTakeFirst();
  if (Number(result.numUpdatedRows) !== 1) return undefined;
  const row = await db.selectFrom('sso_codes').selectAll().where('code_hash', '=', codeHash).executeTakeFirstOrThrow();
  return {
    state: row.state,
    userId: row.user_id,
    teamId: row.team_id,
    installationId: row.installation_id,
    integrationId: row.integration_id,
    userRole: row.user_role === 'ADMIN' ? 'ADMIN' : 'USER',
    storeId: row.store_id,
    resourceId: row.resource_id,
    projectId: row.project_id,
    invoiceId: row.invoice_id,
    nonce: row.nonce,
    expiresAt: row.expires_at,
  };
}

/** The integration a code was issued for, without using it (a wrong client must not burn the code). */
export async function findSsoCodeIntegration(db: Kysely<DB>, codeHash: string): Promise<{ integrationId: string; state: string } | undefined> {
  const row = await db.selectFrom('sso_codes').select(['integration_id', 'state']).where('code_hash', '=', codeHash).executeTakeFirst();
  return row ? { integrationId: row.integration_id, state: row.state } : undefined;
}
