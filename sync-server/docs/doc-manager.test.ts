import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as Y from 'yjs';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteStorage } from '../storage/sqlite';
import { DocManager } from './doc-manager';

const dirs: string[] = [];
function tempDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-docs-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

async function write(storage: SqliteStorage, docs: DocManager, name: string, fn: (doc: Y.Doc) => void): Promise<void> {
  const loaded = await docs.load(name, 1);
  await storage.write((tx) => docs.change(tx, loaded, 'test', fn));
}

describe('DocManager', () => {
  it('documents survive a restart of storage and manager', async () => {
    const dir = tempDir();
    let storage = new SqliteStorage({ dir });
    let docs = new DocManager(storage);
    for (let i = 0; i < 10; i++) await write(storage, docs, 'conv/1', (d) => d.getArray('messages').push([{ n: i }]));
    docs.close();
    await storage.close();
    storage = new SqliteStorage({ dir });
    docs = new DocManager(storage);
    const loaded = await docs.load('conv/1', 1);
    expect(loaded.doc.getArray('messages').toJSON()).toEqual(Array.from({ length: 10 }, (_, n) => ({ n })));
    expect(loaded.seq).toBe(10);
    docs.close();
    await storage.close();
  });

  it('compaction keeps the content, shrinks the log and later updates still apply', async () => {
    const dir = tempDir();
    let storage = new SqliteStorage({ dir });
    let docs = new DocManager(storage, { compactAfter: 1_000 });
    for (let i = 0; i < 50; i++) {
      await write(storage, docs, 'conv/2', (d) => {
        d.getMap('meta').set('customName', `name ${i}`);
        d.getArray('messages').push([{ n: i }]);
      });
    }
    const loaded = await docs.load('conv/2', 1);
    const before = Y.encodeStateAsUpdate(loaded.doc);
    const logBefore = await storage.logLength('conv/2');
    const bytesBefore = (await storage.readUpdates('conv/2', 0)).reduce((n, u) => n + u.data.byteLength, 0);
    const removed = await docs.compact(loaded);
    expect(removed).toBe(50);
    expect(logBefore).toBe(50);
    expect(await storage.logLength('conv/2')).toBe(0);
    const snapshot = await storage.readSnapshot('conv/2');
    expect(snapshot!.data.byteLength).toBeLessThan(bytesBefore);
    await write(storage, docs, 'conv/2', (d) => d.getArray('messages').push([{ n: 50 }]));
    docs.close();
    await storage.close();

    storage = new SqliteStorage({ dir });
    docs = new DocManager(storage);
    const reloaded = await docs.load('conv/2', 1);
    const expected = new Y.Doc();
    Y.applyUpdate(expected, before);
    expected.getArray('messages').push([{ n: 50 }]);
    expect(reloaded.doc.getArray('messages').toJSON()).toEqual(expected.getArray('messages').toJSON());
    expect(reloaded.doc.getMap('meta').get('customName')).toBe('name 49');
    expect(await storage.logLength('conv/2')).toBe(1);
    docs.close();
    await storage.close();
  });

  it('compacts on its own once the log passes the threshold', async () => {
    const storage = new SqliteStorage({ dir: tempDir() });
    const docs = new DocManager(storage, { compactAfter: 20 });
    for (let i = 0; i < 25; i++) await write(storage, docs, 'conv/3', (d) => d.getArray('messages').push([i]));
    await new Promise((r) => setTimeout(r, 50));
    expect(await storage.logLength('conv/3')).toBeLessThan(10);
    expect(await storage.readSnapshot('conv/3')).not.toBeNull();
    docs.close();
    await storage.close();
  });

  it('shares one load among concurrent callers and tells listeners only after commit', async () => {
    const storage = new SqliteStorage({ dir: tempDir() });
    const docs = new DocManager(storage);
    const [a, b] = await Promise.all([docs.load('conv/4', 1), docs.load('conv/4', 1)]);
    expect(a).toBe(b);
    const heard: number[] = [];
    docs.onCommitted((c) => heard.push(c.seq));
    const pending = storage.write((tx) => docs.change(tx, a, 'x', (d) => d.getArray('m').push([1])));
    expect(heard).toEqual([]);
    await pending;
    expect(heard).toEqual([1]);
    expect(a.durableSeq).toBe(1);
    docs.close();
    await storage.close();
  });

  it('evicts idle documents and reloads them intact', async () => {
    const storage = new SqliteStorage({ dir: tempDir() });
    const docs = new DocManager(storage, { capacity: 2, idleMs: 1_000 });
    for (const n of [5, 6, 7]) await write(storage, docs, `conv/${n}`, (d) => d.getArray('m').push([n]));
    expect(docs.size).toBe(2);
    docs.sweep(Date.now() + 5_000);
    expect(docs.size).toBe(0);
    expect((await docs.load('conv/5', 1)).doc.getArray('m').toJSON()).toEqual([5]);
    docs.close();
    await storage.close();
  });
});
