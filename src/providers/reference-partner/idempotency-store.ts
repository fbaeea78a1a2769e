import type { Kysely } from 'kysely';
import type { SecretBox } from '../../crypto/secret-box.js';
import { answerBodyContext, openJson, sealJson } from './sealed-values.js';
import type { PartnerTables } from './tables.js';

/** The first answer given under an idempotency key. */
export interface StoredAnswer {
  readonly fingerprint: string;
  readonly statusCode: number;
  readonly body: unknown;
}

export async function findStoredAnswer(
  db: Kysely<PartnerTables>,
  box: SecretBox,
  installationId: string,
  key: string,
  notBefore: number,
): Promise<StoredAnswer | undefined> {
  const row = await db
    .selectFrom('ref_partner_idempotency_keys')
    .select(['fingerprint', 'status_code', 'body'])
    .where('installation_id', '=', installationId)
    .where('key', '=', key)
    .where('created_at', '>=', notBefore)
    .executeTakeFirst();
  return row ? { fingerprint: row.fingerprint, statusCode: Number(row.status_code), body: openJson(box, row.body, answerBodyContext(installationId, key)) } : undefined;
}

/** Records an answer; a concurrent request that recorded the same key first makes this throw a unique violation. */
export async function insertStoredAnswer(
  db: Kysely<PartnerTables>,
  box: SecretBox,
  installationId: string,
  key: string,
  answer: StoredAnswer,
  now: number,
): Promise<void> {
  await db
    .insertInto('ref_partner_idempotency_keys')
    .values({
      installation_id: installationId,
      key,
      fingerprint: answer.fingerprint,
      status_code: answer.statusCode,
      body: sealJson(box, answer.body, answerBodyContext(installationId, key)),
      created_at: now,
    })
    .execute();
}

/** Forgets the installation's answers older than `before`, so an expired key can be used again. */
export async function deleteStoredAnswersBefore(db: Kysely<PartnerTables>, installationId: string, before: number): Promise<void> {
  await db
    .deleteFrom('ref_partner_idempotency_keys')
    .where('installation_id', '=', installationId)
    .where('created_at', '<', before)
    .execute();
}
