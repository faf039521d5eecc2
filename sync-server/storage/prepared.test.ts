import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { prepare } from './prepared';
import { SqliteStorage } from './sqlite';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe('prepared queries', () => {
  it('compile once and bind different values in placeholder order, constants kept', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-prep-'));
    dirs.push(dir);
    const storage = new SqliteStorage({ dir });
    const insert = prepare((p: { name: string; at: number }) =>
      storage.db.insertInto('companies').values({ name: p.name, time_zone: 'UTC', owner_user_id: null, created_at: p.at }));
    const byName = prepare((p: { name: string }) => storage.db.selectFrom('companies').select(['name', 'time_zone', 'created_at']).where('name', '=', p.name));
    await storage.write(async (tx) => {
      await tx.run(insert({ name: 'Acme', at: 1 }));
      await tx.run(insert({ name: 'Globex', at: 2 }));
    });
    expect(await storage.first(byName({ name: 'Globex' }))).toEqual({ name: 'Globex', time_zone: 'UTC', created_at: 2 });
    expect(await storage.first(byName({ name: 'Acme' }))).toEqual({ name: 'Acme', time_zone: 'UTC', created_at: 1 });
    expect(await storage.first(byName({ name: 'Initech' }))).toBeUndefined();
    await storage.close();
  });
});
