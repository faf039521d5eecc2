/**
 * A store query re-run when its tables change, at most once per interval (first change at once,
 * the rest coalesced). The list order, counts and the badge use it: during a catch-up the worker
 * commits hundreds of times a second, and re-reading 10,000 keys on every commit would compete
 * with the worker for IndexedDB. Changes made by the worker reach this thread through Dexie's
 * `storagemutated` event (which Dexie relays between workers and windows).
 */
import { useEffect, useRef, useState } from 'react';
import Dexie from 'dexie';
import type { InboxDb } from './store-access';

type Table = 'conversations' | 'company' | 'drafts' | 'rejectedDrafts' | 'search';

export function useThrottledStoreQuery<T>(
  db: InboxDb | null,
  tables: readonly Table[],
  querier: (db: InboxDb) => Promise<T>,
  deps: readonly unknown[],
  intervalMs: number,
): T | undefined {
  const [value, setValue] = useState<{ key: string; value: T } | undefined>(undefined);
  const querierRef = useRef(querier);
  querierRef.current = querier;
  const key = JSON.stringify(deps);

  useEffect(() => {
    if (!db) return;
    let disposed = false;
    let running = false;
    let again = false;
    let lastRun = 0;
    let timer: ReturnType<typeof setTimeout> | null = null;
    const prefixes = tables.map((t) => `idb://${db.name}/${t}/`);

    const run = async () => {
      if (disposed) return;
      if (running) {
        again = true;
        return;
      }
      running = true;
      lastRun = Date.now();
      try {
        const result = await querierRef.current(db);
        if (!disposed) setValue({ key, value: result });
      } catch (err) {
        if (!disposed) console.warn('[store]', err);
      } finally {
        running = false;
        if (again && !disposed) {
          again = false;
          schedule();
        }
      }
    };
    const schedule = () => {
      if (timer || disposed) return;
      const wait = Math.max(0, lastRun + intervalMs - Date.now());
      timer = setTimeout(() => {
        timer = null;
        void run();
      }, wait);
    };
    const onMutated = (parts: Record<string, unknown>) => {
      for (const part of Object.keys(parts)) {
        if (prefixes.some((p) => part.startsWith(p))) {
          schedule();
          return;
        }
      }
    };
    Dexie.on('storagemutated', onMutated);
    void run();
    return () => {
      disposed = true;
      if (timer) clearTimeout(timer);
      Dexie.on('storagemutated').unsubscribe(onMutated);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [db, key, intervalMs]);

  return value && value.key === key ? value.value : undefined;
}
