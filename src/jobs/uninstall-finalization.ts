import type { AppContext } from '../app-context.js';
import { startLoop } from '../background-loop.js';
import { completeDueFinalizations } from '../db/installations.js';

/** Most waits ended in one pass; the rest are ended by the next. */
const BATCH = 100;

/**
 * Ends the waits for final invoices whose time is up (an uninstall the partner answered
 * `{finalized:false}` and never finalized): the installation is finalized at its deadline, and its
 * access token is refused from then on. The token check itself compares the deadline with the
 * clock, so a late pass never lets a token through; the pass makes the state explicit.
 */
export async function completeFinalizations(ctx: Pick<AppContext, 'db' | 'now' | 'logger'>): Promise<string[]> {
  const ids = await completeDueFinalizations(ctx.db, ctx.now(), BATCH);
  if (ids.length > 0) ctx.logger.info({ installations: ids }, 'uninstalled installations finalized: their wait for final invoices ended');
  return ids;
}

/** Runs `completeFinalizations` every `intervalMs`, first at once. */
export function startFinalizationJob(ctx: Pick<AppContext, 'db' | 'now' | 'logger'>, intervalMs: number): () => Promise<void> {
  return startLoop(
    async () => {
      try {
        await completeFinalizations(ctx);
      } catch (error) {
        ctx.logger.warn({ err: error }, 'ending waits for final invoices failed; retrying at the next pass');
      }
    },
    intervalMs,
    { runAtOnce: true },
  );
}
