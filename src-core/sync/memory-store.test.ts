import { describe } from 'vitest';
import { localStoreContract } from './local-store.contract';
import { MemoryStore } from './memory-store';

describe('the in-memory local store: the LocalStore contract', () => {
  localStoreContract({
    make: () => new MemoryStore(),
    rowIds: async (store) => [...(store as MemoryStore).rows.keys()].sort((a, b) => a - b),
    rowName: async (store, id) => (store as MemoryStore).rows.get(id)?.clientName,
  });
});
