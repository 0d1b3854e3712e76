import { expect, it } from 'vitest';
import { newId } from '@echora/shared';
import type { Queryable } from '../db/types.ts';
import { describeEachDb } from '../../test/helpers/db.ts';
import { ConnectReads } from './connect-reads.ts';

/** The real database, counting statements; `failNext` makes the next one fail. */
function counted(db: Queryable) {
  let statements = 0;
  let fail = false;
  const wrapped: Queryable = {
    query(sql, params) {
      statements++;
      if (fail) {
        fail = false;
        return Promise.reject(new Error('connection lost'));
      }
      return db.query(sql, params);
    },
  };
  return {
    db: wrapped,
    statements: () => statements,
    failNext: () => {
      fail = true;
    },
  };
}

describeEachDb('connect reads: batched per turn of the loop', (getDb) => {
  const setVersion = (scope: string, version: number) =>
    getDb().query(
      'INSERT INTO scopes (scope, version) VALUES ($1, $2) ON CONFLICT (scope) DO UPDATE SET version = $2',
      [scope, version],
    );

  it('sockets connecting at once share one version query, and a later read sees a later write', async () => {
    const [a, b] = [`channel:${newId()}`, `user:${newId()}`];
    await setVersion(a, 7);
    await setVersion(b, 3);
    const count = counted(getDb());
    const reads = new ConnectReads(count.db);
    const scopes = Array.from({ length: 300 }, (_, i) => [a, b, `channel:${newId()}`][i % 3] ?? a);
    const versions = await Promise.all(scopes.map((s) => reads.version(s)));
    expect(versions).toEqual(scopes.map((s) => (s === a ? 7 : s === b ? 3 : 0)));
    expect(count.statements()).toBe(1);
    // Nothing is cached: asked for after the write, the answer has it.
    await setVersion(a, 8);
    expect(await reads.version(a)).toBe(8);
    expect(count.statements()).toBe(2);
  });

  it('a failed batch fails only its own callers; the next read queries again', async () => {
    const scope = `channel:${newId()}`;
    await setVersion(scope, 5);
    const count = counted(getDb());
    const reads = new ConnectReads(count.db);
    count.failNext();
    const failed = await Promise.allSettled([reads.version(scope), reads.version(scope)]);
    expect(failed.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(await reads.version(scope)).toBe(5);
    expect(count.statements()).toBe(2);
  });

  it('next mutation numbers of many clients in one query, refusing a client id of another account', async () => {
    const [alice, bob] = [newId(), newId()];
    const [used, fresh] = [newId(), newId()];
    for (const seq of [1, 2, 3])
      await getDb().query(
        `INSERT INTO client_mutations (client_id, seq, user_id, result) VALUES ($1, $2, $3, '{}')`,
        [used, seq, alice],
      );
    const count = counted(getDb());
    const reads = new ConnectReads(count.db);
    const answers = await Promise.all([
      reads.nextSeq(used, alice),
      reads.nextSeq(fresh, alice),
      reads.nextSeq(used, bob),
      reads.nextSeq(used.toUpperCase(), alice),
      reads.nextSeq(fresh, bob),
    ]);
    expect(answers).toEqual([4, 1, null, 4, 1]);
    expect(count.statements()).toBe(1);
  });
});
