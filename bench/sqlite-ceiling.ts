import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';

/**
 * Durable single-row SQLite commits per second on this disk, with Stockroom's settings (WAL,
 * `synchronous=FULL`): the ceiling for any write path that commits once per request. Each commit
 * waits for an fsync, so this measures the disk more than SQLite.
 */
export function measureDurableCommitsPerSecond(seconds = 2): number {
  const dir = mkdtempSync(join(tmpdir(), 'stockroom-bench-ceiling-'));
  const db = new SqliteDatabase(join(dir, 'ceiling.db'));
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT NOT NULL)');
    const insert = db.prepare('INSERT INTO t (body) VALUES (?)');
    // About the size of a store row.
    const body = 'x'.repeat(1200);
    const until = performance.now() + seconds * 1000;
    let commits = 0;
    const startedAt = performance.now();
    while (performance.now() < until) {
      insert.run(body);
      commits += 1;
    }
    return commits / ((performance.now() - startedAt) / 1000);
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
