import type { Kysely } from 'kysely';
import { hashToken } from './crypto/secret-box.js';
import { isUniqueViolation } from './db/errors.js';
import { insertPaymentMethod, setDefaultPaymentMethodId } from './db/payment-methods.js';
import type { DB } from './db/schema.js';
import { findTokenByHash, insertToken } from './db/tokens.js';
import { insertTeam, upsertMembership } from './db/teams.js';
import { insertUser } from './db/users.js';
import { newTokenValue } from './domain/access-tokens.js';
import { newId } from './domain/ids.js';
import { TEST_PAYMENT_METHODS } from './payments/test-processor.js';

/**
 * The card the bootstrap team starts with as its default, as a Stripe test-mode customer comes
 * with `pm_card_visa` attached: paid plans then work on a fresh server without any setup.
 */
const STARTER_CARD = 'pm_card_visa';

export interface BootstrapInput {
  readonly token?: string;
  readonly email: string;
  readonly username: string;
  readonly teamSlug: string;
  readonly now: number;
}

export interface BootstrapResult {
  /** True only on the start that created the owner. */
  readonly created: boolean;
  readonly userId: string;
  readonly teamId: string;
  /** The token value, returned only when it was random (so it must be shown once). */
  readonly generatedToken?: string;
}

/**
 * On the first start with an empty database, creates the owner user, their team (with a Visa test
 * card as its default payment method) and a full-access token (issue 2 §4). Idempotent: a marker row in `instance_settings` is inserted first in the same
 * transaction, so a second start, or a second replica starting at the same moment, finds it and
 * creates nothing.
 */
export async function ensureBootstrap(db: Kysely<DB>, input: BootstrapInput): Promise<BootstrapResult> {
  const existing = await readMarker(db);
  if (existing) return ensureConfiguredToken(db, existing, input);

  const userId = newId('user');
  const teamId = newId('team');
  const value = input.token ?? newTokenValue();
  try {
    await db.transaction().execute(async (trx) => {
      await trx
        .insertInto('instance_settings')
        .values({ key: 'bootstrap', value: JSON.stringify({ userId, teamId }), created_at: input.now })
        .execute();
      await insertUser(trx, {
        id: userId,
        email: input.email,
        name: 'Stockroom Owner',
        username: input.username,
        defaultTeamId: teamId,
        isAdmin: true,
        createdAt: input.now,
        updatedAt: input.now,
      });
      await insertTeam(trx, { id: teamId, slug: input.teamSlug, name: input.teamSlug, creatorId: userId, billingState: 'active', createdAt: input.now, updatedAt: input.now });
      await upsertMembership(trx, { teamId, userId, role: 'OWNER', createdAt: input.now });
      // The team's own method (not the shared test id), so it can be removed like any other card.
      const { brand, last4 } = TEST_PAYMENT_METHODS[STARTER_CARD];
      const cardId = newId('pm');
      await insertPaymentMethod(trx, { id: cardId, teamId, source: STARTER_CARD, brand, last4, createdAt: input.now });
      await setDefaultPaymentMethodId(trx, teamId, cardId, input.now);
      await insertToken(
        trx,
        { id: newId('tok'), userId, name: 'bootstrap', teamId: null, origin: 'bootstrap', expiresAt: null, revokedAt: null, createdAt: input.now, activeAt: input.now },
        hashToken(value),
      );
    });
  } catch (error) {
    // Another replica bootstrapped first: its marker row won the race.
    if (isUniqueViolation(error)) {
      const marker = await readMarker(db);
      if (marker) return ensureConfiguredToken(db, marker, input);
    }
    throw error;
  }
  return { created: true, userId, teamId, ...(input.token ? {} : { generatedToken: value }) };
}

async function readMarker(db: Kysely<DB>): Promise<{ userId: string; teamId: string } | undefined> {
  const row = await db.selectFrom('instance_settings').select('value').where('key', '=', 'bootstrap').executeTakeFirst();
  return row ? (JSON.parse(row.value) as { userId: string; teamId: string }) : undefined;
}

/**
 * A restart never changes the bootstrap token. When STOCKROOM_TOKEN names a value this database
 * does not know yet (it was set after the first start), it is added as one more owner token, so
 * scripts that rely on it work, and the existing token keeps working.
 */
async function ensureConfiguredToken(db: Kysely<DB>, marker: { userId: string; teamId: string }, input: BootstrapInput): Promise<BootstrapResult> {
  if (input.token && !(await findTokenByHash(db, hashToken(input.token)))) {
    try {
      await insertToken(
        db,
        { id: newId('tok'), userId: marker.userId, name: 'STOCKROOM_TOKEN', teamId: null, origin: 'bootstrap', expiresAt: null, revokedAt: null, createdAt: input.now, activeAt: input.now },
        hashToken(input.token),
      );
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
    }
  }
  return { created: false, ...marker };
}
