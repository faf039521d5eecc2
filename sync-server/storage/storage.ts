/**
 * The server's storage interface: an append-only log of Yjs updates per document with snapshots,
 * plus relational tables reached through a typed query builder (kysely). SQLite is the embedded
 * default; the builder and this interface are what a PostgreSQL adapter implements.
 *
 * Writes happen only inside `write()` sections: each runs atomically (all or nothing) and
 * sections are serialised. Sections that run close together share one commit (group commit);
 * `write()` resolves once its section is durable, which is when the server may acknowledge.
 */
import type { Compilable, Kysely } from 'kysely';
import type { Database } from './schema';

export interface StoredUpdate {
  seq: number;
  data: Uint8Array;
}

export interface StoredSnapshot {
  seq: number;
  data: Uint8Array;
}

/** Statements run inside a write section, or as plain reads. */
export interface Sql {
  all<R>(query: Compilable<R>): Promise<R[]>;
  first<R>(query: Compilable<R>): Promise<R | undefined>;
  /** Runs a write; returns the inserted row id (when any) and the number of changed rows. */
  run(query: Compilable<unknown>): Promise<{ insertId: number | null; changes: number }>;
}

export interface WriteTx extends Sql {
  /** Appends one update to a document's log; returns its sequence number. */
  appendUpdate(doc: string, companyId: number, update: Uint8Array): Promise<number>;
  /** Registers work to run once this section's data is durable. */
  afterCommit(fn: () => void): void;
  /**
   * Registers work that runs once per key at the end of the current batch, inside the same
   * transaction, before it commits (later registrations of a key replace earlier ones): derived
   * rows that many sections of one batch would otherwise rewrite each time.
   */
  beforeCommit(key: string, fn: () => Promise<void>): void;
}

export interface Storage extends Sql {
  readonly dialect: 'sqlite' | 'postgres';
  /** Builds typed queries for this dialect; run them with `all`/`first`/`run`. */
  readonly db: Kysely<Database>;

  write<T>(fn: (tx: WriteTx) => Promise<T> | T): Promise<T>;
  /**
   * As `write`, in two steps: `applied` resolves when the section has run (its effects are visible
   * to later sections, not yet durable), `durable` when it is committed. A caller that must keep
   * its inputs in order without waiting for each commit chains on `applied` and answers on `durable`.
   */
  writeStaged<T>(fn: (tx: WriteTx) => Promise<T> | T): { applied: Promise<T>; durable: Promise<T> };

  readUpdates(doc: string, afterSeq: number): Promise<StoredUpdate[]>;
  readSnapshot(doc: string): Promise<StoredSnapshot | null>;
  /** Highest sequence number of a document (0 when it has none). */
  documentSeq(doc: string): Promise<number>;
  /** Documents of a company changed after `afterSeq`, oldest change first. */
  changedDocuments(companyId: number, afterSeq: number): Promise<{ name: string; seq: number }[]>;
  /** The highest sequence number assigned so far. */
  headSeq(): Promise<number>;
  /**
   * Replaces the log up to `seq` with a snapshot (the document re-encoded); later updates stay.
   * Returns the number of log entries removed.
   */
  compact(doc: string, seq: number, snapshot: Uint8Array): Promise<number>;
  /** Number of log entries currently stored for a document. */
  logLength(doc: string): Promise<number>;
  close(): Promise<void>;
}
