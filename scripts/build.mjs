// Bundles the server (src/main.ts and everything it imports) into dist/stockroom.mjs, which
// `npm start` runs, and each standalone program of the BUNDLES table (build-inputs.mjs) into its
// own file beside it (dist/reference-partner.mjs, dist/builtin-partner.mjs). Plain JavaScript, so
// that they start without a TypeScript loader.
//
// Why a bundle: started from sources, Node loads some 1,500 module files (typebox alone ships
// ~700) through the tsx loader, which took 3–4 s before the first request was answered; one
// bundled file starts in about half a second (issue 7, BENCHMARKS.md). `tsc` to dist/ was tried:
// it drops the loader but not the module count, and still took ~1.7 s.
//
// esbuild (a devDependency, the compiler tsx runs on too) does the work; it is installed from
// package-lock.json and needs no download.
//
//   node scripts/build.mjs             build
//   node scripts/build.mjs --if-stale  build only when src/, the package files or the build scripts
//                                      changed since the last build (what `npm start` and
//                                      `npm test` run first)
//   node scripts/build.mjs --outfile=path   build elsewhere (the other bundles beside it)
//
// It writes the bundles and, in `console/` beside it, the web console's static files: its
// TypeScript bundled into app.js, and index.html and app.css copied. The server only serves
// those files; nothing is compiled while it runs, so build tools are not runtime dependencies.

import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { build } from 'esbuild';
import { CONSOLE_FILES, DEFAULT_OUTFILE, ROOT as root, bundlesOf, consoleDirOf, staleness } from './build-inputs.mjs';

const outfileArg = process.argv.find((a) => a.startsWith('--outfile='));
const outfile = outfileArg ? resolve(outfileArg.slice('--outfile='.length)) : DEFAULT_OUTFILE;
const consoleDir = consoleDirOf(outfile);

if (process.argv.includes('--if-stale') && staleness(outfile) === undefined) process.exit(0);

const startedAt = Date.now();
const bundles = bundlesOf(outfile);
await Promise.all([...bundles.map(buildBundle), buildConsole()]);
process.stderr.write(`built ${bundles.map((b) => relative(root, b.outfile)).join(', ')} and ${relative(root, consoleDir)}/ in ${Date.now() - startedAt} ms\n`);

function buildBundle({ entry, outfile }) {
  return build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // better-sqlite3 loads a native addon from its own directory; pg-native is pg's optional
    // native driver, which Stockroom does not use and may not be installed.
    external: ['better-sqlite3', 'pg-native'],
    banner: {
      js: [
        // Bundled CommonJS packages call require() for Node's built-in modules.
        "import { createRequire as __stockroomCreateRequire } from 'node:module';",
        'const require = __stockroomCreateRequire(import.meta.url);',
        // Where the bundle lies, so the server finds the console built beside it (routes/console.ts).
        'const STOCKROOM_BUNDLE_URL = import.meta.url;',
      ].join('\n'),
    },
    sourcemap: 'linked',
    sourcesContent: false,
    logLevel: 'warning',
    plugins: [sourceLocations(outfile)],
  });
}

/** The browser's files: src/console/main.ts and what it imports as one script, the rest copied. */
async function buildConsole() {
  const sources = join(root, 'src', 'console');
  mkdirSync(consoleDir, { recursive: true });
  await build({
    entryPoints: [join(sources, 'main.ts')],
    outfile: join(consoleDir, 'app.js'),
    bundle: true,
    format: 'esm',
    target: 'es2022',
    minify: true,
    legalComments: 'none',
    logLevel: 'warning',
  });
  for (const name of CONSOLE_FILES.filter((n) => n !== 'app.js')) copyFileSync(join(sources, name), join(consoleDir, name));
}

/**
 * Inside the bundle every module would share the bundle's `import.meta.url`, but some of ours
 * find files next to their source (the catalog). Each keeps its own: its
 * `import.meta.url` becomes its source file's URL, resolved from wherever the bundle lies.
 */
function sourceLocations(outfile) {
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
