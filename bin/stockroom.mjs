#!/usr/bin/env node
// `npx stockroom <command>`: the project's command-line tools, run from their bundles in dist/
// (rebuilt first when src/ changed, as `npm start` does).
import { spawn, spawnSync } from 'node:child_process';
import { constants } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const COMMANDS = {
  'check-partner': { bundle: 'dist/check-partner.mjs', what: 'check a Marketplace partner API against the spec (--help for options)' },
};

const [command, ...args] = process.argv.slice(2);
const chosen = command === undefined ? undefined : COMMANDS[command];
if (!chosen) {
  const list = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(15)} ${c.what}`).join('\n');
  process.stderr.write(`${command === undefined || command === '--help' || command === '-h' ? '' : `stockroom: unknown command ${JSON.stringify(command)}\n\n`}Usage: npx stockroom <command> [options]\n\n${list}\n\nThe server itself: npm start.\n`);
  process.exit(command === '--help' || command === '-h' ? 0 : 2);
}
const build = spawnSync(process.execPath, [join(root, 'scripts', 'build.mjs'), '--if-stale'], { stdio: ['ignore', 'ignore', 'inherit'] });
if (build.status !== 0) process.exit(build.status ?? 1);
const child = spawn(process.execPath, [join(root, chosen.bundle), ...args], { stdio: 'inherit' });
// The command decides what a Ctrl-C means (check-partner cleans up first), so this wrapper must not
// die of it: it passes the signal on and waits. In a terminal the command gets the signal from its
// process group as well; it takes a repeat within a moment as one.
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? 128 + (signal ? (constants.signals[signal] ?? 0) : 1)));
