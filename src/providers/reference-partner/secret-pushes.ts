import type { FastifyBaseLogger } from 'fastify';
import { VercelApiError, type VercelApiClient } from '../partner-kit/vercel-api-client.js';
import { findAccessToken } from './installation-store.js';
import type { PartnerContext } from './options.js';
import { findLiveResource } from './resource-store.js';
import { claimSecretPush, endSecretPush, listDueSecretPushes, retrySecretPush, type DueSecretPush } from './secret-push-store.js';

/** Attempts at one push before it is given up (and logged as an error). */
export const MAX_PUSH_ATTEMPTS = 5;
/** Wait after failed attempt n (1-based): 250 ms, 500 ms, 1 s, 2 s. */
const backoffMs = (attempt: number) => 250 * 2 ** (attempt - 1);
/** How long a claimed attempt may take (the client's timeout is 10 s) before another pass may take it over: its process died. */
const LEASE_MS = 30_000;
const BATCH = 50;

export interface SecretPusher {
  /** Pushes whatever is due now, soon, without waiting for the next poll. */
  kick(): void;
  /** One pass over the due pushes; passes never overlap. Resolves with the pushes made. */
  runDue(): Promise<number>;
  /** Waits for the pass in flight, if any. */
  settle(): Promise<void>;
}

/**
 * Asynchronous rotation's second half: the resources whose push is due (a column, written in the
 * rotation's transaction) get their current secrets sent to Update Resource Secrets
 * (`PUT /v1/installations/{icfg}/resources/{id}/secrets`, `partial: false`) with the
 * installation's access token. A failed push is tried again with backoff, up to
 * MAX_PUSH_ATTEMPTS; one cut short by a restart is taken over once its lease ends. Each attempt is
 * claimed in the database first, so replicas sharing it push once between them.
 */
export function createSecretPusher(ctx: PartnerContext, client: VercelApiClient, log: FastifyBaseLogger): SecretPusher {
  let running: Promise<number> = Promise.resolve(0);
  const runDue = () => {
    running = running.catch(() => 0).then(() => pass(ctx, client, log));
    return running;
  };
  return {
    kick() {
      setImmediate(() => {
        if (ctx.closing.aborted) return;
        runDue().catch((error: unknown) => log.error({ err: { message: error instanceof Error ? error.message : String(error) } }, 'reference partner secret push failed'));
      });
    },
    runDue,
    async settle() {
      await running.catch(() => 0);
    },
  };
}

async function pass(ctx: PartnerContext, client: VercelApiClient, log: FastifyBaseLogger): Promise<number> {
  let pushed = 0;
  if (ctx.closing.aborted) return pushed;
  for (const due of await listDueSecretPushes(ctx.db, ctx.now(), BATCH)) {
    if (ctx.closing.aborted) break;
    if (await attempt(ctx, client, log, due)) pushed++;
  }
  return pushed;
}

async function attempt(ctx: PartnerContext, client: VercelApiClient, log: FastifyBaseLogger, due: DueSecretPush): Promise<boolean> {
  if (!(await claimSecretPush(ctx.db, due, ctx.now() + LEASE_MS))) return false;
  const number = due.attempts + 1;
  const claim = { resourceId: due.resourceId, generation: due.generation, attempt: number };
  const where = { installationId: due.installationId, resourceId: due.resourceId, attempt: number };
  const [resource, token] = await Promise.all([
    findLiveResource(ctx.db, ctx.secretBox, due.installationId, due.resourceId),
    findAccessToken(ctx.db, ctx.secretBox, due.installationId),
  ]);
  if (!resource || token === null) {
    // Nothing to push, or no token to push with (an installation from before tokens were kept).
    await endSecretPush(ctx.db, claim, ctx.now());
    if (resource) log.error(where, 'reference partner cannot push rotated secrets: the installation holds no access token');
    return false;
  }
  try {
    await client.forInstallation(due.installationId, token).updateResourceSecrets(due.resourceId, resource.secrets, false);
  } catch (error) {
    // Names and status only: never the secrets or the token.
    const failure = { ...where, status: error instanceof VercelApiError ? error.status : undefined, err: { message: error instanceof Error ? error.message : String(error) } };
    if (number >= MAX_PUSH_ATTEMPTS) {
      await endSecretPush(ctx.db, claim, ctx.now());
      log.error(failure, `reference partner gave up pushing rotated secrets after ${number} attempts`);
    } else {
      await retrySecretPush(ctx.db, claim, ctx.now() + backoffMs(number));
      log.warn(failure, 'reference partner could not push rotated secrets; retrying');
    }
    return false;
  }
  await endSecretPush(ctx.db, claim, ctx.now());
  log.info({ ...where, secrets: resource.secrets.length }, 'reference partner pushed rotated secrets');
  return true;
}
