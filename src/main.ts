import cluster from 'node:cluster';
import { ConfigError, loadConfig } from './config.js';
import { createStockroom } from './server.js';
import { armPausePoint } from './fault-injection.js';
import { WORKER_READY, runWorkers } from './workers.js';

// With workers.ts (the primary of several server processes), the only file that touches
// `process`: configuration in, standard error written, signals handled, exit codes out.
// (server.ts's logger writes to standard output through file descriptor 1.)
async function main(): Promise<void> {
  const config = loadConfig(process.env);
  if (config.workers > 1 && cluster.isPrimary) {
    runWorkers(config.workers);
    return;
  }
  let storageFailed: ((error: Error) => void) | undefined;
  const stockroom = await createStockroom(config, { onStorageFailure: (error) => storageFailed?.(error) });
  // Testers' fault injection (README, "Fault injection"); a no-op unless STOCKROOM_PAUSE_AT is set.
  // Armed before listening, so before any create or recovery pass. Written straight to stderr,
  // past the logger and its level, because a test waits for the line.
  if (config.pauseAt) armPausePoint(config.pauseAt, (line) => process.stderr.write(line));
  const { logger } = stockroom.ctx;
  if (stockroom.bootstrap.generatedToken) {
    // Shown once, on the start that created it, and deliberately not through the logger.
    process.stdout.write(
      `\nStockroom created its first owner. Access token (shown once, store it now):\n\n  ${stockroom.bootstrap.generatedToken}\n\n`,
    );
  }
  const url = await stockroom.listen();
  logger.info({ url, database: config.database.kind }, `Stockroom listening on ${url}`);
  // Log lines are written in blocks (server.ts); this one is shown at once, as people and
  // process supervisors wait for it.
  logger.flush();
  // The primary of several workers starts the others once this one has migrated and bootstrapped.
  if (cluster.isWorker) process.send?.(WORKER_READY);

  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    logger.info({ signal }, 'shutting down: finishing requests in flight');
    stockroom.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  // Fail-stop (docs/durability.md): answer what is in flight (503), then exit non-zero so the
  // supervisor restarts Stockroom, which recovers the database from its files.
  storageFailed = () => {
    if (closing) return;
    closing = true;
    const exit = () => process.exit(1);
    stockroom.close().then(exit, exit);
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
  } else {
    process.stderr.write(`Stockroom failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  }
  process.exit(1);
});
