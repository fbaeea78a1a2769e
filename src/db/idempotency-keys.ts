import type { Kysely, Selectable } from 'kysely';
import type { KeyRecord } from '../domain/idempotency.js';
import type { DB } from './schema.js';

/** Row type of `idempotency_keys` (migration 0005); kept here so the shared schema stays untouched. */
export interface IdempotencyKeysTable {
  user_id: string;
  team_scope: string;
  key: string;
  fingerprint: string;
  method: string;
  path: string;
  claim_id: string;
  /** The token that made the request (migration 0009); null only on rows older than that. */
  token_id: string | null;
  locked_at: number;
  status_code: number | null;
  response_headers: string | null;
  response_body: string | null;
  created_at: number;
  completed_at: number | null;
}

type Tables = { idempotency_keys: IdempotencyKeysTable };

function tables(db: Kysely<DB>): Kysely<DB & Tables> {
  return db.withTables<Tables>();
}

/** Whose key it is: the token's user and the team the request acted for ('' when none). */
export interface KeyScope {
  readonly userId: string;
  readonly teamScope: string;
  readonly key: string;
}

export interface NewClaim {
  readonly tokenId: string;
  readonly fingerprint: string;
  readonly method: string;
  readonly path: string;
  readonly claimId: string;
  readonly now: number;
}

/**
 * A stored answer, replayed as it was sent. The body is kept sealed (issue 13 §3): answers such as
 * a minted token carry secrets, and this table keeps them for 24 hours.
 */
export interface StoredResponse {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  readonly sealedBody: string;
}

export type StoredKey = KeyRecord & { readonly response: StoredResponse | null };

function storedKeyFromRow(row: Selectable<IdempotencyKeysTable>): StoredKey {
  const statusCode = row.status_code === null ? null : Number(row.status_code);
  return {
    fingerprint: row.fingerprint,
    method: row.method,
    path: row.path,
    claimId: row.claim_id,
    tokenId: row.token_id,
    lockedAt: Number(row.locked_at),
    statusCode,
    createdAt: Number(row.created_at),
    response:
      statusCode === null
        ? null
        : { statusCode, headers: JSON.parse(row.response_headers ?? '{}') as Record<string, string>, sealedBody: row.response_body ?? '' },
  };
}

const byScope = <Q extends { where: (...args: any[]) => Q }>(query: Q, scope: KeyScope): Q =>
  query.where('user_id', '=', scope.userId).where('team_scope', '=', scope.teamScope).where('key', '=', scope.key);

/**
 * Claims the key for a request about to run. The primary key settles races between requests and
 * replicas: exactly one insert wins, the others see `false` and read the winner's row.
 * `ON CONFLICT DO NOTHING` rather than a caught violation keeps PostgreSQL's connection usable.
 */
export async function insertClaim(db: Kysely<DB>, scope: KeyScope, claim: NewClaim): Promise<boolean> {
  const result = await tables(db)
    .insertInto('idempotency_keys')
    .values({
      user_id: scope.userId,
      team_scope: scope.teamScope,
      key: scope.key,
      fingerprint: claim.fingerprint,
      method: claim.method,
      path: claim.path,
      claim_id: claim.claimId,
      token_id: claim.tokenId,
      locked_at: claim.now,
      status_code: null,
      response_headers: null,
      response_body: null,
      created_at: claim.now,
      completed_at: null,
    })
    .onConflict((oc) => oc.columns(['user_id', 'team_scope', 'key']).doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) === 1;
}

export async function findKey(db: Kysely<DB>, scope: KeyScope): Promise<StoredKey | undefined> {
  const row = await byScope(tables(db).selectFrom('idempotency_keys').selectAll(), scope).executeTakeFirst();
  return row ? storedKeyFromRow(row) : undefined;
}

/**
 * Takes over a claim whose process died: only if it is still the claim that was read (by its
 * id) and still has no answer, so of two requests taking over at once exactly one succeeds.
 */
export async function takeOverClaim(db: Kysely<DB>, scope: KeyScope, previousClaimId: string, claimId: string, now: number): Promise<boolean> {
  const result = await byScope(tables(db).updateTable('idempotency_keys').set({ claim_id: claimId, locked_at: now }), scope)
    .where('claim_id', '=', previousClaimId)
    .where('status_code', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Keeps a running request's claim fresh, so nobody takes it over while it runs. */
export async function renewClaim(db: Kysely<DB>, scope: KeyScope, claimId: string, now: number): Promise<void> {
  await byScope(tables(db).updateTable('idempotency_keys').set({ locked_at: now }), scope)
    .where('claim_id', '=', claimId)
    .where('status_code', 'is', null)
    .execute();
}

/**
 * Stores the first answer under the key. False when the claim was lost meanwhile (another
 * request took it over because this one fell silent for longer than the lease).
 */
export async function completeClaim(db: Kysely<DB>, scope: KeyScope, claimId: string, response: StoredResponse, now: number): Promise<boolean> {
  const result = await byScope(
    tables(db)
      .updateTable('idempotency_keys')
      .set({
        status_code: response.statusCode,
        response_headers: JSON.stringify(response.headers),
        response_body: response.sealedBody,
        completed_at: now,
      }),
    scope,
  )
    .where('claim_id', '=', claimId)
    .where('status_code', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Gives the key back (an answer that must not be replayed, such as a 429). */
export async function releaseClaim(db: Kysely<DB>, scope: KeyScope, claimId: string): Promise<void> {
  await byScope(tables(db).deleteFrom('idempotency_keys'), scope).where('claim_id', '=', claimId).where('status_code', 'is', null).execute();
}

/** Forgets one expired key, only if it is still the row that was read (created at `createdAt`). */
export async function deleteExpiredKey(db: Kysely<DB>, scope: KeyScope, createdAt: number): Promise<void> {
  await byScope(tables(db).deleteFrom('idempotency_keys'), scope).where('created_at', '=', createdAt).execute();
}

/** Forgets every key created before `before`; returns how many went. */
export async function deleteKeysCreatedBefore(db: Kysely<DB>, before: number): Promise<number> {
  const result = await tables(db).deleteFrom('idempotency_keys').where('created_at', '<', before).executeTakeFirst();
  return Number(result.numDeletedRows);
}
