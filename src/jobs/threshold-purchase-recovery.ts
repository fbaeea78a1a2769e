import type { AppContext } from '../app-context.js';
import { startLoop } from '../background-loop.js';
import { finishInterruptedPurchases } from '../use-cases/threshold-top-ups.js';

/**
 * Crash recovery of spend thresholds' automatic credit purchases (docs/balances-and-thresholds.md):
 * a process killed between a purchase's charge and its credit leaves it `charging`; this loop
 * finishes it (delivered) or refunds it, at start and every `intervalMs`, without waiting for the
 * partner's next low balance report, which may never come. Each replica runs it; the threshold's
 * hold (`purchasing_until`, taken by a conditional update) lets one work on a purchase at a time.
 */
export function startThresholdPurchaseRecovery(ctx: AppContext, intervalMs: number): () => Promise<void> {
  return startLoop(
    async () => {
      try {
        await finishInterruptedPurchases(ctx);
      } catch (error) {
        ctx.logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'threshold purchase recovery pass failed; retrying at the next pass');
      }
    },
    intervalMs,
    { runAtOnce: true },
  );
}
