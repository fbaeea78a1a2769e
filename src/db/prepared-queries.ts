import { PostgresAdapter, type Compilable, type CompiledQuery, type DialectAdapter, type Kysely, type QueryResult } from 'kysely';
import type { Dialect } from './database.js';

/**
 * Hot statements built once: a query is assembled with named placeholders where its values go,
 * compiled a single time per dialect, and then run with the values of each call bound in the
 * placeholders' slots. Kysely otherwise builds an immutable query tree, clones it at every
 * `.where`, and walks it into SQL on every call, which on the create path cost about as much CPU
 * as running the statements (issue 17). The SQL and its parameters are exactly what the same
 * builder would produce for those values; only the work of producing them is skipped.
 *
 * The placeholders are the keys of the first call's arguments, so an insert may pass them whole
 * (`values(p)`); every later call must bring the same keys. A query whose SQL depends on its
 * values (an `in (…)` list, an optional clause) cannot be prepared this way: its shape is fixed
 * by the placeholders. `build` may branch on the dialect, which is part of the cache key. With
 * Kysely plugins installed (none in Stockroom) a query is built every time, since plugins may
 * rewrite it per call.
 */
export interface PreparedQuery<A, R> {
  /** The result rows. */
  rows(db: Kysely<any>, args: A): Promise<R[]>;
  /** The first row, or undefined. */
  first(db: Kysely<any>, args: A): Promise<R | undefined>;
  /** Rows changed by an insert, update or delete. */
  affected(db: Kysely<any>, args: A): Promise<number>;
}

/** Stands where a value of the call goes; only ever seen by the compiler, never by a database. */
class Placeholder {
  constructor(readonly name: string) {}
}

/** The placeholders of a query's arguments, typed as the values they stand for. */
export type Placeholders<A> = { readonly [K in keyof A]: A[K] };

interface Compiled {
  readonly query: CompiledQuery;
  /** The argument names the query was built with. */
  readonly names: readonly string[];
  /** Per parameter slot: the argument it takes, or the constant the builder put there. */
  readonly slots: ReadonlyArray<{ readonly name: string } | { readonly value: unknown }>;
}

export function preparedQuery<A extends object, R = unknown>(
  build: (db: Kysely<any>, p: Placeholders<A>, dialect: Dialect) => Compilable<unknown>,
): PreparedQuery<A, R> {
  const byAdapter = new WeakMap<DialectAdapter, Compiled>();

  const compile = (db: Kysely<any>, adapter: DialectAdapter, args: A): Compiled => {
    const names = Object.keys(args);
    const placeholders = Object.fromEntries(names.map((name) => [name, new Placeholder(name)])) as Placeholders<A>;
    const query = build(db, placeholders, adapter instanceof PostgresAdapter ? 'postgres' : 'sqlite').compile();
    const slots = query.parameters.map((value) => (value instanceof Placeholder ? { name: value.name } : { value }));
    return { query, names, slots };
  };

  const run = async (db: Kysely<any>, args: A): Promise<QueryResult<R>> => {
    const executor = db.getExecutor();
    if (executor.plugins.length > 0) return db.executeQuery(bind(compile(db, executor.adapter, args), args)) as Promise<QueryResult<R>>;
    let compiled = byAdapter.get(executor.adapter);
    if (!compiled) {
      compiled = compile(db, executor.adapter, args);
      byAdapter.set(executor.adapter, compiled);
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
  // Another set of keys would have built another statement (an insert's column list, say).
  const given = Object.keys(args);
  if (given.length !== compiled.names.length || given.some((name, i) => name !== compiled.names[i])) {
    throw new Error(`prepared query: called with ${given.join(', ')}, prepared with ${compiled.names.join(', ')}`);
  }
  const parameters = compiled.slots.map((slot) => {
    if (!('name' in slot)) return slot.value;
    return (args as Record<string, unknown>)[slot.name];
  });
  return { ...compiled.query, parameters };
}
