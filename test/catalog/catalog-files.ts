import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { CatalogError } from '../../src/catalog/catalog-error.js';
import { DEFAULT_CATALOG_PATH, loadCatalog } from '../../src/catalog/load-catalog.js';

/** A catalog file's JSON. `any` on purpose: the tests break it in ways no type would allow. */
export type CatalogJson = any;

/** A fresh, mutable copy of the shipped catalog file. */
export function defaultCatalogJson(): CatalogJson {
  return JSON.parse(readFileSync(DEFAULT_CATALOG_PATH, 'utf8'));
}

/** Writes `content` (JSON, or raw text) to a temporary catalog file removed after the test. */
export function writeCatalogFile(t: TestContext, content: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), 'stockroom-catalog-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'catalog.json');
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  return path;
}

/** Loads `content` from a temporary file and returns the CatalogError it must throw. */
export function loadFailure(t: TestContext, content: unknown): { error: CatalogError; path: string } {
  const path = writeCatalogFile(t, content);
  try {
    loadCatalog(path);
  } catch (error) {
    assert.ok(error instanceof CatalogError, `expected a CatalogError, got ${String(error)}`);
    return { error, path };
  }
  assert.fail(`the catalog at ${path} loaded, but it should have been refused`);
}
