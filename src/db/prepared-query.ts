import type { Compilable, CompiledQuery, Kysely } from 'kysely';
import type { DB } from './schema.js';

/**
 * A hot query built and compiled once, its parameters bound on each call (issue 17): assembling a
 * Kysely query tree and compiling it to SQL cost more than SQLite took to run it, on every request.
 *
 * `build` receives placeholders in place of the values of `params` and must only pass them on as
 * values (to `where`, `limit`, a `sql` template…, an array's items one by one to `in`): the SQL is
 * kept, and each call puts its own values where the placeholders went. What may change the SQL is
 * which parameters are given (an optional filter: `build` may test `!== undefined`) and the length
 * of an array parameter; each such shape is compiled once. `build` throws if a value it received
 * did not end up as a parameter of the SQL (it computed with it instead of passing it on).
 */
export interface PreparedQuery<P extends Params, R> {
  /** The rows of the query for `params`. */
  rows(db: Kysely<DB>, params: P): Promise<R[]>;
  /** Its first row, or undefined. */
  first(db: Kysely<DB>, params: P): Promise<R | undefined>;
}

/** The values of one call, by name: an object of the query's own type, read as a record. */
type Params = object;

/** Stands for a value of `params` while the query is built: `params[key]`, or `params[key][item]`. */
class Placeholder {
  constructor(
    readonly key: string,
    readonly item: number | undefined,
  ) {}
}

interface Compiled<R> {
  readonly query: CompiledQuery<R>;
  /** Each parameter of the SQL that stands for a value of `params`: its position, and the value. */
  readonly slots: readonly Placeholder[];
  readonly positions: readonly number[];
}

/** Shapes kept per database: a few per query, and up to a page's length for lists of ids. */
const MAX_SHAPES = 256;

export function preparedQuery<P extends Params, R>(build: (db: Kysely<DB>, params: P) => Compilable<R>): PreparedQuery<P, R> {
  // Per database: SQLite and PostgreSQL write different SQL, and tests open several of each.
  const byDatabase = new WeakMap<Kysely<DB>, Map<string, Compiled<R>>>();

  const compile = (db: Kysely<DB>, params: P): Compiled<R> => {
    const placeholders: Placeholder[] = [];
    const stand = (key: string, item?: number) => {
      const placeholder = new Placeholder(key, item);
      placeholders.push(placeholder);
      return placeholder;
    };
    const standIns: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(params)) {
      if (value !== undefined) standIns[key] = Array.isArray(value) ? value.map((_, i) => stand(key, i)) : stand(key);
    }
    const query = build(db, standIns as P).compile();
    const slots: Placeholder[] = [];
    const positions: number[] = [];
    query.parameters.forEach((value, at) => {
      if (value instanceof Placeholder) {
        slots.push(value);
        positions.push(at);
      }
    });
    const unbound = placeholders.filter((p) => !slots.includes(p));
    if (unbound.length > 0) throw new Error(`prepared query: ${unbound.map((p) => p.key).join(', ')} did not become parameters of: ${query.sql}`);
    return { query, slots, positions };
  };

  const rows = async (db: Kysely<DB>, params: P): Promise<R[]> => {
    let shapes = byDatabase.get(db);
    if (!shapes) byDatabase.set(db, (shapes = new Map()));
    const shape = shapeOf(params);
    let entry = shapes.get(shape);
    if (!entry) {
      if (shapes.size >= MAX_SHAPES) shapes.delete(shapes.keys().next().value as string);
      shapes.set(shape, (entry = compile(db, params)));
    }
    const parameters = entry.query.parameters.slice();
    for (let i = 0; i < entry.slots.length; i++) {
      const { key, item } = entry.slots[i] as Placeholder;
      const value = (params as Record<string, unknown>)[key];
      parameters[entry.positions[i] as number] = item === undefined ? value : (value as readonly unknown[])[item];
    }
    const result = await db.executeQuery<R>({ ...entry.query, parameters });
    return result.rows;
  };

  return {
    rows,
    first: async (db, params) => (await rows(db, params))[0],
  };
}

/** Which parameters are given, and the length of each array: what may change the SQL. */
function shapeOf(params: Params): string {
  let shape = '';
  for (const key in params) {
    const value = (params as Record<string, unknown>)[key];
    if (value !== undefined) shape += Array.isArray(value) ? `${key}[${value.length}],` : `${key},`;
  }
  return shape;
}
