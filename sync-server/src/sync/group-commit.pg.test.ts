import { afterAll, beforeAll, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { AppError, newId, type MutateUp, type MutationName } from '@echora/shared';
import { describeEachDb } from '../../test/helpers/db.ts';
import { createTestApp } from '../../test/helpers/app.ts';
import type { Db } from '../db/types.ts';
import { createDispatch, dispatch, type DispatchDeps, type MutationAnswer } from './dispatch.ts';
import { GroupCommit, type RunMutation } from './group-commit.ts';
import { laneOf } from './lanes.ts';

const WRITERS = 12;

const frame = (seq: number, name: MutationName, args: object): MutateUp => ({
  type: 'mutate',
  seq,
  name,
  args,
});

/** The same database, counting the transactions opened on it. */
function counting(db: Db): { db: Db; count: () => number } {
  let n = 0;
  return {
    db: {
      kind: db.kind,
      query: (sql, params) => db.query(sql, params),
      transaction: (fn, options) => {
        n += 1;
        return db.transaction(fn, options);
      },
      close: () => db.close(),
    },
    count: () => n,
  };
}

describeEachDb('sync: group commit', (getDb) => {
  let app: FastifyInstance;
  let general: string;
  const users: string[] = [];
  /** Deps of their own (their own committer), on a database that counts transactions. */
  let deps: DispatchDeps;
  let transactions: () => number;

  beforeAll(async () => {
    app = await createTestApp(getDb(), {
      sync: { sendRate: { capacity: 100_000, windowMs: 1000 } },
    });
    for (let i = 0; i < WRITERS; i++) {
      const id = newId();
      const publish = await getDb().transaction(async (tx) => {
        await tx.query(
          "INSERT INTO users (id, username, password_hash, display_name) VALUES ($1, $2, 'x', $2)",
          [id, `gc${i}`],
        );
        return app.sync.addMember(tx, id);
      });
      await publish();
      users.push(id);
    }
    const { rows } = await getDb().query<{ id: string }>(
      "SELECT id FROM channels WHERE kind = 'text' AND deleted_at IS NULL ORDER BY position LIMIT 1",
    );
    general = rows[0]?.id ?? '';
    const counted = counting(getDb());
    transactions = counted.count;
    deps = createDispatch({
      ...app.sync.deps.dispatch,
      db: counted.db,
      groupCommit: { windowMs: 5, lanes: 1 },
    });
  });
  afterAll(async () => {
    await app?.close();
  });

  const send = (userId: string, clientId: string, seq: number, content = `m${seq}`) =>
    dispatch(
      deps,
      userId,
      clientId,
      frame(seq, 'message.send', { id: newId(), channelId: general, content }),
    );

  it('commits concurrent clients in a few transactions, each client in order, versions gap-free', async () => {
    const before = transactions();
    const { rows: start } = await getDb().query<{ version: number }>(
      'SELECT version FROM scopes WHERE scope = $1',
      [`channel:${general}`],
    );
    const clients = users.map((userId) => ({ userId, clientId: newId() }));
    const PER_CLIENT = 6;
    // Each client sends its next mutation when the last one was answered, as a session does.
    const answers = await Promise.all(
      clients.map(async ({ userId, clientId }) => {
        const mine: MutationAnswer[] = [];
        for (let seq = 1; seq <= PER_CLIENT; seq++) mine.push(await send(userId, clientId, seq));
        return mine;
      }),
    );
    const total = WRITERS * PER_CLIENT;
    expect(answers.flat().every((a) => a.type === 'ack')).toBe(true);
    expect(transactions() - before).toBeLessThan(total / 3);
    const first = Number(start[0]?.version ?? 0);
    const { rows } = await getDb().query<{ version: number; author_id: string; content: string }>(
      `SELECT f.version, m.author_id, m.content FROM feed f JOIN messages m ON m.id = f.entity_id
       WHERE f.scope = $1 AND f.version > $2 ORDER BY f.version`,
      [`channel:${general}`, first],
    );
    expect(rows.map((r) => Number(r.version))).toEqual(
      Array.from({ length: total }, (_, i) => first + i + 1),
    );
    for (const { userId } of clients) {
      const own = rows.filter((r) => r.author_id === userId).map((r) => r.content);
      expect(own).toEqual(Array.from({ length: PER_CLIENT }, (_, i) => `m${i + 1}`));
    }
  });

  it('publishes one contiguous changes frame per scope per batch, before the acks', async () => {
    const scope = `channel:${general}`;
    const events: { from: number; to: number; versions: number[] }[] = [];
    let acked = 0;
    let ackedBeforePublish = -1;
    const stop = app.sync.deps.bus.subscribe((event) => {
      if (event.type !== 'changes' || event.scope !== scope) return;
      if (ackedBeforePublish < 0) ackedBeforePublish = acked;
      const frame = JSON.parse(event.frame) as { changes: { version: number }[] };
      events.push({
        from: event.from,
        to: event.to,
        versions: frame.changes.map((c) => c.version),
      });
    });
    try {
      await Promise.all(
        users.map((userId) =>
          send(userId, newId(), 1).then(() => {
            acked += 1;
          }),
        ),
      );
    } finally {
      stop();
    }
    expect(ackedBeforePublish).toBe(0);
    expect(events).toHaveLength(1);
    const [event] = events;
    expect(event?.versions).toEqual(
      Array.from({ length: WRITERS }, (_, i) => (event?.from ?? 0) + i + 1),
    );
    expect(event?.to).toBe((event?.from ?? 0) + WRITERS);
  });

  it('answers duplicates inside one batch and replays after it with the recorded answer', async () => {
    const [userId = ''] = users;
    const clientId = newId();
    const id = newId();
    const same = frame(1, 'message.send', { id, channelId: general, content: 'once' });
    const before = transactions();
    const answers = await Promise.all([
      dispatch(deps, userId, clientId, same),
      dispatch(deps, userId, clientId, same),
      dispatch(deps, userId, clientId, same),
      // A gap: refused, and not recorded.
      dispatch(
        deps,
        userId,
        clientId,
        frame(3, 'message.send', { id: newId(), channelId: general, content: 'gap' }),
      ),
    ]);
    expect(transactions() - before).toBe(1);
    expect(answers[0]).toMatchObject({ type: 'ack', seq: 1, scope: `channel:${general}` });
    expect(answers[1]).toEqual(answers[0]);
    expect(answers[2]).toEqual(answers[0]);
    expect(answers[3]).toMatchObject({ type: 'reject', seq: 3, error: { kind: 'protocol' } });
    expect(await dispatch(deps, userId, clientId, same)).toEqual(answers[0]);
    // An old seq with other content is acked as recorded, not applied again.
    const replay = await dispatch(
      deps,
      userId,
      clientId,
      frame(1, 'message.send', { id: newId(), channelId: general, content: 'other' }),
    );
    expect(replay).toEqual(answers[0]);
    const { rows } = await getDb().query<{ n: number }>(
      "SELECT count(*)::int AS n FROM messages WHERE content IN ('once', 'other', 'gap')",
    );
    expect(rows[0]?.n).toBe(1);
    const recorded = await getDb().query<{ seq: number }>(
      'SELECT seq FROM client_mutations WHERE client_id = $1 ORDER BY seq',
      [clientId],
    );
    expect(recorded.rows.map((r) => Number(r.seq))).toEqual([1]);
  });

  it('refusals inside a batch roll back only their own writes and are recorded', async () => {
    const [alice = '', bob = ''] = users;
    const taken = newId();
    const c = () => newId();
    const clients = [c(), c(), c(), c(), c(), c()];
    const before = transactions();
    const answers = await Promise.all([
      dispatch(
        deps,
        alice,
        clients[0] as string,
        frame(1, 'message.send', { id: taken, channelId: general, content: 'first' }),
      ),
      dispatch(
        deps,
        alice,
        clients[1] as string,
        frame(1, 'message.send', { id: newId(), channelId: general, content: '   ' }),
      ),
      dispatch(
        deps,
        alice,
        clients[2] as string,
        frame(1, 'message.send', { id: newId(), channelId: newId(), content: 'x' }),
      ),
      // Same id from someone else, after it was written earlier in the same transaction.
      dispatch(
        deps,
        bob,
        clients[3] as string,
        frame(1, 'message.send', { id: taken, channelId: general, content: 'stolen' }),
      ),
      dispatch(
        deps,
        bob,
        clients[4] as string,
        frame(1, 'message.send', { id: 'not-an-id', channelId: general, content: 'x' }),
      ),
      dispatch(
        deps,
        bob,
        clients[5] as string,
        frame(1, 'message.send', { id: newId(), channelId: general, content: 'last' }),
      ),
    ]);
    expect(transactions() - before).toBe(1);
    expect(answers.map((a) => (a.type === 'ack' ? 'ack' : a.error.kind))).toEqual([
      'ack',
      'invalid',
      'not_found',
      'conflict',
      'invalid',
      'ack',
    ]);
    const { rows } = await getDb().query<{ content: string }>(
      "SELECT content FROM messages WHERE content IN ('first', 'stolen', 'last') ORDER BY seq",
    );
    expect(rows.map((r) => r.content)).toEqual(['first', 'last']);
    for (const [i, clientId] of clients.entries()) {
      const { rows: rec } = await getDb().query<{ result: MutationAnswer }>(
        'SELECT result FROM client_mutations WHERE client_id = $1',
        [clientId],
      );
      expect(rec[0]?.result).toEqual(answers[i]);
    }
  });

  it('a handler that wrote and then failed, in SQL or with a refusal, leaves nothing behind', async () => {
    await getDb().query('CREATE TABLE IF NOT EXISTS gc_probe (id text PRIMARY KEY)');
    await getDb().query("INSERT INTO gc_probe (id) VALUES ('existing') ON CONFLICT DO NOTHING");
    const logged: string[] = [];
    // A handler written for this test: it writes, then fails as `args.fail` says.
    const run: RunMutation = async (ctx, f) => {
      const args = f.args as { id: string; fail?: 'refuse' | 'sql' };
      await ctx.tx.query('INSERT INTO gc_probe (id) VALUES ($1)', [args.id]);
      if (args.fail === 'refuse') throw new AppError('forbidden', 'no');
      if (args.fail === 'sql') await ctx.tx.query('SELECT 1 / 0');
      return {};
    };
    const committer = new GroupCommit({ ...deps, log: (_err, msg) => logged.push(msg) }, run, {
      maxBatch: 50,
      maxAlone: 50,
      windowMs: 5,
      lanes: 1,
    });
    const user = users[0] as string;
    const cases = [
      { id: 'a' },
      { id: 'b', fail: 'refuse' },
      { id: 'c' },
      { id: 'existing' },
      { id: 'd', fail: 'sql' },
      { id: 'e' },
    ];
    const answers = await Promise.all(
      cases.map((args) => committer.submit(user, newId(), frame(1, 'message.send', args))),
    );
    expect(answers.map((a) => (a.type === 'ack' ? 'ack' : a.error.kind))).toEqual([
      'ack',
      'forbidden',
      'ack',
      'conflict',
      'internal',
      'ack',
    ]);
    expect(logged).toEqual(['mutation failed']);
    const { rows } = await getDb().query<{ id: string }>('SELECT id FROM gc_probe ORDER BY id');
    expect(rows.map((r) => r.id)).toEqual(['a', 'c', 'e', 'existing']);
  });

  it('a mutation the permission cache is behind on runs again after a reload, its client behind it', async () => {
    // A channel written by "another node": in the database, not in this node's cache.
    const channelId = newId();
    await getDb().query(
      "INSERT INTO channels (id, kind, name, topic, position, created_at) VALUES ($1, 'text', 'elsewhere', '', 99, now())",
      [channelId],
    );
    await getDb().query('INSERT INTO scopes (scope, version) VALUES ($1, 0)', [
      `channel:${channelId}`,
    ]);
    const [alice = '', bob = ''] = users;
    const clientId = newId();
    const before = transactions();
    const answers = await Promise.all([
      dispatch(
        deps,
        alice,
        clientId,
        frame(1, 'message.send', { id: newId(), channelId, content: 'new' }),
      ),
      // The same client's next mutation must not pass the one that waits.
      dispatch(
        deps,
        alice,
        clientId,
        frame(2, 'message.send', { id: newId(), channelId: general, content: 'after' }),
      ),
      send(bob, newId(), 1, 'unrelated'),
    ]);
    expect(answers.map((a) => a.type)).toEqual(['ack', 'ack', 'ack']);
    expect(answers[0]).toMatchObject({ scope: `channel:${channelId}`, version: 1 });
    expect(transactions() - before).toBe(2);
  });

  it('lanes: channels commit side by side, each channel gap-free and each client in order', async () => {
    const second = newId();
    await getDb().query(
      "INSERT INTO channels (id, kind, name, topic, position, created_at) VALUES ($1, 'text', 'lanes', '', 98, now())",
      [second],
    );
    await getDb().query('INSERT INTO scopes (scope, version) VALUES ($1, 0)', [
      `channel:${second}`,
    ]);
    await app.sync.deps.access.reload();
    const channels = [general, second];
    const scopes = channels.map((c) => `channel:${c}`);
    const start = await getDb().query<{ scope: string; version: number }>(
      'SELECT scope, version FROM scopes WHERE scope = ANY($1)',
      [scopes],
    );
    const laned = createDispatch({ ...deps, groupCommit: { windowMs: 2, lanes: 4 } });
    const PER_CLIENT = 6;
    const answers = await Promise.all(
      users.map(async (userId) => {
        const clientId = newId();
        const mine: MutationAnswer[] = [];
        for (let seq = 1; seq <= PER_CLIENT; seq++) {
          const channelId = channels[seq % 2] as string;
          const args = { id: newId(), channelId, content: `lane ${seq}` };
          mine.push(await dispatch(laned, userId, clientId, frame(seq, 'message.send', args)));
        }
        return mine;
      }),
    );
    expect(answers.flat().every((a) => a.type === 'ack')).toBe(true);
    for (const scope of scopes) {
      const from = Number(start.rows.find((r) => r.scope === scope)?.version ?? 0);
      const { rows } = await getDb().query<{ version: number; author_id: string; content: string }>(
        `SELECT f.version, m.author_id, m.content FROM feed f JOIN messages m ON m.id = f.entity_id
         WHERE f.scope = $1 AND f.version > $2 ORDER BY f.version`,
        [scope, from],
      );
      const count = (WRITERS * PER_CLIENT) / 2;
      expect(rows.map((r) => Number(r.version))).toEqual(
        Array.from({ length: count }, (_, i) => from + i + 1),
      );
      const odd = scope === scopes[1];
      for (const userId of users) {
        const own = rows.filter((r) => r.author_id === userId).map((r) => r.content);
        expect(own).toEqual(odd ? ['lane 1', 'lane 3', 'lane 5'] : ['lane 2', 'lane 4', 'lane 6']);
      }
    }
  });

  it('lanes: mutations of one client sent at once, in runs on two lanes, are all applied in order', async () => {
    // A second channel on the other of two lanes.
    let other = newId();
    const lane = (channelId: string) => laneOf({ args: { channelId } }, 2);
    while (lane(other) === lane(general)) other = newId();
    await getDb().query(
      "INSERT INTO channels (id, kind, name, topic, position, created_at) VALUES ($1, 'text', 'other-lane', '', 97, now())",
      [other],
    );
    await getDb().query('INSERT INTO scopes (scope, version) VALUES ($1, 0)', [`channel:${other}`]);
    await app.sync.deps.access.reload();
    const laned = createDispatch({ ...deps, groupCommit: { windowMs: 0, lanes: 2 } });
    const [userId] = users as [string];
    const clientId = newId();
    // Runs on one lane, then the other: a run's second mutation used to pass its first (a seq gap).
    const onOther = [0, 0, 1, 1, 1, 0, 1, 0, 0, 1];
    const ids = onOther.map(() => newId());
    // As a session does with a window of sends: each submitted before the last is answered.
    const answers = await Promise.all(
      ids.map((id, i) =>
        dispatch(
          laned,
          userId,
          clientId,
          frame(i + 1, 'message.send', {
            id,
            channelId: onOther[i] ? other : general,
            content: `pipelined ${i + 1}`,
          }),
        ),
      ),
    );
    expect(answers.map((a) => a.type)).toEqual(ids.map(() => 'ack'));
    const { rows } = await getDb().query<{ id: string }>(
      'SELECT id FROM messages WHERE id = ANY($1) ORDER BY created_at, id',
      [ids],
    );
    expect(rows).toHaveLength(ids.length);
    const recorded = await getDb().query<{ seq: string }>(
      'SELECT seq FROM client_mutations WHERE client_id = $1 ORDER BY seq',
      [clientId],
    );
    expect(recorded.rows.map((r) => Number(r.seq))).toEqual(ids.map((_, i) => i + 1));
  });

  it('batches no more than maxBatch, and batches follow one another without deadlock', async () => {
    const committer = new GroupCommit(
      deps,
      async (ctx) => {
        await ctx.tx.query('SELECT 1');
        return {};
      },
      { maxBatch: 4, maxAlone: 4, windowMs: 0, lanes: 1 },
    );
    const before = transactions();
    const answers = await Promise.all(
      Array.from({ length: 30 }, () =>
        committer.submit(users[0] as string, newId(), frame(1, 'message.send', {})),
      ),
    );
    expect(answers.every((a) => a.type === 'ack')).toBe(true);
    expect(transactions() - before).toBe(8);
  });

  it('a batch holds at most maxAlone mutations that run alone (a savepoint each); set-written ones do not count', async () => {
    const run: RunMutation = async (ctx) => {
      await ctx.tx.query('SELECT 1');
      return {};
    };
    // Plans nothing (each runs alone), but says a set writer may take message.send.
    const plan = Object.assign(() => undefined, {
      joins: (f: MutateUp) => f.name === 'message.send',
    });
    const committer = new GroupCommit(
      deps,
      run,
      { maxBatch: 10, maxAlone: 3, windowMs: 0, lanes: 1 },
      plan,
    );
    const submitAll = (name: MutationName) =>
      Promise.all(
        Array.from({ length: 10 }, () =>
          committer.submit(users[0] as string, newId(), frame(1, name, {})),
        ),
      );
    let before = transactions();
    const alone = await submitAll('message.edit');
    expect(alone.every((a) => a.type === 'ack')).toBe(true);
    // 3 + 3 + 3 + 1.
    expect(transactions() - before).toBe(4);
    before = transactions();
    const joining = await submitAll('message.send');
    expect(joining.every((a) => a.type === 'ack')).toBe(true);
    expect(transactions() - before).toBe(1);
  });
});
