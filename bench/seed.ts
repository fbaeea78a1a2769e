import SqliteDatabase from 'better-sqlite3';
import pg from 'pg';
import { newId } from '../src/domain/ids.js';

/** Where a Stockroom child keeps its data: the SQLite file, or a PostgreSQL database. */
export type BenchDatabase = { readonly kind: 'sqlite'; readonly path: string } | { readonly kind: 'postgres'; readonly url: string };

/** A seeded store the scenarios aim at. */
export interface SeededStore {
  readonly id: string;
  readonly createdAt: number;
}

export interface SeedResult {
  /** The store `depth` places from the newest, for a deep page (`until` its creation time). */
  readonly deep: SeededStore;
  /** A store in the middle of the team's list, for `GET /v1/storage/stores/{id}`. */
  readonly middle: SeededStore;
  readonly milliseconds: number;
}

type Row = Record<string, unknown>;

/**
 * Puts `count` stores into the team of `templateId` by direct bulk inserts, not through the API:
 * each row is a copy of a store Stockroom really created (same plan, metadata, sealed secrets,
 * sizes), with its own id, name, provider id and creation time, one second apart, all older than
 * the template. Runs while the server is up: SQLite takes the rows in one transaction (WAL lets the
 * server keep reading), PostgreSQL in batches.
 */
export async function seedStores(database: BenchDatabase, templateId: string, count: number, depth: number): Promise<SeedResult> {
  const startedAt = performance.now();
  const template = database.kind === 'sqlite' ? readSqliteRow(database.path, templateId) : await readPostgresRow(database.url, templateId);
  const base = Number(template.created_at) - (count + 1) * 1000;
  const rows: Row[] = [];
  for (let i = 0; i < count; i += 1) {
    const createdAt = base + i * 1000;
    rows.push({
      ...template,
      id: newId('store'),
      name: `seed-${String(i).padStart(6, '0')}`,
      external_resource_id: `res_seed${String(i).padStart(6, '0')}`,
      provision_key: newId('prov'),
      created_at: createdAt,
      updated_at: createdAt,
    });
  }
  if (database.kind === 'sqlite') insertSqlite(database.path, rows);
  else await insertPostgres(database.url, rows);
  const at = (fromNewest: number): SeededStore => {
    const row = rows[count - 1 - fromNewest];
    if (!row) throw new Error(`no seeded store at depth ${fromNewest}`);
    return { id: String(row.id), createdAt: Number(row.created_at) };
  };
  return { deep: at(depth), middle: at(Math.floor(count / 2)), milliseconds: performance.now() - startedAt };
}

function readSqliteRow(path: string, id: string): Row {
  const db = new SqliteDatabase(path, { readonly: true });
  try {
    const row = db.prepare('SELECT * FROM stores WHERE id = ?').get(id) as Row | undefined;
    if (!row) throw new Error(`template store ${id} not found`);
    return row;
  } finally {
    db.close();
  }
}

function insertSqlite(path: string, rows: readonly Row[]): void {
  const db = new SqliteDatabase(path);
  try {
    db.pragma('busy_timeout = 10000');
    const first = rows[0];
    if (!first) return;
    const columns = Object.keys(first);
    const insert = db.prepare(`INSERT INTO stores (${columns.join(', ')}) VALUES (${columns.map((c) => `@${c}`).join(', ')})`);
    db.transaction(() => {
      for (const row of rows) insert.run(row);
    })();
  } finally {
    db.close();
  }
}

async function readPostgresRow(url: string, id: string): Promise<Row> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<Row>('SELECT * FROM stores WHERE id = $1', [id]);
    if (!rows[0]) throw new Error(`template store ${id} not found`);
    return rows[0];
  } finally {
    await client.end();
  }
}

async function insertPostgres(url: string, rows: readonly Row[]): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    for (let i = 0; i < rows.length; i += 2000) {
      await client.query('INSERT INTO stores SELECT * FROM json_populate_recordset(NULL::stores, $1::json)', [JSON.stringify(rows.slice(i, i + 2000))]);
    }
    // A long-running server has had autovacuum analyze its tables; a freshly filled one has not.
    await client.query('ANALYZE stores');
  } finally {
    await client.end();
  }
}
