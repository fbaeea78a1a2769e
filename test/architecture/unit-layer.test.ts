import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

/*
 * `npm run test:unit` is the fast layer: tests that start no server, open no database and spawn no
 * process, so the layer stays well under 30 s and can run on every save. Its files are the ones
 * its script names in package.json; this test keeps that list honest by following every runtime
 * import of those files (type-only imports are erased, so they do not count) through test/ and
 * src/, and failing when one reaches a module that listens, stores or spawns.
 */

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** Packages and built-ins that mean a server, a database or a child process. */
const FORBIDDEN_MODULES = new Set([
  'node:http', 'node:https', 'node:http2', 'node:net', 'node:tls', 'node:dgram', 'node:child_process', 'node:cluster',
  'http', 'https', 'http2', 'net', 'tls', 'dgram', 'child_process', 'cluster',
  'better-sqlite3', 'pg', 'ioredis', 'fastify', 'undici', 'playwright-core',
]);

/** Local folders and files that start servers or open databases (paths from the checkout). */
const FORBIDDEN_PATHS = ['src/db/', 'src/server.ts', 'src/main.ts', 'src/app.ts', 'test/helpers/'];

/** The test files `npm run test:unit` runs: the `test/…` words of its script, `*.test.ts` globs expanded. */
function unitFiles(): string[] {
  const script: string = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).scripts['test:unit'];
  return script.split(/\s+/).filter((word) => word.startsWith('test/')).flatMap((word) => {
    if (!word.endsWith('/*.test.ts')) return [word];
    const dir = word.slice(0, -'/*.test.ts'.length);
    return readdirSync(join(ROOT, dir)).filter((name) => name.endsWith('.test.ts')).map((name) => `${dir}/${name}`);
  });
}

/** The specifiers `file` imports at run time: type-only imports and re-exports are left out. */
function runtimeImports(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(join(ROOT, file), 'utf8'), ts.ScriptTarget.Latest);
  const specifiers: string[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.importClause;
      const onlyTypes = clause?.isTypeOnly
        || (clause !== undefined && !clause.name && clause.namedBindings !== undefined && ts.isNamedImports(clause.namedBindings)
          && clause.namedBindings.elements.length > 0 && clause.namedBindings.elements.every((e) => e.isTypeOnly));
      if (!onlyTypes) specifiers.push(node.moduleSpecifier.text);
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      if (!node.isTypeOnly) specifiers.push(node.moduleSpecifier.text);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const [argument] = node.arguments;
      if (argument && ts.isStringLiteral(argument)) specifiers.push(argument.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return specifiers;
}

/** A relative specifier's file, from the checkout (`.js` names its `.ts` source); undefined for a package. */
function localTarget(from: string, specifier: string): string | undefined {
  if (!specifier.startsWith('.')) return undefined;
  const path = relative(ROOT, resolve(dirname(join(ROOT, from)), specifier));
  const candidates = [path.replace(/\.js$/, '.ts'), path.replace(/\.mjs$/, '.mts'), path];
  return candidates.find((candidate) => existsSync(join(ROOT, candidate))) ?? path;
}

/** Every forbidden module or path `file` reaches at run time, each with the import chain to it. */
function forbiddenReach(file: string): string[] {
  const found: string[] = [];
  const seen = new Set<string>();
  const walk = (current: string, chain: string[]) => {
    if (seen.has(current)) return;
    seen.add(current);
    for (const specifier of runtimeImports(current)) {
      const target = localTarget(current, specifier);
      const via = [...chain, current].join(' → ');
      if (target === undefined) {
        const name = specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]!;
        if (FORBIDDEN_MODULES.has(name) || FORBIDDEN_MODULES.has(specifier)) found.push(`${via} → ${specifier}`);
      } else if (FORBIDDEN_PATHS.some((path) => target === path || target.startsWith(path))) {
        found.push(`${via} → ${target}`);
      } else if (/\.(ts|mts)$/.test(target)) {
        walk(target, [...chain, current]);
      }
    }
  };
  walk(file, []);
  return found;
}

describe('the unit layer (npm run test:unit)', () => {
  const files = unitFiles();

  test('names test files that exist', () => {
    assert.ok(files.length > 20, `only ${files.length} unit test files`);
    for (const file of files) assert.ok(existsSync(join(ROOT, file)), `${file} is named by test:unit but does not exist`);
  });

  test('no unit test reaches a server, a database or a child process through its imports', () => {
    const reached = files.flatMap(forbiddenReach);
    assert.deepEqual(reached, [], `move these files out of test:unit, or their imports out of them:\n${reached.join('\n')}`);
  });

  test('the scan sees an import chain that reaches a server', () => {
    // A file known to start one, so the test above cannot pass by seeing nothing.
    assert.ok(forbiddenReach('test/http/shutdown.test.ts').some((chain) => chain.endsWith('test/helpers/built-server.ts')));
    assert.ok(forbiddenReach('test/providers/partner-client-auth.test.ts').some((chain) => chain.includes('node:http')));
  });
});
