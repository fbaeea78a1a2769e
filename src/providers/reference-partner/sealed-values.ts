import type { Kysely } from 'kysely';
import type { SecretBox } from '../../crypto/secret-box.js';
import type { PartnerTables } from './tables.js';

/**
 * The partner's JSON columns that hold secrets (a resource's secret values, a recorded answer,
 * which for a provision or a rotation carries the secrets), sealed with Stockroom's secret box
 * and bound to their row. Rows written before sealing hold plain JSON; they are still read, and
 * `sealPlaintextRows` seals them when the partner starts.
 */
export function sealJson(box: SecretBox, value: unknown, context: string): string {
  return box.seal(JSON.stringify(value), context);
}

export function openJson(box: SecretBox, stored: string, context: string): unknown {
  return JSON.parse(isSealed(stored) ? box.open(stored, context) : stored) as unknown;
}

export function resourceSecretsContext(resourceId: string): string {
  return `ref_partner_resources.secrets:${resourceId}`;
}

export function answerBodyContext(installationId: string, key: string): string {
  return `ref_partner_idempotency_keys.body:${installationId}:${key}`;
}

/** Sealed values start `v1.`/`v2.`; JSON text never does. */
function isSealed(stored: string): boolean {
  return /^v\d+\./.test(stored);
}

/** Rows sealed per round: keeps a transaction short on a large table. */
const BATCH = 200;

/**
 * Seals every row still holding plain JSON, deleted resources included (their secrets are
 * secrets still). Each update is guarded by the value read, so replicas sweeping at once, or a
 * request changing the row meanwhile, never overwrite a newer value. Idempotent; after the first
 * start on an upgraded database it finds nothing.
 */
export async function sealPlaintextRows(db: Kysely<PartnerTables>, box: SecretBox): Promise<number> {
  let sealed = 0;
  for (;;) {
    const rows = await db.selectFrom('ref_partner_resources').select(['id', 'secrets']).where('secrets', 'not like', 'v%.%').limit(BATCH).execute();
    for (const row of rows) {
      await db
        .updateTable('ref_partner_resources')
        .set({ secrets: box.seal(row.secrets, resourceSecretsContext(row.id)) })
        .where('id', '=', row.id)
        .where('secrets', '=', row.secrets)
        .execute();
    }
    sealed += rows.length;
    if (rows.length < BATCH) break;
  }
  for (;;) {
    const rows = await db
      .selectFrom('ref_partner_idempotency_keys')
      .select(['installation_id', 'key', 'body'])
      .where('body', 'not like', 'v%.%')
      .limit(BATCH)
      .execute();
    for (const row of rows) {
      await db
        .updateTable('ref_partner_idempotency_keys')
        .set({ body: box.seal(row.body, answerBodyContext(row.installation_id, row.key)) })
        .where('installation_id', '=', row.installation_id)
        .where('key', '=', row.key)
        .where('body', '=', row.body)
        .execute();
    }
    sealed += rows.length;
    if (rows.length < BATCH) break;
  }
  return sealed;
}
