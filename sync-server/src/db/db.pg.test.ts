import { randomUUID } from 'node:crypto';
import { beforeAll, expect, it } from 'vitest';
import { describeEachDb } from '../../test/helpers/db.ts';
import { TransactionAborted } from './pg.ts';
import { settled } from './pipeline.ts';
import { many, maybeOne, one } from './rows.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describeEachDb('Db', (getDb) => {
  beforeAll(async () => {
    await getDb().query('CREATE TABLE t_items (id text PRIMARY KEY, n int8 NOT NULL)');
  });

  it('runs parameterised queries and reports row counts', async () => {
    const db = getDb();
    const inserted = await db.query('INSERT INTO t_items VALUES ($1, $2), ($3, $4)', [
      'a',
      1,
      'b',
      2,
    ]);
    expect(inserted.rowCount).toBe(2);
    const rows = await many<{ id: string; n: number }>(
      db,
      'SELECT id, n FROM t_items WHERE id = ANY($1) ORDER BY id',
      [['a', 'b']],
    );
    // int8 is a number on both implementations.
    expect(rows).toEqual([
      { id: 'a', n: 1 },
      { id: 'b', n: 2 },
    ]);
  });

  it('has typed row helpers', async () => {
    const db = getDb();
    expect(await one<{ x: number }>(db, 'SELECT 1::int4 AS x')).toEqual({ x: 1 });
    expect(await maybeOne(db, 'SELECT 1 WHERE false')).toBeUndefined();
    await expect(one(db, 'SELECT 1 WHERE false')).rejects.toThrow(/Expected one row/);
  });

  it('a pipelined transaction answers statements issued together; a failure among them rolls it all back', async () => {
    const db = getDb();
    const insert = (tx: { query: typeof db.query }, id: string) =>
      tx.query<{ id: string }>('INSERT INTO t_items VALUES ($1, 1) RETURNING id', [id]);
    const [a, b] = await db.transaction((tx) => settled(insert(tx, 'p1'), insert(tx, 'p2')), {
      pipeline: true,
    });
    expect([a.rows, b.rows]).toEqual([[{ id: 'p1' }], [{ id: 'p2' }]]);
    // A taken id first: the statement sent behind it fails too, and nothing commits.
    await expect(
      db.transaction((tx) => settled(insert(tx, 'p1'), insert(tx, 'p3')), { pipeline: true }),
    ).rejects.toMatchObject({ code: '23505' });
    // A failure the caller swallowed: COMMIT rolls back (an error on Postgres).
    const swallowed = await db
      .transaction(
        async (tx) => {
          const [, taken] = [insert(tx, 'p4'), insert(tx, 'p1').catch(() => 'taken')];
          return taken;
        },
        { pipeline: true },
      )
      .catch((err: unknown) => err);
    if (db.kind === 'pg') expect(swallowed).toBeInstanceOf(TransactionAborted);
    const ids = await many<{ id: string }>(
      db,
      'SELECT id FROM t_items WHERE id = ANY($1) ORDER BY id',
      [['p1', 'p2', 'p3', 'p4']],
    );
    expect(ids.map((row) => row.id)).toEqual(['p1', 'p2']);
  });

  it('commits a transaction that resolves and rolls back one that throws', async () => {
    const db = getDb();
    const value = await db.transaction(async (tx) => {
      await tx.query('INSERT INTO t_items VALUES ($1, 1)', ['kept']);
      return 'done';
    });
    expect(value).toBe('done');
    const failure = new Error('boom');
    await expect(
      db.transaction(async (tx) => {
        await tx.query('INSERT INTO t_items VALUES ($1, 1)', ['dropped']);
        throw failure;
      }),
    ).rejects.toBe(failure);
    const ids = await many<{ id: string }>(db, 'SELECT id FROM t_items WHERE id = ANY($1)', [
      ['kept', 'dropped'],
    ]);
    expect(ids.map((row) => row.id)).toEqual(['kept']);
  });

  it('keeps concurrent transactions and queries apart (a rollback takes only its own writes)', async () => {
    const db = getDb();
    const [a, b, c] = [randomUUID(), randomUUID(), randomUUID()];
    let insertedA!: () => void;
    const aIsIn = new Promise<void>((resolve) => (insertedA = resolve));
    const failing = db.transaction(async (tx) => {
      await tx.query('INSERT INTO t_items VALUES ($1, 1)', [a]);
      insertedA();
      await sleep(100);
      throw new Error('roll back a');
    });
    // Both start while the first transaction is open, holding an uncommitted row.
    await aIsIn;
    const other = db.transaction(async (tx) => {
      await tx.query('INSERT INTO t_items VALUES ($1, 1)', [b]);
    });
    const plain = db.query('INSERT INTO t_items VALUES ($1, 1)', [c]);
    await expect(failing).rejects.toThrow('roll back a');
    await other;
    await plain;
    const ids = await many<{ id: string }>(db, 'SELECT id FROM t_items WHERE id = ANY($1)', [
      [a, b, c],
    ]);
    expect(ids.map((row) => row.id).sort()).toEqual([b, c].sort());
  });

  it('reports a SQL error to the caller and stays usable', async () => {
    const db = getDb();
    await expect(db.query('SELECT * FROM no_such_table')).rejects.toThrow(/no_such_table/);
    await expect(
      db.transaction((tx) => tx.query('INSERT INTO t_items VALUES (NULL, 1)')),
    ).rejects.toThrow();
    expect((await db.query('SELECT 1 AS x')).rows).toEqual([{ x: 1 }]);
  });
});
