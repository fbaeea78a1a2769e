import cluster, { type Worker } from 'node:cluster';
import { INVALIDATION_MESSAGE } from './worker-invalidations.js';

/** What a worker tells the primary once it listens and has finished its start-up (main.ts). */
export const WORKER_READY = 'stockroom:worker-ready';

/**
 * The primary process of `STOCKROOM_WORKERS` > 1 (PostgreSQL only; docs/workers.md): it serves
 * nothing itself. node:cluster has it accept the connections on the one port and hand them to the
 * workers in turn. The first worker starts alone, so that the migrations, the bootstrap owner (and
 * its token, printed once) and the bootstrap installations are done once before the others open
 * the database; the others then find them done.
 *
 * A worker that exits on its own ends the whole: the primary stops the others (SIGTERM, they
 * finish what is in flight) and exits 1, for the supervisor to restart Stockroom. Restarting the
 * worker here would hide a crash loop from the supervisor, which already restarts with back-off and
 * shows it; and the fail-stop rule of docs/durability.md is "exit, and let a restart recover".
 * SIGTERM or SIGINT stops every worker the same way and exits once all have exited: 0 if each did.
 */
export function runWorkers(count: number): void {
  const live = new Set<Worker>();
  let stopping = false;
  let exitCode = 0;

  const stopAll = () => {
    if (stopping) return;
    stopping = true;
    for (const worker of live) worker.process.kill('SIGTERM');
    if (live.size === 0) process.exit(exitCode);
  };

  const fork = (): Worker => {
    const worker = cluster.fork();
    live.add(worker);
    worker.on('exit', (code, signal) => {
      live.delete(worker);
      // A worker still starting when asked to stop has no handler yet and ends by the signal itself:
      // it had nothing in flight, so that is a clean stop too.
      const stoppedBySignal = stopping && signal === 'SIGTERM';
      if (code !== 0 && !stoppedBySignal) exitCode = 1;
      if (!stopping) {
        exitCode = 1;
        process.stderr.write(`Stockroom worker ${worker.process.pid} exited (${signal ?? `code ${code}`}); stopping the other workers\n`);
        stopAll();
      }
      if (stopping && live.size === 0) process.exit(exitCode);
    });
    return worker;
  };

  // A worker's invalidation (a revoked token, an installation's changed plans) reaches every other.
  cluster.on('message', (sender: Worker, message: unknown) => {
    if (typeof message !== 'object' || message === null || (message as { type?: unknown }).type !== INVALIDATION_MESSAGE) return;
    for (const worker of live) if (worker !== sender) worker.send(message);
  });

  const first = fork();
  first.on('message', (message: unknown) => {
    if (message !== WORKER_READY || stopping) return;
    for (let i = 1; i < count; i += 1) fork();
  });
  process.on('SIGTERM', stopAll);
  process.on('SIGINT', stopAll);
}
