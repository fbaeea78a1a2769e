import type { Kysely, Selectable } from 'kysely';
import type { AccessToken } from '../domain/accounts.js';
import { keysetPageOf, type KeysetPageQuery } from './keyset.js';
import type { DB, TokensTable } from './schema.js';

export function tokenFromRow(row: Selectable<TokensTable>): AccessToken {
  return {
    id: row.id,
    userId: row.user_id,
    name: row.name,
    teamId: row.team_id,
    origin: row.origin,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
    createdAt: row.created_at,
    activeAt: row.active_at,
  };
}

export async function insertToken(db: Kysely<DB>, token: AccessToken, tokenHash: string): Promise<void> {
  await db
    .insertInto('tokens')
    .values({
      id: token.id,
      user_id: token.userId,
      name: token.name,
      token_hash: tokenHash,
      team_id: token.teamId,
      origin: token.origin,
      expires_at: token.expiresAt,
      revoked_at: token.revokedAt,
      created_at: token.createdAt,
      active_at: token.activeAt,
    })
    .execute();
}

export async function findTokenByHash(db: Kysely<DB>, tokenHash: string): Promise<AccessToken | undefined> {
  const row = await db.selectFrom('tokens').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
  return row ? tokenFromRow(row) : undefined;
}

export async function findTokenOfUser(db: Kysely<DB>, userId: string, tokenId: string): Promise<AccessToken | undefined> {
  const row = await db.selectFrom('tokens').selectAll().where('id', '=', tokenId).where('user_id', '=', userId).executeTakeFirst();
  return row ? tokenFromRow(row) : undefined;
}

/**
 * Live tokens of a user, newest first, ties by id (a page continues from an exact position: see
 * `KeysetPageQuery`). Revoked tokens are gone from the list, as on Vercel.
 * `onlyTeamId`: only tokens scoped to that team (what a token scoped to it may see).
 */
export async function listTokensOfUser(db: Kysely<DB>, userId: string, page: KeysetPageQuery & { readonly onlyTeamId?: string | null }): Promise<AccessToken[]> {
  let query = db.selectFrom('tokens').selectAll().where('user_id', '=', userId).where('revoked_at', 'is', null);
  if (page.onlyTeamId) query = query.where('team_id', '=', page.onlyTeamId);
  const rows = await keysetPageOf(query, page).execute();
  return rows.map(tokenFromRow);
}

export async function revokeToken(db: Kysely<DB>, tokenId: string, now: number): Promise<void> {
  await db.updateTable('tokens').set({ revoked_at: now }).where('id', '=', tokenId).where('revoked_at', 'is', null).execute();
}
