import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { createTestDatabase } from './database.ts';

describe('createTestDatabase', () => {
  it('creates an empty database of its own and drops it', async () => {
    const database = await createTestDatabase('echora_testkit');
    expect(database.name).toMatch(/^echora_testkit_[0-9a-f]{12}$/);
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    const { rows } = await client.query<{ name: string }>('SELECT current_database() AS name');
    expect(rows[0]?.name).toBe(database.name);
    // Dropping ends the connection still open on it.
    client.on('error', () => undefined);
    await database.drop();
    await client.end().catch(() => undefined);
    const again = new pg.Client({ connectionString: database.url });
    await expect(again.connect()).rejects.toThrow(/does not exist/);
  });

  it('refuses a name that is not a plain identifier', async () => {
    await expect(createTestDatabase('x; DROP DATABASE test')).rejects.toThrow(/bad database name/);
  });
});
