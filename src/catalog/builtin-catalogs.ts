import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Catalog } from './catalog.js';
import { CatalogError } from './catalog-error.js';
import { parseCatalog, type CatalogOptions } from './load-catalog.js';

/** The catalog entry of each built-in provider that needs configuration, shipped beside the default catalog. */
export const BUILTIN_CATALOG_PATHS = {
  postgres: fileURLToPath(new URL('../../catalog/builtin-postgres.json', import.meta.url)),
  redis: fileURLToPath(new URL('../../catalog/builtin-redis.json', import.meta.url)),
} as const;

/**
 * The catalog in use (default or `STOCKROOM_CATALOG`) with the entries of the configured built-in
 * providers added. An entry is left out when the catalog already names the same
 * `providerBaseUrl`, so an operator's own catalog may describe a built-in provider its own way.
 * Each added file is checked on its own first, so its problems name it; the whole is checked
 * again, so ids and slugs stay unique across files.
 */
export function loadCatalogWithBuiltins(path: string, builtinPaths: readonly string[], options: CatalogOptions = {}): Catalog {
  const main = readJson(path);
  const base = parseCatalog(main, path, options);
  if (builtinPaths.length === 0) return base;
  const known = new Set(base.integrations.map((i) => i.providerBaseUrl));
  const added: unknown[] = [];
  for (const builtinPath of builtinPaths) {
    const json = readJson(builtinPath) as { integrations: unknown[] };
    const extra = parseCatalog(json, builtinPath, options);
    extra.integrations.forEach((integration, index) => {
      if (!known.has(integration.providerBaseUrl)) added.push(json.integrations[index]);
    });
  }
  const merged = { ...(main as Record<string, unknown>), integrations: [...(main as { integrations: unknown[] }).integrations, ...added] };
  return parseCatalog(merged, [path, ...builtinPaths].join(' + '), options);
}

function readJson(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new CatalogError(path, [], `cannot be read (${(error as Error).message})`, { cause: error });
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new CatalogError(path, [], `not valid JSON (${(error as Error).message})`, { cause: error });
  }
}
