import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

/*
 * The folder arrows of ARCHITECTURE.md, checked on the source text: every `from '…'`,
 * `import('…')` and bare `import '…'` of every file under src/, relative specifiers resolved to
 * the file they name. A plain scan rather than a linter plugin: the rules are few and the
 * failure message lists every offending import at once.
 */

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../../src');

/** The composition roots: they build the Fastify app and mount the routes, so they sit above http/. */
const ROOTS = new Set(['app.ts', 'server.ts', 'main.ts']);

/** What domain/ may not import: the adapters, the wiring above it, and modules that do I/O. */
const DOMAIN_FORBIDDEN_FOLDERS = ['db', 'providers', 'payments', 'use-cases', 'jobs', 'http'];
const IO_MODULES = [
  'fs', 'fs/promises', 'net', 'http', 'https', 'http2', 'tls', 'dgram', 'dns', 'dns/promises', 'child_process', 'cluster', 'worker_threads',
];
/** The backends of the partner kit (src/providers/partner-kit/): they import the kit, the kit imports none of them. */
const PARTNER_KIT_BACKENDS = ['providers/reference-partner', 'providers/postgres-provider', 'providers/redis-provider'];
const DOMAIN_FORBIDDEN_PACKAGES = ['pg', 'better-sqlite3', 'ioredis', 'kysely', 'fastify', 'undici'];

/** A Kysely query builder call or a raw `sql` template: what only db/ (and the adapters) may run. */
const SQL_IN_SOURCE = /\.(?:selectFrom|updateTable|insertInto|deleteFrom|replaceInto|mergeInto|selectNoFrom)\(|\bsql(?:\.\w+)?`|\bsql\.(?:raw|ref|table|id|lit|val|join)\(/g;

interface ImportSite {
  /** The importing file, relative to src/, with `/` separators. */
  readonly file: string;
  readonly specifier: string;
  /** For a relative specifier: the imported file, relative to src/ (may start with `../`). */
  readonly target?: string;
  /** `import type …` / `export type … from`: erased from the compiled JavaScript. */
  readonly typeOnly: boolean;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

const toPosix = (path: string) => path.split(sep).join('/');

/** Every import of one file's text, with where a relative one lands. */
function importsOf(file: string, text: string): ImportSite[] {
  const sites: ImportSite[] = [];
  const patterns = [
    // `import … from '…'` and `export … from '…'`, across lines; group 1 is `type` when type-only.
    /\b(?:import|export)\s+(type\s+)?[^'";]*?\bfrom\s*['"]([^'"]+)['"]/g,
    // `import '…'` for side effects.
    /\bimport\s+()['"]([^'"]+)['"]/g,
    // `import('…')`, in code or in a type position.
    /\bimport\(\s*()['"]([^'"]+)['"]\s*\)/g,
  ];
  for (const pattern of patterns) {
    for (const match of text.matchAll(pattern)) {
      const specifier = match[2]!;
      const typeOnly = Boolean(match[1]);
      const target = specifier.startsWith('.')
        ? toPosix(relative(SRC, resolve(dirname(join(SRC, file)), specifier))).replace(/\.js$/, '.ts')
        : undefined;
      sites.push({ file, specifier, typeOnly, ...(target === undefined ? {} : { target }) });
    }
  }
  return sites;
}

function allImports(): ImportSite[] {
  return sourceFiles(SRC).flatMap((path) => importsOf(toPosix(relative(SRC, path)), readFileSync(path, 'utf8')));
}

const describeSite = (site: ImportSite) => `${site.file} imports ${site.specifier}${site.typeOnly ? ' (type only)' : ''}`;

const inFolder = (path: string, folder: string) => path.startsWith(`${folder}/`);

describe('dependency rules (ARCHITECTURE.md)', () => {
  const imports = allImports();

  test('the scan sees the imports it checks', () => {
    // Guards the scanner itself: if the regexes stopped matching, every rule would pass vacuously.
    assert.ok(imports.length > 500, `only ${imports.length} imports found under src/`);
    assert.ok(imports.some((s) => s.file === 'app.ts' && s.target === 'http/routes/stores.ts'));
    assert.ok(imports.some((s) => s.file === 'http/routes/stores.ts' && s.target === 'domain/stores.ts' && s.typeOnly));
  });

  test('nothing outside src/http/ imports src/http/, except the composition roots and type-only wire shapes in the console', () => {
    const violations = imports
      .filter((s) => s.target !== undefined && inFolder(s.target, 'http') && !inFolder(s.file, 'http'))
      .filter((s) => !ROOTS.has(s.file))
      // The browser console is bundled on its own; a type-only import is erased from the bundle
      // and makes a change of the wire break the console's typecheck rather than the page.
      .filter((s) => !(inFolder(s.file, 'console') && s.typeOnly && (inFolder(s.target!, 'http/schemas') || inFolder(s.target!, 'http/presenters'))))
      .map(describeSite);
    assert.deepEqual(violations, []);
  });

  test('http/ does not import jobs/: what a route shares with a background loop lives in use-cases/', () => {
    const violations = imports
      .filter((s) => s.target !== undefined && inFolder(s.target, 'jobs') && inFolder(s.file, 'http'))
      .map(describeSite);
    assert.deepEqual(violations, []);
  });

  test('only the composition roots start background jobs: nothing else imports jobs/', () => {
    const violations = imports
      .filter((s) => s.target !== undefined && inFolder(s.target, 'jobs') && !inFolder(s.file, 'jobs'))
      .filter((s) => !ROOTS.has(s.file))
      .map(describeSite);
    assert.deepEqual(violations, []);
  });

  test('src/http/routes imports no kysely and runs no SQL: queries live in db/', () => {
    const routes = sourceFiles(join(SRC, 'http/routes')).map((path) => toPosix(relative(SRC, path)));
    const kyselyImports = imports
      .filter((s) => inFolder(s.file, 'http/routes') && (s.specifier === 'kysely' || s.specifier.startsWith('kysely/')))
      .map(describeSite);
    const queries = routes.flatMap((file) =>
      [...readFileSync(join(SRC, file), 'utf8').matchAll(SQL_IN_SOURCE)].map((match) => `${file} runs ${match[0]}`),
    );
    assert.ok(routes.length > 10, `only ${routes.length} route files found`);
    assert.deepEqual([...kyselyImports, ...queries], []);
  });

  test('use-cases/ and jobs/ run no SQL: they decide, db/ queries', () => {
    const files = ['use-cases', 'jobs'].flatMap((folder) => sourceFiles(join(SRC, folder)).map((path) => toPosix(relative(SRC, path))));
    const queries = files.flatMap((file) => [...readFileSync(join(SRC, file), 'utf8').matchAll(SQL_IN_SOURCE)].map((match) => `${file} runs ${match[0]}`));
    assert.ok(files.length > 5, `only ${files.length} use-case and job files found`);
    assert.deepEqual(queries, []);
  });

  test('domain/ imports no adapter, no wiring and no I/O module', () => {
    const violations = imports
      .filter((s) => inFolder(s.file, 'domain'))
      .filter((s) => {
        if (s.target !== undefined) return DOMAIN_FORBIDDEN_FOLDERS.some((folder) => inFolder(s.target!, folder));
        const bare = s.specifier.replace(/^node:/, '');
        return IO_MODULES.includes(bare) || DOMAIN_FORBIDDEN_PACKAGES.some((p) => bare === p || bare.startsWith(`${p}/`));
      })
      .map(describeSite);
    assert.deepEqual(violations, []);
  });

  test('partner-kit imports no backend: the reference partner, PostgreSQL and Redis providers build on the kit, never the reverse', () => {
    const violations = imports
      .filter((s) => inFolder(s.file, 'providers/partner-kit') && s.target !== undefined)
      .filter((s) => PARTNER_KIT_BACKENDS.some((folder) => inFolder(s.target!, folder)))
      .map(describeSite);
    assert.deepEqual(violations, []);
  });

  test('check-partner/ stands apart: it reaches a partner only over HTTP, and nothing imports it', () => {
    // The checker is a client of someone else's server: Stockroom's database, routes and use cases
    // are not its business. It shares only the claim sets Stockroom signs, so both sign alike.
    const allowed = (target: string) => inFolder(target, 'check-partner') || target === 'providers/signing-keys.ts';
    const outward = imports.filter((s) => inFolder(s.file, 'check-partner') && s.target !== undefined && !allowed(s.target)).map(describeSite);
    const inward = imports.filter((s) => !inFolder(s.file, 'check-partner') && s.target !== undefined && inFolder(s.target, 'check-partner')).map(describeSite);
    assert.ok(imports.some((s) => s.file === 'check-partner/main.ts'), 'the scan sees src/check-partner/');
    assert.deepEqual([...outward, ...inward], []);
  });

  test('the scanner resolves relative paths and tells type-only imports apart', () => {
    const sites = importsOf(
      'db/example.ts',
      [
        "import type { A } from '../http/presenters/store.js';",
        "import {\n  b,\n  type C,\n} from './schema.js';",
        "export { d } from '../domain/stores.js';",
        "const e = await import('node:fs');",
        "type F = import('../app-context.js').AppContext;",
        "import 'pino';",
      ].join('\n'),
    );
    assert.deepEqual(
      sites.map((s) => [s.specifier, s.target, s.typeOnly]),
      [
        ['../http/presenters/store.js', 'http/presenters/store.ts', true],
        ['./schema.js', 'db/schema.ts', false],
        ['../domain/stores.js', 'domain/stores.ts', false],
        ['pino', undefined, false],
        ['node:fs', undefined, false],
        ['../app-context.js', 'app-context.ts', false],
      ],
    );
  });
});
