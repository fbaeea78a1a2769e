import type { Kysely } from 'kysely';
import type { SecretBox } from '../../crypto/secret-box.js';
import { preparedQuery } from '../../db/prepared-queries.js';
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
  const row = await storedAnswer.first(db, { installationId, key, notBefore });
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
  await insertAnswer.affected(db, {
    installationId,
    key,
    fingerprint: answer.fingerprint,
    statusCode: answer.statusCode,
    body: sealJson(box, answer.body, answerBodyContext(installationId, key)),
    now,
  });
}

/** Forgets the installation's answers older than `before`, so an expired key can be used again. */
export async function deleteStoredAnswersBefore(db: Kysely<PartnerTables>, installationId: string, before: number): Promise<void> {
  await deleteAnswersBefore.affected(db, { installationId, before });
}

const storedAnswer = preparedQuery<{ installationId: string; key: string; notBefore: number }, { fingerprint: string; status_code: number; body: string }>(
  (db: Kysely<PartnerTables>, p) =>
    db
      .selectFrom('ref_partner_idempotency_keys')
      .select(['fingerprint', 'status_code', 'body'])
      .where('installation_id', '=', p.installationId)
      .where('key', '=', p.key)
      .where('created_at', '>=', p.notBefore),
);

const insertAnswer = preparedQuery<{ installationId: string; key: string; fingerprint: string; statusCode: number; body: string; now: number }>(
  (db: Kysely<PartnerTables>, p) =>
    db.insertInto('ref_partner_idempotency_keys').values({
      installation_id: p.installationId,
      key: p.key,
      fingerprint: p.fingerprint,
      status_code: p.statusCode,
      body: p.body,
      created_at: p.now,
    }),
);

const deleteAnswersBefore = preparedQuery<{ installationId: string; before: number }>((db: Kysely<PartnerTables>, p) =>
  db.deleteFrom('ref_partner_idempotency_keys').where('installation_id', '=', p.installationId).where('created_at', '<', p.before),
);
