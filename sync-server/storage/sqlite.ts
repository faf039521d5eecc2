/**
 * The embedded default storage: one SQLite file (better-sqlite3, WAL) in the data folder.
 * Statements run synchronously on one connection; write sections are wrapped in SAVEPOINTs inside
 * one open transaction that is committed at the end of an event-loop turn, at most once per
 * `commitIntervalMs` (group commit).
 */
import BetterSqlite3 from 'better-sqlite3';
import {
  CompiledQuery, DummyDriver, Kysely, SqliteAdapter, SqliteIntrospector, SqliteQueryCompiler, type Compilable,
} from 'kysely';
import fs from 'node:fs';
import path from 'node:path';
import { WalCheckpointer, type CheckpointResult } from './checkpointer';
import { SQLITE_MIGRATIONS, type Database } from './schema';
import type { Storage, StoredSnapshot, StoredUpdate, WriteTx } from './storage';

export interface SqliteOptions {
  /** Data folder; the database file is `<dir>/switchboard.db`. */
  dir: string;
  /** `NORMAL` survives process crashes (the WAL is fsynced at checkpoints); `FULL` also power loss. */
  synchronous?: 'NORMAL' | 'FULL';
  /** Where failures of end-of-batch work are reported (their section is rolled back alone). */
  onError?: (err: Error) => void;
  /** Run WAL checkpoints on a worker thread instead of inside commits (default true). */
  checkpointWorker?: boolean;
  /**
   * Least time between two commits (ms). Under load, sections wait up to this long to share a
   * commit, and their readers one frame: fewer COMMITs and socket writes per message. A commit
   * after a quiet spell is not delayed.
   */
  commitIntervalMs?: number;
  /** Hears each checkpoint the worker ran. */
  onCheckpoint?: (result: CheckpointResult) => void;
}

type Statement = BetterSqlite3.Statement<unknown[], unknown>;

export class SqliteStorage implements Storage {
  readonly dialect = 'sqlite' as const;
  readonly db: Kysely<Database>;
  readonly file: string;
  private readonly sqlite: BetterSqlite3.Database;
  private readonly statements = new Map<string, Statement>();
  private inBatch = false;
  private commitScheduled = false;
  private lastCommitAt = -Infinity;
  private readonly commitIntervalMs: number;
  private pendingCommit: Array<() => void> = [];
  private pendingFailure: Array<(err: Error) => void> = [];
  private sectionChain: Promise<unknown> = Promise.resolve();
  private beforeCommitHooks = new Map<string, () => Promise<void>>();
  private sectionDocIndex = new Map<string, { companyId: number; seq: number; count: number }>();
  private batchDocIndex = new Map<string, { companyId: number; seq: number; count: number }>();
  private sectionOpen = false;
  private savepointCounter = 0;
  private closed = false;
  private readonly checkpointer: WalCheckpointer | null;

  private readonly onHookError: (err: Error) => void;

  constructor(opts: SqliteOptions) {
    this.commitIntervalMs = opts.commitIntervalMs ?? 5;
    this.onHookError = opts.onError ?? ((err) => process.stderr.write(`end-of-batch work failed: ${err.stack ?? err}\n`));
    fs.mkdirSync(opts.dir, { recursive: true });
    this.file = path.join(opts.dir, 'switchboard.db');
    this.sqlite = new BetterSqlite3(this.file);
    this.sqlite.pragma('journal_mode = WAL');
    this.sqlite.pragma(`synchronous = ${opts.synchronous ?? 'NORMAL'}`);
    this.sqlite.pragma('foreign_keys = ON');
    this.sqlite.pragma('busy_timeout = 5000');
    this.migrate();
    this.checkpointer = opts.checkpointWorker === false ? null : new WalCheckpointer({
      file: this.file,
      setAutomatic: (on) => {
        if (!this.closed) this.sqlite.pragma(`wal_autocheckpoint = ${on ? 1000 : 0}`);
      },
      onError: this.onHookError,
      onCheckpoint: opts.onCheckpoint,
    });
    this.db = new Kysely<Database>({
      dialect: {
        createAdapter: () => new SqliteAdapter(),
        createDriver: () => new DummyDriver(),
        createIntrospector: (db) => new SqliteIntrospector(db),
        createQueryCompiler: () => new SqliteQueryCompiler(),
      },
    });
  }

  /** Who checkpoints the WAL: the worker thread, or SQLite inside commits (its default). */
  get walCheckpoints(): 'worker' | 'automatic' {
    return this.sqlite.pragma('wal_autocheckpoint', { simple: true }) === 0 ? 'worker' : 'automatic';
  }

  private migrate(): void {
    const version = this.sqlite.pragma('user_version', { simple: true }) as number;
    for (let v = version; v < SQLITE_MIGRATIONS.length; v++) {
      this.sqlite.transaction(() => {
        this.sqlite.exec(SQLITE_MIGRATIONS[v]);
        this.sqlite.pragma(`user_version = ${v + 1}`);
      })();
    }
  }

  private statement(sql: string): Statement {
    let stmt = this.statements.get(sql);
    if (!stmt) {
      stmt = this.sqlite.prepare(sql);
      this.statements.set(sql, stmt);
    }
    return stmt;
  }

  private compile(query: Compilable<unknown> | CompiledQuery<unknown>): CompiledQuery<unknown> {
    return 'compile' in query ? query.compile() : query;
  }

  private params(q: CompiledQuery<unknown>): unknown[] {
    return q.parameters.map((p) => (typeof p === 'boolean' ? (p ? 1 : 0) : p));
  }

  private assertWritable(q: CompiledQuery<unknown>, stmt: Statement): void {
    if (!stmt.reader && !this.sectionOpen) {
      throw new Error(`writes must run inside storage.write(): ${q.sql.slice(0, 60)}`);
    }
  }

  // ---- Sql ------------------------------------------------------------------------------------

  async all<R>(query: Compilable<R>): Promise<R[]> {
    const q = this.compile(query);
    const stmt = this.statement(q.sql);
    this.assertWritable(q, stmt);
    if (!stmt.reader) {
      stmt.run(this.params(q));
      return [];
    }
    return stmt.all(this.params(q)) as R[];
  }

  async first<R>(query: Compilable<R>): Promise<R | undefined> {
    const q = this.compile(query);
    const stmt = this.statement(q.sql);
    this.assertWritable(q, stmt);
    if (!stmt.reader) {
      stmt.run(this.params(q));
      return undefined;
    }
    return stmt.get(this.params(q)) as R | undefined;
  }

  async run(query: Compilable<unknown>): Promise<{ insertId: number | null; changes: number }> {
    const q = this.compile(query);
    const stmt = this.statement(q.sql);
    this.assertWritable(q, stmt);
    if (stmt.reader) {
      // INSERT … RETURNING is a reader in SQLite.
      const row = stmt.get(this.params(q)) as Record<string, unknown> | undefined;
      const id = row && typeof row.id === 'number' ? row.id : null;
      return { insertId: id, changes: row ? 1 : 0 };
    }
    const res = stmt.run(this.params(q));
    return { insertId: res.changes > 0 ? Number(res.lastInsertRowid) : null, changes: res.changes };
  }

  // ---- write sections and group commit --------------------------------------------------------

  write<T>(fn: (tx: WriteTx) => Promise<T> | T): Promise<T> {
    return this.writeStaged(fn).durable;
  }

  writeStaged<T>(fn: (tx: WriteTx) => Promise<T> | T): { applied: Promise<T>; durable: Promise<T> } {
    if (this.closed) {
      const closed = Promise.reject(new Error('storage is closed'));
      closed.catch(() => undefined);
      return { applied: closed, durable: closed };
    }
    // The chain orders sections; durability is awaited separately so sections share a commit.
    const section = this.sectionChain.then(() => this.runSection(fn));
    this.sectionChain = section.catch(() => undefined);
    const applied = section.then((box) => box.result);
    const durable = section.then((box) => box.durable);
    // Callers may await only one of the two; neither may surface as an unhandled rejection.
    applied.catch(() => undefined);
    durable.catch(() => undefined);
    return { applied, durable };
  }

  private async runSection<T>(fn: (tx: WriteTx) => Promise<T> | T): Promise<{ result: T; durable: Promise<T> }> {
    if (!this.inBatch) {
      this.sqlite.exec('BEGIN IMMEDIATE');
      this.inBatch = true;
    }
    const after: Array<() => void> = [];
    const tx: WriteTx = {
      all: (q) => this.all(q),
      first: (q) => this.first(q),
      run: (q) => this.run(q),
      appendUpdate: async (doc, companyId, update) => this.appendUpdateNow(doc, companyId, update),
      afterCommit: (cb) => after.push(cb),
      beforeCommit: (key, cb) => {
        this.beforeCommitHooks.delete(key);
        this.beforeCommitHooks.set(key, cb);
      },
    };
    let result: T;
    try {
      result = await this.inSavepoint(() => fn(tx));
    } catch (err) {
      // The batch still holds other sections' work: it must commit even if this was the last one.
      this.scheduleCommit();
      throw err;
    }
    const durable = new Promise<T>((resolve, reject) => {
      this.pendingCommit.push(() => {
        for (const cb of after) cb();
        resolve(result);
      });
      this.pendingFailure.push(reject);
    });
    this.scheduleCommit();
    return { result, durable };
  }

  /** Runs `fn` in a SAVEPOINT of the open batch: kept when it returns, rolled back alone when it throws. */
  private async inSavepoint<T>(fn: () => Promise<T> | T): Promise<T> {
    const savepoint = `s${++this.savepointCounter}`;
    this.sqlite.exec(`SAVEPOINT ${savepoint}`);
    this.sectionOpen = true;
    try {
      const result = await fn();
      this.sqlite.exec(`RELEASE ${savepoint}`);
      this.endSectionIndex(true);
      return result;
    } catch (err) {
      this.sqlite.exec(`ROLLBACK TO ${savepoint}`);
      this.sqlite.exec(`RELEASE ${savepoint}`);
      this.endSectionIndex(false);
      throw err;
    } finally {
      this.sectionOpen = false;
    }
  }

  private scheduleCommit(): void {
    if (this.commitScheduled) return;
    this.commitScheduled = true;
    const wait = this.lastCommitAt + this.commitIntervalMs - performance.now();
    if (wait < 1) setImmediate(() => this.commitNow());
    else setTimeout(() => this.commitNow(), wait);
  }

  /**
   * Commits the open batch as one more step of the section chain, so no section runs between the
   * batch's end-of-batch work and COMMIT, and a section suspended on other I/O finishes first.
   */
  private commitNow(): void {
    this.commitScheduled = false;
    if (!this.inBatch) return;
    this.sectionChain = this.sectionChain.then(() => this.finishBatch()).catch((err) => this.onHookError(err as Error));
  }

  private async finishBatch(): Promise<void> {
    if (!this.inBatch) return;
    while (this.beforeCommitHooks.size > 0) {
      const hooks = [...this.beforeCommitHooks.values()];
      this.beforeCommitHooks = new Map();
      try {
        await this.inSavepoint(async () => {
          for (const hook of hooks) await hook();
        });
      } catch (err) {
        // End-of-batch work is derived data: its failure is rolled back alone and reported.
        this.onHookError(err as Error);
      }
    }
    const done = this.pendingCommit;
    const failed = this.pendingFailure;
    this.pendingCommit = [];
    this.pendingFailure = [];
    try {
      this.writeDocIndex();
      this.sqlite.exec('COMMIT');
      this.lastCommitAt = performance.now();
      this.inBatch = false;
      this.checkpointer?.committed();
    } catch (err) {
      try {
        this.sqlite.exec('ROLLBACK');
      } catch {
        /* already rolled back */
      }
      this.inBatch = false;
      this.batchDocIndex = new Map();
      for (const f of failed) f(err as Error);
      return;
    }
    for (const d of done) d();
  }

  private appendUpdateNow(doc: string, companyId: number, update: Uint8Array): number {
    const res = this.statement('INSERT INTO doc_updates (doc, data) VALUES (?, ?)').run(doc, update);
    const seq = Number(res.lastInsertRowid);
    // The documents index is written once per document at the end of the batch.
    const entry = this.sectionDocIndex.get(doc);
    if (entry) {
      entry.seq = seq;
      entry.count++;
    } else {
      this.sectionDocIndex.set(doc, { companyId, seq, count: 1 });
    }
    return seq;
  }

  /** Folds a finished section's index entries into the batch's (or drops them on rollback). */
  private endSectionIndex(keep: boolean): void {
    if (keep) {
      for (const [doc, e] of this.sectionDocIndex) {
        const b = this.batchDocIndex.get(doc);
        if (b) {
          b.seq = e.seq;
          b.count += e.count;
        } else {
          this.batchDocIndex.set(doc, e);
        }
      }
    }
    this.sectionDocIndex = new Map();
  }

  private writeDocIndex(): void {
    const upsert = this.statement(
      `INSERT INTO documents (name, company_id, last_seq, snapshot_seq, update_count) VALUES (?, ?, ?, 0, ?)
       ON CONFLICT(name) DO UPDATE SET last_seq = excluded.last_seq, update_count = update_count + excluded.update_count`,
    );
    for (const [doc, e] of this.batchDocIndex) upsert.run(doc, e.companyId, e.seq, e.count);
    this.batchDocIndex = new Map();
  }

  // ---- document log ---------------------------------------------------------------------------

  async readUpdates(doc: string, afterSeq: number): Promise<StoredUpdate[]> {
    const rows = this.statement('SELECT seq, data FROM doc_updates WHERE doc = ? AND seq > ? ORDER BY seq').all(doc, afterSeq) as {
      seq: number;
      data: Buffer;
    }[];
    return rows.map((r) => ({ seq: r.seq, data: new Uint8Array(r.data.buffer, r.data.byteOffset, r.data.byteLength) }));
  }

  async readSnapshot(doc: string): Promise<StoredSnapshot | null> {
    const row = this.statement('SELECT seq, data FROM doc_snapshots WHERE doc = ?').get(doc) as { seq: number; data: Buffer } | undefined;
    return row ? { seq: row.seq, data: new Uint8Array(row.data.buffer, row.data.byteOffset, row.data.byteLength) } : null;
  }

  async documentSeq(doc: string): Promise<number> {
    const row = this.statement('SELECT last_seq FROM documents WHERE name = ?').get(doc) as { last_seq: number } | undefined;
    return row?.last_seq ?? 0;
  }

  async changedDocuments(companyId: number, afterSeq: number): Promise<{ name: string; seq: number }[]> {
    const rows = this.statement('SELECT name, last_seq FROM documents WHERE company_id = ? AND last_seq > ? ORDER BY last_seq').all(
      companyId,
      afterSeq,
    ) as { name: string; last_seq: number }[];
    return rows.map((r) => ({ name: r.name, seq: r.last_seq }));
  }

  async headSeq(): Promise<number> {
    const row = this.statement("SELECT seq FROM sqlite_sequence WHERE name = 'doc_updates'").get() as { seq: number } | undefined;
    return row?.seq ?? 0;
  }

  async compact(doc: string, seq: number, snapshot: Uint8Array): Promise<number> {
    return this.write(async () => {
      this.statement('INSERT INTO doc_snapshots (doc, seq, data) VALUES (?, ?, ?) ON CONFLICT(doc) DO UPDATE SET seq = excluded.seq, data = excluded.data').run(
        doc,
        seq,
        snapshot,
      );
      const removed = this.statement('DELETE FROM doc_updates WHERE doc = ? AND seq <= ?').run(doc, seq).changes;
      this.statement('UPDATE documents SET snapshot_seq = ?, update_count = max(0, update_count - ?) WHERE name = ?').run(seq, removed, doc);
      return removed;
    });
  }

  async logLength(doc: string): Promise<number> {
    const row = this.statement('SELECT count(*) AS n FROM doc_updates WHERE doc = ?').get(doc) as { n: number };
    return row.n;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.sectionChain;
    // Flush the open batch before closing.
    while (this.inBatch || this.commitScheduled) {
      await new Promise((r) => setImmediate(r));
    }
    await this.checkpointer?.close();
    this.closed = true;
    this.sqlite.pragma('wal_checkpoint(TRUNCATE)');
    this.sqlite.close();
  }
}
