// What scripts/build.mjs builds from and what it writes, so that the build (`--if-stale`) and the
// tests (test/helpers/built-server.ts) agree on when a build is fresh.

import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The checkout's root directory. */
export const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Where `npm start` finds the server bundle. */
export const DEFAULT_OUTFILE = join(ROOT, 'dist', 'stockroom.mjs');

/**
 * The command-line tools bundled beside the server, each from its own root: the same esbuild
 * settings, one file each, so that they start without a TypeScript loader as the server does.
 */
export const TOOL_BUNDLES = [{ entry: 'src/check-partner/main.ts', file: 'check-partner.mjs' }];

/** Where the tool bundle `file` is written for the server bundle `outfile`. */
export function toolBundleOf(outfile, file) {
  return join(dirname(outfile), file);
}

/** The console's static files, written to `console/` beside the bundle; the server only reads them. */
export const CONSOLE_FILES = ['index.html', 'app.js', 'app.css'];

/** The directory the console of the bundle `outfile` is written to. */
export function consoleDirOf(outfile) {
  return join(dirname(outfile), 'console');
}

/** Every file a build of `outfile` writes. */
export function builtFiles(outfile) {
  const consoleDir = consoleDirOf(outfile);
  return [outfile, ...TOOL_BUNDLES.map((tool) => toolBundleOf(outfile, tool.file)), ...CONSOLE_FILES.map((name) => join(consoleDir, name))];
}

/** The newest modification time among the build's inputs: src/, the package files and the build scripts. */
export function newestInput() {
  const files = ['package-lock.json', 'package.json', 'scripts/build.mjs', 'scripts/build-inputs.mjs'].map((p) => join(ROOT, p));
  return Math.max(...files.filter(existsSync).map((p) => statSync(p).mtimeMs), newestIn(join(ROOT, 'src')));
}

/**
 * Why the build of `outfile` cannot be used as it is (a file missing, or older than an input),
 * or undefined when it is fresh.
 */
export function staleness(outfile) {
  const newest = newestInput();
  for (const file of builtFiles(outfile)) {
    if (!existsSync(file)) return `${file} does not exist`;
    if (statSync(file).mtimeMs <= newest) return `${file} is older than its sources (src/, package.json, package-lock.json or scripts/build*.mjs changed since)`;
  }
  return undefined;
}

function newestIn(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestIn(path) : statSync(path).mtimeMs);
  }
  return newest;
}
