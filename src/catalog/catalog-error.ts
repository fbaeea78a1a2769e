/**
 * What is wrong with a catalog file, said so that its author can fix every problem in one pass:
 * the file, the entry (`integrations[0] (acme) → products[1] (acme-kv)`), the field inside the
 * entry (`metadataSchema.properties.region.ui:control`) and what it must be.
 */

/** A key or array index on the way from the file's root to a value. */
export type JsonPath = readonly (string | number)[];

/** One problem, located by its path from the root of the file. */
export interface PathProblem {
  readonly path: JsonPath;
  readonly message: string;
}

/** One problem, located the way its author reads the file. */
export interface CatalogProblem {
  /** `integrations[0] (acme) → products[1] (acme-kv)`; empty when the problem is at the top level. */
  readonly entry: string;
  /** `metadataSchema.properties.region.ui:control`; empty when the entry itself is wrong. */
  readonly field: string;
  readonly message: string;
}

/** A catalog that cannot be loaded. Thrown at start-up, so the server never runs with half a catalog. */
export class CatalogError extends Error {
  override readonly name = 'CatalogError';
  /** The file (or other source) the catalog came from. */
  readonly source: string;
  /** Every problem found; empty when the file could not be read or parsed at all. */
  readonly problems: readonly CatalogProblem[];

  constructor(source: string, problems: readonly CatalogProblem[], detail?: string, options?: ErrorOptions) {
    const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
    const message = detail ?? `${count}:\n${problems.map((problem) => `  - ${formatProblem(problem)}`).join('\n')}`;
    super(`Invalid catalog ${source}: ${message}`, options);
    this.source = source;
    this.problems = problems;
  }
}

/** `entry: field: message`, leaving out the parts that are empty. */
export function formatProblem(problem: CatalogProblem): string {
  return [problem.entry, problem.field, problem.message].filter((part) => part !== '').join(': ');
}

/**
 * Splits a path into the entry it is in and the field within that entry. Entries are named by
 * index and by slug (or id), because an index alone is hard to find in a long file and a slug
 * alone is ambiguous when it is the duplicate being reported.
 */
export function locateProblem(root: unknown, problem: PathProblem): CatalogProblem {
  const entries: string[] = [];
  let node = root;
  let rest = problem.path;
  // The file nests entries as integrations[i] → products[j]; everything below is a field.
  for (const list of ['integrations', 'products']) {
    const [key, index] = rest;
    if (key !== list || typeof index !== 'number') break;
    node = childOf(childOf(node, key), index);
    entries.push(`${list}[${index}]${labelOf(node)}`);
    rest = rest.slice(2);
  }
  return { entry: entries.join(' → '), field: formatField(rest), message: problem.message };
}

/** `metadataSchema.properties.region` or `guides[0].steps[1].title`. */
export function formatField(path: JsonPath): string {
  return path.reduce<string>((field, key) => {
    if (typeof key === 'number') return `${field}[${key}]`;
    return field === '' ? key : `${field}.${key}`;
  }, '');
}

function labelOf(entry: unknown): string {
  const name = childOf(entry, 'slug') ?? childOf(entry, 'id');
  return typeof name === 'string' && name !== '' ? ` (${name})` : '';
}

function childOf(node: unknown, key: string | number): unknown {
  if (typeof node !== 'object' || node === null) return undefined;
  return (node as Record<string | number, unknown>)[key];
}
