// Bundles the server (src/main.ts and everything it imports) into dist/stockroom.mjs, which
// `npm start` runs. Plain JavaScript, so that it starts without a TypeScript loader.
//
// Why a bundle: started from sources, Node loads some 1,500 module files (typebox alone ships
// ~700) through the tsx loader, which took 3–4 s before the first request was answered; one
// bundled file starts in about half a second (issue 7, BENCHMARKS.md). `tsc` to dist/ was tried:
// it drops the loader but not the module count, and still took ~1.7 s.
//
// esbuild is the compiler tsx itself runs on, so it is installed with the project's dependencies
// (package-lock.json) and needs no download.
//
//   node scripts/build.mjs             build
//   node scripts/build.mjs --if-stale  build only when src/, the lockfile or this script changed
//                                      since the last build (what `npm start` runs first)
//   node scripts/build.mjs --outfile=path   build elsewhere (the bundle test does)

import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const outfileArg = process.argv.find((a) => a.startsWith('--outfile='));
const outfile = outfileArg ? resolve(outfileArg.slice('--outfile='.length)) : join(root, 'dist', 'stockroom.mjs');

if (process.argv.includes('--if-stale') && isFresh()) process.exit(0);

const startedAt = Date.now();
await build({
  entryPoints: [join(root, 'src', 'main.ts')],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // better-sqlite3 loads a native addon from its own directory; pg-native is pg's optional
  // native driver, which Stockroom does not use and may not be installed.
  external: ['better-sqlite3', 'pg-native'],
  // Bundled CommonJS packages call require() for Node's built-in modules.
  banner: { js: "import { createRequire as __stockroomCreateRequire } from 'node:module';\nconst require = __stockroomCreateRequire(import.meta.url);" },
  sourcemap: 'linked',
  sourcesContent: false,
  logLevel: 'warning',
  plugins: [sourceLocations()],
});
process.stderr.write(`built ${relative(root, outfile)} in ${Date.now() - startedAt} ms\n`);

/**
 * Inside the bundle every module would share the bundle's `import.meta.url`, but some of ours
 * find files next to their source (the catalog, the web console). Each keeps its own: its
 * `import.meta.url` becomes its source file's URL, resolved from wherever the bundle lies.
 */
function sourceLocations() {
  return {
    name: 'source-locations',
    setup(pluginBuild) {
      pluginBuild.onLoad({ filter: /[\\/]src[\\/].*\.ts$/ }, (args) => {
        const contents = readFileSync(args.path, 'utf8');
        if (!contents.includes('import.meta.url')) return undefined;
        const fromBundle = relative(dirname(outfile), args.path).split(sep).map(encodeURIComponent).join('/');
        return { contents: contents.replaceAll('import.meta.url', `new URL(${JSON.stringify(fromBundle)}, import.meta.url).href`), loader: 'ts' };
      });
    },
  };
}

/** Whether dist/stockroom.mjs is newer than everything it is built from. */
function isFresh() {
  if (!existsSync(outfile)) return false;
  const built = statSync(outfile).mtimeMs;
  const inputs = [join(root, 'package-lock.json'), join(root, 'package.json'), fileURLToPath(import.meta.url)];
  const newest = Math.max(...inputs.filter(existsSync).map((p) => statSync(p).mtimeMs), newestIn(join(root, 'src')));
  return newest < built;
}

function newestIn(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestIn(path) : statSync(path).mtimeMs);
  }
  return newest;
}
