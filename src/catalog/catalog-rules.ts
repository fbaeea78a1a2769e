import { Value } from 'typebox/value';
import { compileMetadataValidator, validateMetadata, type MetadataValidator } from '../domain/metadata.js';
import { ApiError } from '../errors.js';
import { findCategory, isIntegrationCategory, MARKETPLACE_CATEGORIES } from '../schemas/categories.js';
import { MetadataProperty } from '../schemas/metadata-schema.js';
import type { JsonPath, PathProblem } from './catalog-error.js';

/*
 * The rules of a catalog that JSON Schema cannot state: uniqueness across entries, and fields that
 * must agree with other fields (issue 3 §1). They run on the raw JSON next to the schema check,
 * looking only at values of the right shape, so one pass reports the shape problems and these
 * together.
 */

type Json = Readonly<Record<string, unknown>>;

/** Every rule problem in a parsed catalog file. */
export function findRuleProblems(file: unknown, env: Readonly<Record<string, string | undefined>>): PathProblem[] {
  const integrations = arrayAt(file, 'integrations');
  const problems = [
    ...findDuplicates(integrations, ['integrations'], 'id'),
    ...findDuplicates(integrations, ['integrations'], 'slug'),
  ];
  integrations.forEach((integration, i) => {
    const path = ['integrations', i, 'products'];
    const products = arrayAt(integration, 'products');
    problems.push(...findDuplicates(products, path, 'id'), ...findDuplicates(products, path, 'slug'));
    products.forEach((product, p) => problems.push(...findProductProblems(product, [...path, p])));
    problems.push(...findClientSecretProblems(integration, ['integrations', i], env));
    problems.push(...findCategoryProblems(arrayAt(integration, 'categories'), ['integrations', i, 'categories']));
  });
  return problems;
}

/**
 * The client secret signs webhooks and checks SSO exchanges, so it is given once, and one named by
 * an environment variable must be there (and as long as a written one) when the server starts,
 * not fail at the first webhook.
 */
function findClientSecretProblems(integration: unknown, path: JsonPath, env: Readonly<Record<string, string | undefined>>): PathProblem[] {
  const entry = recordOf(integration);
  const name = entry?.clientSecretEnv;
  if (typeof name !== 'string') return [];
  if (entry?.clientSecret !== undefined) return [{ path: [...path, 'clientSecretEnv'], message: 'give clientSecret or clientSecretEnv, not both' }];
  const value = env[name];
  if (value === undefined || value === '') return [{ path: [...path, 'clientSecretEnv'], message: `names the environment variable ${name}, which is not set` }];
  if (value.length < 16) return [{ path: [...path, 'clientSecretEnv'], message: `the environment variable ${name} holds fewer than 16 characters` }];
  return [];
}

/**
 * An integration's categories become its `tagIds` and what `discover --category` finds it by, so
 * a misspelt one would hide it from that filter without a word. The message lists what is valid
 * (the slugs `vercel integration categories` prints).
 */
function findCategoryProblems(categories: readonly unknown[], path: JsonPath): PathProblem[] {
  const problems: PathProblem[] = [];
  const seen = new Set<string>();
  categories.forEach((slug, index) => {
    if (typeof slug !== 'string') return;
    const category = findCategory(slug);
    if (category === undefined || category.slug !== slug) {
      const valid = MARKETPLACE_CATEGORIES.filter(isIntegrationCategory).map((c) => c.slug);
      problems.push({ path: [...path, index], message: `${JSON.stringify(slug)} is not a category; the categories are ${valid.join(', ')}` });
    } else if (!isIntegrationCategory(category)) {
      problems.push({ path: [...path, index], message: `${JSON.stringify(slug)} is a product category: put "${category.id}" in the tags of the products it applies to` });
    } else if (seen.has(slug)) {
      problems.push({ path: [...path, index], message: `${JSON.stringify(slug)} is listed twice` });
    }
    seen.add(slug);
  });
  return problems;
}

/**
 * Ids and slugs name an entry in URLs and in stored rows (an installation's integration, a store's
 * product), so two entries sharing one would make lookups depend on file order. The same holds for
 * a product's guides: `vercel integration guide --framework` shows the first guide of a framework.
 */
function findDuplicates(entries: readonly unknown[], path: JsonPath, key: 'id' | 'slug' | 'framework'): PathProblem[] {
  const firstIndex = new Map<string, number>();
  const problems: PathProblem[] = [];
  entries.forEach((entry, index) => {
    const value = recordOf(entry)?.[key];
    if (typeof value !== 'string') return;
    const first = firstIndex.get(value);
    if (first === undefined) firstIndex.set(value, index);
    else problems.push({ path: [...path, index, key], message: `${JSON.stringify(value)} is already the ${key} of ${String(path.at(-1))}[${first}]` });
  });
  return problems;
}

function findProductProblems(product: unknown, path: JsonPath): PathProblem[] {
  const record = recordOf(product);
  if (record === undefined) return [];
  const problems: PathProblem[] = [];
  const { primaryProtocol, supportedProtocols } = record;
  if (typeof primaryProtocol === 'string' && Array.isArray(supportedProtocols) && !supportedProtocols.includes(primaryProtocol)) {
    problems.push({
      path: [...path, 'primaryProtocol'],
      message: `${JSON.stringify(primaryProtocol)} is not one of supportedProtocols (${supportedProtocols.join(', ')})`,
    });
  }
  problems.push(...findDuplicates(arrayAt(record, 'guides'), [...path, 'guides'], 'framework'));
  const schema = recordOf(record['metadataSchema']);
  if (schema !== undefined) problems.push(...findMetadataSchemaProblems(schema, [...path, 'metadataSchema']));
  return problems;
}

function findMetadataSchemaProblems(schema: Json, path: JsonPath): PathProblem[] {
  const properties = recordOf(schema['properties']) ?? {};
  const names = Object.keys(properties);
  const problems: PathProblem[] = [];
  // `required` and `ui:order` refer to properties by name; a typo there would make a form nobody
  // can submit, or a field the dashboard never shows (metadata-schema.ts leaves this to loaders).
  for (const list of ['required', 'ui:order'] as const) {
    arrayAt(schema, list).forEach((name, index) => {
      if (typeof name === 'string' && !Object.hasOwn(properties, name)) {
        problems.push({ path: [...path, list, index], message: `names no property (${JSON.stringify(name)}); the properties are ${names.join(', ') || 'none'}` });
      }
    });
  }
  for (const [name, property] of Object.entries(properties)) {
    problems.push(...findPropertyProblems(name, property, [...path, 'properties', name]));
  }
  return problems;
}

/**
 * A property is compiled the way create compiles it, so a `pattern` that is no regular expression
 * fails here, at start-up, rather than as a 500 on the first store. A default is filled into every
 * store's metadata that leaves the field out (docs/rules.md §1.7), so one that its own property
 * refuses (a region not among the options, a size under the minimum) would make Stockroom reject
 * its own default; it is checked with the same validator.
 */
function findPropertyProblems(name: string, property: unknown, path: JsonPath): PathProblem[] {
  // A property that is not one of the 12 variants is already reported by the schema check.
  if (!Value.Check(MetadataProperty, property)) return [];
  let validator: MetadataValidator;
  try {
    validator = compileMetadataValidator({ type: 'object', properties: { [name]: property } });
  } catch (error) {
    return [{ path, message: (error as Error).message.replace("The product's metadataSchema", 'this property') }];
  }
  if (!('default' in property) || property.default === undefined) return [];
  try {
    validateMetadata(validator, { [name]: property.default });
    return [];
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    const messages = (error.extras.fields ?? []).map((field) => field.message ?? 'is invalid');
    return [{ path: [...path, 'default'], message: `does not match its own property: ${messages.join('; ')}` }];
  }
}

function recordOf(value: unknown): Json | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : undefined;
}

function arrayAt(value: unknown, key: string): readonly unknown[] {
  const child = recordOf(value)?.[key];
  return Array.isArray(child) ? child : [];
}
