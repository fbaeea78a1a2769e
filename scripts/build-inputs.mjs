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
 * Every program the build bundles, one file each, written beside the server's bundle: the server
 * first, then the standalone processes (`npm run reference-partner`, `npm run builtin-partner`) and the
 * partner checker (`npx stockroom check-partner`).
 * A new program is a new row.
 */
export const BUNDLES = [
  { entry: 'src/main.ts', file: 'stockroom.mjs' },
  { entry: 'src/providers/reference-partner/main.ts', file: 'reference-partner.mjs' },
  { entry: 'src/providers/builtin-partner/main.ts', file: 'builtin-partner.mjs' },
  { entry: 'src/check-partner/main.ts', file: 'check-partner.mjs' },
];

/** The bundles of a build whose server bundle is `outfile`: `{entry, outfile}` with absolute paths. */
export function bundlesOf(outfile) {
  return BUNDLES.map((bundle, index) => ({
    entry: join(ROOT, bundle.entry),
    // The server's name may be chosen (`--outfile`); the others lie beside it.
    outfile: index === 0 ? outfile : join(dirname(outfile), bundle.file),
  }));
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
  return [...bundlesOf(outfile).map((b) => b.outfile), ...CONSOLE_FILES.map((name) => join(consoleDir, name))];
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
