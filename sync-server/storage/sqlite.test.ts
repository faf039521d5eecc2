import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { WalCheckpointer, type CheckpointResult } from './checkpointer';
import { until } from '../test/harness';
import { SqliteStorage } from './sqlite';

const dirs: string[] = [];
function tempDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-storage-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe('SqliteStorage', () => {
  it('assigns increasing sequence numbers and reads a log back after a restart', async () => {
    const dir = tempDir();
    const s1 = new SqliteStorage({ dir });
    const seqs = await s1.write(async (tx) => [
      await tx.appendUpdate('conv/1', 1, new Uint8Array([1])),
      await tx.appendUpdate('conv/2', 1, new Uint8Array([2])),
      await tx.appendUpdate('conv/1', 1, new Uint8Array([3])),
    ]);
    expect(seqs).toEqual([1, 2, 3]);
    await s1.close();
    const s2 = new SqliteStorage({ dir });
    expect((await s2.readUpdates('conv/1', 0)).map((u) => [u.seq, [...u.data]])).toEqual([[1, [1]], [3, [3]]]);
    expect(await s2.changedDocuments(1, 1)).toEqual([{ name: 'conv/2', seq: 2 }, { name: 'conv/1', seq: 3 }]);
    expect(await s2.headSeq()).toBe(3);
    await s2.close();
  });

  it('rolls back a failed write section and keeps the others of the same batch', async () => {
    const storage = new SqliteStorage({ dir: tempDir() });
    const ok = storage.write((tx) => tx.appendUpdate('conv/1', 1, new Uint8Array([1])));
    const bad = storage.write(async (tx) => {
      await tx.appendUpdate('conv/1', 1, new Uint8Array([2]));
      throw new Error('validation failed');
    });
    await expect(bad).rejects.toThrow('validation failed');
    await ok;
    expect((await storage.readUpdates('conv/1', 0)).map((u) => [...u.data])).toEqual([[1]]);
    // The document index names only what was kept.
    expect(await storage.changedDocuments(1, 0)).toEqual([{ name: 'conv/1', seq: 1 }]);
    expect(await storage.documentSeq('conv/1')).toBe(1);
    await storage.close();
  });

  it('shares one commit among sections issued in the same turn', async () => {
    const storage = new SqliteStorage({ dir: tempDir() });
    let committed = 0;
    const writes = Array.from({ length: 50 }, (_, i) =>
      storage.write((tx) => {
        tx.afterCommit(() => committed++);
        return tx.appendUpdate(`conv/${i + 1}`, 1, new Uint8Array([i]));
      }),
    );
    expect(committed).toBe(0);
    expect(await Promise.all(writes)).toHaveLength(50);
    expect(committed).toBe(50);
    await storage.close();
  });

  it('refuses writes outside a write section', async () => {
    const storage = new SqliteStorage({ dir: tempDir() });
    await expect(storage.run(storage.db.insertInto('companies').values({ name: 'x', time_zone: 'UTC', owner_user_id: null, created_at: 1 }))).rejects.toThrow(
      /inside storage.write/,
    );
    await storage.close();
  });

  it('compacts a log into a snapshot and keeps later updates', async () => {
    const storage = new SqliteStorage({ dir: tempDir() });
    for (let i = 0; i < 5; i++) await storage.write((tx) => tx.appendUpdate('conv/9', 1, new Uint8Array([i])));
    expect(await storage.logLength('conv/9')).toBe(5);
    const removed = await storage.compact('conv/9', 4, new Uint8Array([42]));
    expect(removed).toBe(4);
    expect(await storage.readSnapshot('conv/9')).toEqual({ seq: 4, data: new Uint8Array([42]) });
    expect((await storage.readUpdates('conv/9', 4)).map((u) => u.seq)).toEqual([5]);
    await storage.close();
  });

  it('runs end-of-batch work once per key, inside the batch, and isolates its failure', async () => {
    const storage = new SqliteStorage({ dir: tempDir(), onError: () => undefined });
    const ran: string[] = [];
    const writes = Array.from({ length: 5 }, (_, i) =>
      storage.write(async (tx) => {
        await tx.appendUpdate('conv/1', 1, new Uint8Array([i]));
        tx.beforeCommit('mirror:1', async () => {
          ran.push(`mirror after ${i}`);
        });
      }));
    await Promise.all(writes);
    expect(ran).toEqual(['mirror after 4']);
    // A failing hook is rolled back alone; the batch's own sections stay committed.
    await storage.write(async (tx) => {
      await tx.appendUpdate('conv/2', 1, new Uint8Array([9]));
      tx.beforeCommit('bad', async () => {
        await storage.run(storage.db.insertInto('companies').values({ name: 'x', time_zone: 'UTC', owner_user_id: null, created_at: 1 }));
        throw new Error('hook failed');
      });
    });
    expect((await storage.readUpdates('conv/2', 0)).length).toBe(1);
    expect(await storage.all(storage.db.selectFrom('companies').selectAll())).toEqual([]);
    await storage.close();
  });

  it('checkpoints the WAL on a worker thread, with the writer\'s automatic checkpoint off', async () => {
    const dir = tempDir();
    const results: CheckpointResult[] = [];
    const storage = new SqliteStorage({ dir, onCheckpoint: (r) => results.push(r) });
    const walFrames = () => results.at(-1)?.log ?? 0;
    for (let i = 0; i < 20; i++) {
      await storage.write((tx) => tx.appendUpdate(`conv/${i}`, 1, new Uint8Array(8192).fill(i)));
    }
    await until(() => results.some((r) => r.log > 0 && r.checkpointed === r.log), 'a complete checkpoint on the worker');
    expect(walFrames()).toBeGreaterThan(0);
    expect(storage.walCheckpoints).toBe('worker');
    await storage.close();
    const reopened = new SqliteStorage({ dir, checkpointWorker: false });
    expect((await reopened.readUpdates('conv/19', 0))[0].data[0]).toBe(19);
    expect(reopened.walCheckpoints).toBe('automatic');
    await reopened.close();
  });

  it('commits at most once per interval under load, and at once after a quiet spell', async () => {
    const storage = new SqliteStorage({ dir: tempDir(), commitIntervalMs: 200 });
    const durableAt = (doc: string) => storage.write((tx) => tx.appendUpdate(doc, 1, new Uint8Array([1]))).then(() => performance.now());
    const first = await durableAt('conv/1');
    // Two writes in different turns right after a commit wait for the interval and share one commit.
    const second = durableAt('conv/2');
    await new Promise((r) => setTimeout(r, 20));
    const third = durableAt('conv/3');
    const [b, c] = await Promise.all([second, third]);
    expect(b - first).toBeGreaterThanOrEqual(150);
    expect(Math.abs(c - b)).toBeLessThan(5);
    // After a quiet spell longer than the interval, a write is committed without waiting.
    await new Promise((r) => setTimeout(r, 250));
    const start = performance.now();
    expect((await durableAt('conv/4')) - start).toBeLessThan(150);
    await storage.close();
  });

  it('falls back to SQLite\'s automatic checkpoint when the worker fails', async () => {
    const errors: Error[] = [];
    const automatic: boolean[] = [];
    const checkpointer = new WalCheckpointer({
      file: path.join(tempDir(), 'missing-folder', 'switchboard.db'),
      setAutomatic: (on) => automatic.push(on),
      onError: (err) => errors.push(err),
    });
    await until(() => errors.length > 0, 'the worker failed');
    expect(errors[0].message).toMatch(/fall back to SQLite's automatic checkpoint/);
    expect(automatic).toEqual([true]);
    expect(checkpointer.active).toBe(false);
    await checkpointer.close();
  });
});
