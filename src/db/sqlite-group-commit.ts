import type BetterSqlite3 from 'better-sqlite3';
import {
  CompiledQuery,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type Kysely,
  type QueryResult,
} from 'kysely';

/**
 * Kysely's SQLite dialect with group commit and a statement cache.
 *
 * With `synchronous=FULL`, every commit waits for an fsync, and better-sqlite3 waits on the event
 * loop: one commit per write would cap every write path at the disk's fsync rate (a few hundred
 * to a few thousand per second) and stall all other requests meanwhile. Here the writes of one
 * event-loop turn share one `BEGIN IMMEDIATE … COMMIT`, so concurrent requests share one fsync:
 *
 * - A write outside a transaction is queued, then run at the end of the turn in its own savepoint.
 *   One that fails (a unique violation, say) is rolled back to its savepoint and rejects with
 *   SQLite's own error; the others go on.
 * - An explicit transaction (`db.transaction()`) runs in a savepoint of the open group, with the
 *   connection to itself; its commit releases the savepoint and waits for the group's COMMIT.
 * - Every write's or transaction's promise settles only after the COMMIT that made it durable, so
 *   nothing is answered before it would survive a crash. If that COMMIT fails, all of them reject.
 * - Reads outside a transaction never see uncommitted data: while a group holds uncommitted
 *   transactions they wait for its COMMIT (at most the rest of the turn and one fsync).
 *
 * Statements are prepared once per SQL text and reused: preparing costs about as much as running
 * a small indexed query.
 *
 * With `syncWal` (see `WalSync`), the database runs with `synchronous=NORMAL` and the fsync that
 * FULL would do inside COMMIT, with the event loop stopped for the whole disk flush, is done here
 * on libuv's thread pool instead: nothing is answered before it is done, so an answer still means
 * the write is on disk, and the event loop serves other requests while the disk works.
 *
 * A failed WAL sync stops the database for good (fail-stop, as PostgreSQL PANICs on a failed
 * fsync): see `StorageFailedError` and docs/durability.md.
 */
export function createGroupCommitSqliteDialect(database: BetterSqlite3.Database, options: GroupCommitOptions = {}): Dialect {
  return {
    createAdapter: () => new SqliteAdapter(),
    createDriver: () => new GroupCommitDriver(database, options),
    createQueryCompiler: () => new SqliteQueryCompiler(),
    createIntrospector: (db: Kysely<any>) => new SqliteIntrospector(db),
  };
}

/**
 * Flushes the write-ahead log to disk (fdatasync on the `-wal` file) off the event loop. In WAL
 * mode with `synchronous=NORMAL`, SQLite itself syncs only at checkpoints, which first sync the WAL
 * and then the database file: a commit is durable once the WAL holding it is synced, which is what
 * FULL does at every COMMIT and what this does once for all the commits made before it started.
 */
export interface WalSync {
  sync(): Promise<void>;
  close(): Promise<void>;
}

export interface GroupCommitOptions {
  readonly syncWal?: WalSync;
  /** Called once, when a WAL sync fails and the database stops (the process should restart). */
  readonly onStorageFailure?: (error: StorageFailedError) => void;
}

/**
 * A WAL sync failed: every query from then on rejects with this. Going on would be unsafe: SQLite
 * already counts the unsynced commits as done and appends later ones after them, and Linux reports
 * a lost write-back once, so a later sync succeeds without those frames on disk. After an OS crash
 * WAL recovery stops at the first bad frame, losing every later commit, acknowledged or not. Only
 * a restart (SQLite recovers from the WAL as it is in the file) makes the database trustworthy.
 */
export class StorageFailedError extends Error {
  constructor(cause: unknown) {
    super(`The database stopped after a failed disk sync of its write-ahead log (${cause instanceof Error ? cause.message : String(cause)}); restart Stockroom.`, { cause });
    this.name = 'StorageFailedError';
  }
}

/** Prepared statements kept per SQL text; Kysely's SQL varies only with `in (…)` list lengths. */
const MAX_CACHED_STATEMENTS = 500;

interface Deferred<T> {
  readonly promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

interface QueuedWrite {
  readonly query: CompiledQuery;
  readonly done: Deferred<QueryResult<unknown>>;
}

/** Something that settles when the open group commits: a queued write, or a committed transaction. */
interface Member {
  readonly done: Deferred<QueryResult<unknown>>;
  readonly outcome: { readonly ok: true; readonly result: QueryResult<unknown> } | { readonly ok: false; readonly error: unknown };
}

const NO_ROWS: QueryResult<unknown> = { rows: [] };

class GroupCommitDriver implements Driver {
  readonly #db: BetterSqlite3.Database;
  readonly #statements = new Map<string, BetterSqlite3.Statement>();
  /** Writes outside any transaction, waiting for the end of the turn. */
  #queue: QueuedWrite[] = [];
  /** The group: `BEGIN IMMEDIATE` was run and its COMMIT has not. */
  #group: { readonly members: Member[]; readonly committed: Deferred<void> } | undefined;
  /** The explicit transaction that has the connection right now. */
  #active: Deferred<void> | undefined;
  #flushScheduled = false;
  readonly #walSync: WalSync | undefined;
  readonly #onStorageFailure: ((error: StorageFailedError) => void) | undefined;
  /** Set by the first failed WAL sync; from then on every query rejects with it (fail-stop). */
  #failure: StorageFailedError | undefined;
  /** Commits made so far, and how many of them a finished WAL sync has made durable. */
  #committed = 0;
  #synced = 0;
  #syncRunning = false;
  /** Answers held back until the commits they depend on are durable: released in order. */
  #awaitingSync: Array<{ readonly commit: number; readonly done: Deferred<void> }> = [];

  constructor(db: BetterSqlite3.Database, options: GroupCommitOptions) {
    this.#db = db;
    this.#walSync = options.syncWal;
    this.#onStorageFailure = options.onStorageFailure;
  }

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    return new GroupCommitConnection(this);
  }

  async releaseConnection(): Promise<void> {}

  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    while (this.#active) await this.#active.promise;
    if (this.#failure) throw this.#failure;
    this.#active = deferred();
    try {
      this.#openGroup();
      // Writes queued before this transaction began run first, as they would have without it.
      this.#runQueued();
      this.#run('SAVEPOINT kysely_transaction');
    } catch (error) {
      this.#endActive();
      throw error;
    }
    (connection as GroupCommitConnection).inTransaction = true;
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    const trx = connection as GroupCommitConnection;
    if (!trx.inTransaction) throw new Error('no transaction to commit');
    trx.inTransaction = false;
    const group = this.#group;
    if (!group || !this.#db.inTransaction) {
      // SQLite rolled the whole group back itself (disk full, I/O error): nothing of it stays.
      const error = this.#abandonGroup(new Error('SQLite rolled the transaction back'));
      this.#endActive();
      throw error;
    }
    this.#run('RELEASE kysely_transaction');
    const done = deferred<QueryResult<unknown>>();
    group.members.push({ done, outcome: { ok: true, result: NO_ROWS } });
    this.#endActive();
    await done.promise;
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    const trx = connection as GroupCommitConnection;
    // Kysely also rolls back after a failed commit; by then the savepoint is gone and the
    // connection may belong to another transaction, so there is nothing left to undo here.
    if (!trx.inTransaction) return;
    trx.inTransaction = false;
    try {
      if (this.#db.inTransaction) {
        // Only this transaction's work is undone; the rest of the group still commits.
        this.#run('ROLLBACK TO kysely_transaction');
        this.#run('RELEASE kysely_transaction');
      } else {
        this.#abandonGroup(new Error('SQLite rolled the transaction back'));
      }
    } finally {
      this.#endActive();
    }
  }

  // Savepoints of a controlled transaction (`trx.savepoint()`), nested inside its own.
  async savepoint(connection: DatabaseConnection, name: string): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(`savepoint ${quoteIdentifier(name)}`));
  }

  async rollbackToSavepoint(connection: DatabaseConnection, name: string): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(`rollback to ${quoteIdentifier(name)}`));
  }

  async releaseSavepoint(connection: DatabaseConnection, name: string): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(`release ${quoteIdentifier(name)}`));
  }

  async destroy(): Promise<void> {
    while (this.#active) await this.#active.promise;
    this.#flush();
    // After a failed sync nothing more can be made durable; closing is all that is left.
    await this.#durable()?.catch(() => undefined);
    this.#db.close();
    await this.#walSync?.close();
  }

  /** A query of the explicit transaction that has the connection: runs at once. */
  runInTransaction(query: CompiledQuery): QueryResult<unknown> {
    return this.#execute(query);
  }

  /** A query outside any transaction: a read runs on committed data, a write joins the next group. */
  async runAlone(query: CompiledQuery): Promise<QueryResult<unknown>> {
    if (this.#failure) throw this.#failure;
    const statement = this.#statement(query.sql);
    if (!statement.readonly) {
      const done = deferred<QueryResult<unknown>>();
      this.#queue.push({ query, done });
      this.#scheduleFlush();
      return done.promise;
    }
    for (;;) {
      if (this.#active) await this.#active.promise;
      else if (this.#group) await this.#group.committed.promise;
      else break;
    }
    const result = this.#execute(query, statement);
    // What the read saw may include commits whose WAL sync has not finished: its answer waits.
    const durable = this.#durable();
    return durable ? durable.then(() => result) : result;
  }

  /**
   * Settles when every commit made so far is on disk; undefined when it already is (or when
   * SQLite syncs inside COMMIT itself), so the common read pays nothing.
   */
  #durable(): Promise<void> | undefined {
    if (this.#failure) return Promise.reject(this.#failure);
    if (!this.#walSync || this.#synced >= this.#committed) return undefined;
    const done = deferred<void>();
    this.#awaitingSync.push({ commit: this.#committed, done });
    this.#syncWal();
    return done.promise;
  }

  /**
   * One WAL sync at a time; commits made while one runs are covered by the next, so the disk sees
   * one flush per batch of commits however many requests wrote.
   */
  #syncWal(): void {
    const walSync = this.#walSync;
    if (!walSync || this.#failure || this.#syncRunning || this.#synced >= this.#committed) return;
    this.#syncRunning = true;
    const upTo = this.#committed;
    // A failed flush may have lost what it was to flush, and no later sync can prove otherwise
    // (Linux reports a lost write-back once): the database stops (`StorageFailedError`).
    walSync.sync().then(
      () => this.#settleSynced(upTo, { ok: true }),
      (error: unknown) => this.#settleSynced(upTo, { ok: false, error }),
    );
  }

  /**
   * A sync covering the commits up to `upTo` ended: on success their waiters go on and the next
   * sync starts; on failure no commit not yet synced, before or after `upTo`, will ever be
   * answered as durable, and the database refuses every query from now on.
   */
  #settleSynced(upTo: number, outcome: { readonly ok: true } | { readonly ok: false; readonly error: unknown }): void {
    this.#syncRunning = false;
    if (!outcome.ok) {
      const failure = new StorageFailedError(outcome.error);
      this.#failure = failure;
      const waiting = this.#awaitingSync;
      this.#awaitingSync = [];
      for (const waiter of waiting) waiter.done.reject(failure);
      this.#rejectQueued(failure);
      this.#onStorageFailure?.(failure);
      return;
    }
    this.#synced = Math.max(this.#synced, upTo);
    const settled = this.#awaitingSync.filter((w) => w.commit <= upTo);
    this.#awaitingSync = this.#awaitingSync.filter((w) => w.commit > upTo);
    for (const waiter of settled) waiter.done.resolve();
    this.#syncWal();
  }

  #rejectQueued(error: unknown): void {
    const queue = this.#queue;
    this.#queue = [];
    for (const write of queue) write.done.reject(error);
  }

  /** Settles the members of a committed group once their commit is durable. */
  #settleCommitted(members: readonly Member[]): void {
    this.#committed += 1;
    const durable = this.#durable();
    const settle = () => {
      for (const { done, outcome } of members) {
        if (outcome.ok) done.resolve(outcome.result);
        else done.reject(outcome.error);
      }
    };
    if (!durable) return settle();
    durable.then(settle, (error: unknown) => {
      for (const { done } of members) done.reject(error);
    });
  }

  #scheduleFlush(): void {
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    // setImmediate runs after the I/O callbacks of this turn, so every request that reached a
    // write in this turn shares the commit.
    setImmediate(() => {
      this.#flushScheduled = false;
      this.#flush();
    });
  }

  /** Commits the group: the queued writes and the transactions that committed into it. */
  #flush(): void {
    // A transaction still holding the connection ends with #endActive, which flushes again.
    if (this.#active) return;
    if (this.#failure && !this.#group) return this.#rejectQueued(this.#failure);
    if (!this.#group) {
      const [only] = this.#queue;
      if (!only) return;
      if (this.#queue.length === 1) {
        // A lone write commits by itself, exactly as it did before there was grouping.
        this.#queue = [];
        let result: QueryResult<unknown>;
        try {
          result = this.#execute(only.query);
        } catch (error) {
          only.done.reject(error);
          return;
        }
        this.#settleCommitted([{ done: only.done, outcome: { ok: true, result } }]);
        return;
      }
      try {
        this.#openGroup();
      } catch (error) {
        const queue = this.#queue;
        this.#queue = [];
        for (const write of queue) write.done.reject(error);
        return;
      }
    }
    try {
      this.#runQueued();
    } catch {
      // The group was lost and its members rejected; writes after the failed one wait for the next.
      if (this.#queue.length > 0) this.#scheduleFlush();
      return;
    }
    const group = this.#group;
    if (!group) return;
    this.#group = undefined;
    try {
      if (!this.#db.inTransaction) throw new Error('SQLite rolled the group of writes back');
      this.#run('COMMIT');
    } catch (error) {
      if (this.#db.inTransaction) this.#run('ROLLBACK');
      for (const member of group.members) member.done.reject(error);
      group.committed.resolve();
      return;
    }
    this.#settleCommitted(group.members);
    group.committed.resolve();
  }

  #openGroup(): void {
    if (this.#group) return;
    this.#run('BEGIN IMMEDIATE');
    this.#group = { members: [], committed: deferred() };
  }

  /** Runs the queued writes in the open group, each in its own savepoint. */
  #runQueued(): void {
    const group = this.#group;
    if (!group) return;
    const queue = this.#queue;
    this.#queue = [];
    for (const { query, done } of queue) {
      this.#run('SAVEPOINT queued_write');
      try {
        const result = this.#execute(query);
        this.#run('RELEASE queued_write');
        group.members.push({ done, outcome: { ok: true, result } });
      } catch (error) {
        if (this.#db.inTransaction) {
          this.#run('ROLLBACK TO queued_write');
          this.#run('RELEASE queued_write');
        }
        group.members.push({ done, outcome: { ok: false, error } });
        // SQLite rolled the whole group back: nothing more may run in it.
        if (!this.#db.inTransaction) {
          this.#queue = queue.slice(queue.findIndex((w) => w.done === done) + 1);
          throw this.#abandonGroup(error);
        }
      }
    }
  }

  /** The group is lost (SQLite rolled it back): every member rejects. Returns the error to throw. */
  #abandonGroup(error: unknown): unknown {
    const group = this.#group;
    this.#group = undefined;
    if (group) {
      for (const member of group.members) member.done.reject(error);
      group.committed.resolve();
    }
    return error;
  }

  #endActive(): void {
    const active = this.#active;
    this.#active = undefined;
    active?.resolve();
    if (this.#group || this.#queue.length > 0) this.#scheduleFlush();
  }

  /** A transaction-control statement, prepared once. */
  #run(sql: string): void {
    this.#statement(sql).run();
  }

  #execute(query: CompiledQuery, statement = this.#statement(query.sql)): QueryResult<unknown> {
    const parameters = query.parameters as unknown[];
    if (statement.reader) return { rows: statement.all(parameters) };
    const { changes, lastInsertRowid } = statement.run(parameters);
    return { numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid), rows: [] };
  }

  #statement(sql: string): BetterSqlite3.Statement {
    const cached = this.#statements.get(sql);
    if (cached) return cached;
    const statement = this.#db.prepare(sql);
    if (this.#statements.size >= MAX_CACHED_STATEMENTS) {
      const oldest = this.#statements.keys().next().value;
      if (oldest !== undefined) this.#statements.delete(oldest);
    }
    this.#statements.set(sql, statement);
    return statement;
  }

  /** Streams a read with a statement of its own, which stays busy while the caller iterates. */
  *stream(query: CompiledQuery): IterableIterator<unknown> {
    yield* this.#db.prepare(query.sql).iterate(query.parameters as unknown[]);
  }
}

class GroupCommitConnection implements DatabaseConnection {
  inTransaction = false;
  readonly #driver: GroupCommitDriver;

  constructor(driver: GroupCommitDriver) {
    this.#driver = driver;
  }

  executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    if (!this.inTransaction) return this.#driver.runAlone(query) as Promise<QueryResult<R>>;
    try {
      return Promise.resolve(this.#driver.runInTransaction(query) as QueryResult<R>);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  async *streamQuery<R>(query: CompiledQuery): AsyncIterableIterator<QueryResult<R>> {
    if (query.query.kind !== 'SelectQueryNode') throw new Error('SQLite streams only select queries');
    for (const row of this.#driver.stream(query)) yield { rows: [row as R] };
  }
}

function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
