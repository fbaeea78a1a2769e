import type { FastifyInstance } from 'fastify';
import { UsageError } from './command-line.js';

/**
 * Runs a standalone partner as a process: `start` reads its command line (throwing `UsageError`), builds and listens (or returns a text to print
 * and exit 0, for `--help`); SIGTERM and SIGINT close the server, finishing requests in flight.
 * Exit codes: 0 after a clean shutdown, 1 when starting or closing failed, 2 for a bad command
 * line or configuration. The only place the standalone partners touch `process`' exit.
 */
export function runStandalone(title: string, start: () => Promise<FastifyInstance | { readonly print: string }>): void {
  start().then(
    (started) => {
      if ('print' in started) {
        process.stdout.write(started.print);
        return;
      }
      const app = started;
      let closing = false;
      const shutdown = (signal: string) => {
        if (closing) return;
        closing = true;
        app.log.info({ signal }, `${title} shutting down`);
        app.close().then(
          () => process.exit(0),
          (error: unknown) => {
            app.log.error({ err: error }, 'shutdown failed');
            process.exit(1);
          },
        );
      };
      process.on('SIGTERM', () => shutdown('SIGTERM'));
      process.on('SIGINT', () => shutdown('SIGINT'));
    },
    (error: unknown) => {
      // A bad command line or configuration: printed without a stack.
      if (error instanceof UsageError) {
        process.stderr.write(`${title}: ${error.message}\nRun with --help for the flags.\n`);
        process.exit(2);
      }
      process.stderr.write(`${title} failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(1);
    },
  );
}

/**
 * Fastify's options for a standalone partner. The request log names the method and the path
 * only: no header (so no token), and no query string, which carries one-time sign-in codes on
 * `/sso` and `/claim` (a code written to a log stays usable until it expires).
 */
export function standaloneFastifyOptions(logLevel: string) {
  return {
    logger: {
      level: logLevel,
      serializers: {
        req: (request: { method: string; url: string }) => ({ method: request.method, url: request.url.split('?')[0] }),
      },
    },
    bodyLimit: 1024 * 1024,
    return503OnClosing: true,
  };
}
