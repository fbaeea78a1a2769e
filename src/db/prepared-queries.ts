import { PostgresAdapter, type Compilable, type CompiledQuery, type DialectAdapter, type Kysely, type QueryResult } from 'kysely';
import type { Dialect } from './database.js';

/**
 * Hot statements built once (issue 17): a query is assembled with placeholders where its values
 * go, compiled a single time per dialect and shape, and then run with each call's values bound in
 * the placeholders' slots. Kysely otherwise builds an immutable query tree, clones it at every
 * `.where`, and walks it into SQL on every call, which on the create path and the read routes cost
 * about as much CPU as running the statements. The SQL and its parameters are exactly what the
 * same builder would produce for those values; only the work of producing them is skipped.
 *
 * `build` receives placeholders in place of the values of the call and must only pass them on as
 * values (to `where`, `values`, `limit`, a `sql` template…, an array's items one by one to `in`);
 * it throws at the first call if a placeholder did not become a parameter of the SQL (the builder
 * computed with it instead). What may change the SQL is the call's shape: which keys it gives
 * (`build` may test `!== undefined` for an optional filter; an insert may pass its row whole with
 * `values(p)`) and the length of each array. Each shape is compiled once, per dialect: `build` may
 * branch on the dialect (`FOR UPDATE` on PostgreSQL). With Kysely plugins installed (none in
 * Stockroom's own database) a query is built every time, since plugins may rewrite it per call.
 * docs/prepared-queries.md says which statements are prepared.
 */
export interface PreparedQuery<A, R> {
  /** The result rows. */
  rows(db: Kysely<any>, args: A): Promise<R[]>;
  /** The first row, or undefined. */
  first(db: Kysely<any>, args: A): Promise<R | undefined>;
  /** Rows changed by an insert, update or delete. */
  affected(db: Kysely<any>, args: A): Promise<number>;
}

/** Stands where a value of the call goes (`args[key]`, or `args[key][item]`); only the compiler sees it. */
class Placeholder {
  constructor(
    readonly key: string,
    readonly item: number | undefined,
  ) {}
}

interface Compiled {
  readonly query: CompiledQuery;
  /** Per parameter of the SQL: the value of the call it takes, or the constant the builder put there. */
  readonly slots: ReadonlyArray<Placeholder | { readonly value: unknown }>;
}

/** Shapes kept per dialect: a few per query, and up to a page's length for lists of ids. */
const MAX_SHAPES = 256;

export function preparedQuery<A extends object, R = unknown>(build: (db: Kysely<any>, p: A, dialect: Dialect) => Compilable<R> | Compilable<unknown>): PreparedQuery<A, R> {
  // Per dialect adapter: a transaction shares its database's adapter, so it shares the statements.
  const byAdapter = new WeakMap<DialectAdapter, Map<string, Compiled>>();

  const compile = (db: Kysely<any>, adapter: DialectAdapter, args: A): Compiled => {
    const placeholders: Placeholder[] = [];
    const stand = (key: string, item?: number) => {
      const placeholder = new Placeholder(key, item);
      placeholders.push(placeholder);
      return placeholder;
    };
    const standIns: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(args)) {
      if (value !== undefined) standIns[key] = Array.isArray(value) ? value.map((_, i) => stand(key, i)) : stand(key);
    }
    const query = build(db, standIns as A, adapter instanceof PostgresAdapter ? 'postgres' : 'sqlite').compile();
    const slots = query.parameters.map((value) => (value instanceof Placeholder ? value : { value }));
    const unbound = placeholders.filter((p) => !slots.includes(p));
    if (unbound.length > 0) throw new Error(`prepared query: ${unbound.map((p) => p.key).join(', ')} did not become parameters of: ${query.sql}`);
    return { query, slots };
  };

  const run = async (db: Kysely<any>, args: A): Promise<QueryResult<R>> => {
    const executor = db.getExecutor();
    if (executor.plugins.length > 0) return db.executeQuery(bind(compile(db, executor.adapter, args), args)) as Promise<QueryResult<R>>;
    let shapes = byAdapter.get(executor.adapter);
    if (!shapes) byAdapter.set(executor.adapter, (shapes = new Map()));
    const shape = shapeOf(args);
    let compiled = shapes.get(shape);
    if (!compiled) {
      if (shapes.size >= MAX_SHAPES) shapes.delete(shapes.keys().next().value as string);
      shapes.set(shape, (compiled = compile(db, executor.adapter, args)));
    }
    return db.executeQuery(bind(compiled, args)) as Promise<QueryResult<R>>;
  };

  return {
    rows: async (db, args) => (await run(db, args)).rows,
    first: async (db, args) => (await run(db, args)).rows[0],
    affected: async (db, args) => Number((await run(db, args)).numAffectedRows ?? 0n),
  };
}

function bind(compiled: Compiled, args: object): CompiledQuery {
  const values = args as Record<string, unknown>;
  const parameters = compiled.slots.map((slot) => {
    if (!(slot instanceof Placeholder)) return slot.value;
    const value = values[slot.key];
    return slot.item === undefined ? value : (value as readonly unknown[])[slot.item];
  });
  return { ...compiled.query, parameters };
}

/** Which keys are given, and the length of each array: what may change the SQL. */
function shapeOf(args: object): string {
  let shape = '';
  for (const key in args) {
    const value = (args as Record<string, unknown>)[key];
    if (value !== undefined) shape += Array.isArray(value) ? `${key}[${value.length}],` : `${key},`;
  }
  return shape;
}
