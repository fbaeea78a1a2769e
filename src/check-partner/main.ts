import { writeFileSync } from 'node:fs';
import { checkPartner } from './check-partner.js';
import { parseCommandLine, UsageError, USAGE } from './command-line.js';
import { junitReport } from './reports/junit-report.js';
import { closingLines, headerLines, progressLine } from './reports/terminal-report.js';

const DUPLICATE_SIGNAL_MS = 500;

/** The shell's convention: 128 + the signal's number (130 for SIGINT, 143 for SIGTERM). */
const exitCodeOf = (signal: NodeJS.Signals) => 128 + (signal === 'SIGTERM' ? 15 : 2);

// `stockroom check-partner`: the only file of the checker that touches `process` (arguments,
// output, signals, exit code).
async function main(): Promise<number> {
  let commandLine;
  try {
    commandLine = parseCommandLine(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`stockroom check-partner: ${error.message}\n\n${USAGE}`);
    return 2;
  }
  if (commandLine === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  const { settings } = commandLine;
  // With --json, standard output carries the report alone; people watch standard error.
  const progress = commandLine.json ? process.stderr : process.stdout;

  // Ctrl-C stops the run and still deletes what it created; a second Ctrl-C exits at once. A
  // repeat within half a second is the same Ctrl-C delivered twice (by the terminal to the process
  // group, and passed on by a wrapper such as npx or bin/stockroom.mjs).
  const stop = new AbortController();
  let firstSignalAt: number | undefined;
  let stoppedBy: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    if (firstSignalAt !== undefined) {
      if (Date.now() - firstSignalAt < DUPLICATE_SIGNAL_MS) return;
      process.exit(exitCodeOf(signal));
    }
    firstSignalAt = Date.now();
    stoppedBy = signal;
    process.stderr.write(`\n${signal}: stopping; deleting what the run created (press Ctrl-C again to leave it)\n`);
    stop.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  // A report that cannot be written is known now, not after the whole run.
  if (commandLine.junitFile) {
    try {
      writeFileSync(commandLine.junitFile, '');
    } catch (error) {
      process.stderr.write(`stockroom check-partner: --junit ${commandLine.junitFile} cannot be written: ${error instanceof Error ? error.message : String(error)}\n`);
      return 2;
    }
  }

  let report;
  try {
    report = await checkPartner({
    settings,
    jwksPort: commandLine.jwksPort,
    jwksHost: commandLine.jwksHost,
    ...(commandLine.publicUrl ? { publicUrl: commandLine.publicUrl } : {}),
    ...(commandLine.issuer ? { issuer: commandLine.issuer } : {}),
    keyFile: commandLine.keyFile,
    signal: stop.signal,
    onListening: ({ jwksUrl, issuer }) => progress.write(headerLines({ url: settings.url, clientId: settings.clientId, product: settings.product, jwksUrl, issuer })),
    onCheck: (result) => progress.write(progressLine(result)),
  });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      process.stderr.write(`stockroom check-partner: port ${commandLine.jwksPort} on ${commandLine.jwksHost} is in use; choose another with --jwks-port (and tell the partner the new JWKS URL)\n`);
      return 2;
    }
    throw error;
  }
  progress.write(closingLines(report));
  if (commandLine.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  if (commandLine.junitFile) writeFileSync(commandLine.junitFile, junitReport(report));
  if (stoppedBy) return exitCodeOf(stoppedBy);
  return report.summary.failed > 0 ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`stockroom check-partner failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 2;
  },
);
