import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Value } from 'typebox/value';
import type { Catalog, CatalogIntegration, CatalogProduct } from './catalog.js';
import { CatalogError, locateProblem, type PathProblem } from './catalog-error.js';
import { CatalogFile, type CatalogFileIntegration, type CatalogFileProduct } from './catalog-file.js';
import { findRuleProblems } from './catalog-rules.js';
import { findSchemaProblems } from './schema-problems.js';

/**
 * The catalog shipped with Stockroom (`catalog/default.json`): the built-in reference partner and
 * its products. Resolved from this module, so it holds however the server is started, as long as
 * it runs from the source tree (as `npm start` does).
 */
export const DEFAULT_CATALOG_PATH = fileURLToPath(new URL('../../catalog/default.json', import.meta.url));

/**
 * Reads and checks a catalog file. Synchronous: it runs once, at start-up, before anything listens.
 * Throws a `CatalogError` naming the file when it cannot be read, is not JSON or is invalid.
 */
export function loadCatalog(path: string, options: CatalogOptions = {}): Catalog {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new CatalogError(path, [], `cannot be read (${(error as Error).message})`, { cause: error });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new CatalogError(path, [], `not valid JSON (${(error as Error).message})`, { cause: error });
  }
  return parseCatalog(json, path, options);
}

export interface CatalogOptions {
  /** Where `clientSecretEnv` names are looked up: the process's environment unless a test says otherwise. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /**
   * The client secret of a built-in provider (`builtin:<name>`) whose entry gives none: Stockroom
   * mounts that provider itself, so it can hand it a secret derived from its own key.
   */
  readonly builtinClientSecret?: (integrationId: string) => string;
}

/**
 * Checks a parsed catalog file against the format (catalog-file.ts) and the rules JSON Schema
 * cannot state (catalog-rules.ts), and fills in defaults: `providerProductId` is the slug, missing
 * lists are `[]` and missing capabilities `{}`. Every problem is reported at once, each with the
 * entry and field it is about; `source` names the file in the message. The result is frozen: it is
 * shared by every request.
 */
export function parseCatalog(json: unknown, source: string, options: CatalogOptions = {}): Catalog {
  const env = options.env ?? process.env;
  const problems = [...findSchemaProblems(CatalogFile, json), ...findRuleProblems(json, env)];
  // The walker in schema-problems.ts explains; TypeBox decides. Should they ever disagree, the file
  // is still refused rather than loaded half-checked.
  if (problems.length === 0 && !Value.Check(CatalogFile, json)) problems.push({ path: [], message: 'does not match the catalog format' });
  if (problems.length > 0) throw new CatalogError(source, sortByEntry(problems).map((problem) => locateProblem(json, problem)));
  // A copy, so that the caller's object stays theirs and freezing it cannot surprise them.
  const file = structuredClone(json) as CatalogFile;
  return createCatalog(deepFreeze(file.integrations.map((integration) => toIntegration(integration, env, options.builtinClientSecret))));
}

function toIntegration(
  integration: CatalogFileIntegration,
  env: NonNullable<CatalogOptions['env']>,
  builtinClientSecret: CatalogOptions['builtinClientSecret'],
): CatalogIntegration {
  const clientSecret =
    integration.clientSecret ??
    (integration.clientSecretEnv ? env[integration.clientSecretEnv] : undefined) ??
    (integration.providerBaseUrl.startsWith('builtin:') ? builtinClientSecret?.(integration.id) : undefined);
  return {
    ...integration,
    ...(clientSecret === undefined ? {} : { clientSecret }),
    capabilities: integration.capabilities ?? {},
    flags: integration.flags ?? [],
    categories: integration.categories ?? [],
    products: integration.products.map(toProduct),
  };
}

function toProduct(product: CatalogFileProduct): CatalogProduct {
  return {
    ...product,
    providerProductId: product.providerProductId ?? product.slug,
    capabilities: product.capabilities ?? {},
    tags: product.tags ?? [],
    resourceLinks: product.resourceLinks ?? [],
    guides: product.guides ?? [],
    snippets: product.snippets ?? [],
    projectConnectionScopes: product.projectConnectionScopes ?? [],
  };
}

function createCatalog(integrations: readonly CatalogIntegration[]): Catalog {
  // Ids (`oac_…`) contain an underscore and slugs cannot, so one map holds both without clashes.
  const byIdOrSlug = new Map<string, CatalogIntegration>();
  for (const integration of integrations) {
    byIdOrSlug.set(integration.id, integration);
    byIdOrSlug.set(integration.slug, integration);
  }
  return Object.freeze({
    integrations,
    findIntegration: (idOrSlug: string) => byIdOrSlug.get(idOrSlug),
    // An integration sells a handful of products; a scan is as fast as a map and keeps no second copy.
    findProduct: (integration: CatalogIntegration, idOrSlug: string) =>
      integration.products.find((product) => product.id === idOrSlug || product.slug === idOrSlug),
  });
}

/** Problems grouped by entry (integration, then product) in file order, so an author reads each entry's once. */
function sortByEntry(problems: readonly PathProblem[]): PathProblem[] {
  const entryOf = ({ path }: PathProblem): [number, number] => [
    path[0] === 'integrations' && typeof path[1] === 'number' ? path[1] : -1,
    path[2] === 'products' && typeof path[3] === 'number' ? path[3] : -1,
  ];
  return problems
    .map((problem, order) => ({ problem, order, entry: entryOf(problem) }))
    .sort((a, b) => a.entry[0] - b.entry[0] || a.entry[1] - b.entry[1] || a.order - b.order)
    .map(({ problem }) => problem);
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
