import { afterAll, beforeAll, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { newId, type MutateUp, type MutationName } from '@echora/shared';
import { describeEachDb } from '../../test/helpers/db.ts';
import { createTestApp } from '../../test/helpers/app.ts';
import type { Db } from '../db/types.ts';
import { insertSubscription } from '../domain/webhooks/queries.ts';
import { KeyedLimiter } from '../limits/token-bucket.ts';
import { createDispatch, dispatch, mutationRunners, type MutationAnswer } from './dispatch.ts';
import { GroupCommit, type GroupCommitDeps } from './group-commit.ts';

const frame = (seq: number, name: MutationName, args: object): MutateUp => ({
  type: 'mutate',
  seq,
  name,
  args,
});

/** The same database, counting transactions and the statements run inside them. */
function counting(db: Db): { db: Db; transactions: () => number; statements: () => number } {
  let transactions = 0;
  let statements = 0;
  return {
    db: {
      kind: db.kind,
      query: (sql, params) => db.query(sql, params),
      transaction: (fn, options) => {
        transactions += 1;
        return db.transaction(
          (tx) =>
            fn({
              query: (sql, params) => {
                statements += 1;
                return tx.query(sql, params);
              },
            }),
          options,
        );
      },
      close: () => db.close(),
    },
    transactions: () => transactions,
    statements: () => statements,
  };
}

type Mode = 'set' | 'alone';

describeEachDb('sync: set-based group commit', (getDb) => {
  let app: FastifyInstance;
  let owner = '';
  let alice = '';
  let bob = '';
  let counted: ReturnType<typeof counting>;
  let deps: GroupCommitDeps;

  beforeAll(async () => {
    app = await createTestApp(getDb(), {
      sync: { sendRate: { capacity: 100_000, windowMs: 1000 } },
    });
    const ids: string[] = [];
    for (const name of ['owner', 'alice', 'bob']) {
      const id = newId();
      const publish = await getDb().transaction(async (tx) => {
        await tx.query(
          "INSERT INTO users (id, username, password_hash, display_name) VALUES ($1, $2, 'x', $2)",
          [id, `set-${name}`],
        );
        return app.sync.addMember(tx, id);
      });
      await publish();
      ids.push(id);
    }
    [owner = '', alice = '', bob = ''] = ids;
    await getDb().query('UPDATE community SET owner_id = $1 WHERE id = 1', [owner]);
    await app.sync.deps.access.reload();
    counted = counting(getDb());
    deps = { ...app.sync.deps.dispatch, db: counted.db };
  });
  afterAll(async () => {
    await app?.close();
  });

  /** A committer of one batch at a time: with the set path, or every mutation alone. */
  function committer(mode: Mode): GroupCommit {
    const { run, plan } = mutationRunners(new KeyedLimiter(100_000, 1000));
    const options = { maxBatch: 50, maxAlone: 50, windowMs: 5, lanes: 1 };
    return new GroupCommit(deps, run, options, mode === 'set' ? plan : undefined);
  }

  async function newChannel(): Promise<string> {
    const id = newId();
    const d = createDispatch({ ...app.sync.deps.dispatch, groupCommit: { lanes: 1 } });
    const answer = await dispatch(
      d,
      owner,
      newId(),
      frame(1, 'channel.create', { id, kind: 'text', name: `set-${id.slice(-6)}` }),
    );
    expect(answer.type).toBe('ack');
    return id;
  }

  /**
   * Drives the same script on a fresh channel: a first batch of sends, then
   * one batch mixing sends, edits, deletes, refusals, in-batch duplicates and
   * replays, then replays. Returns the answers and every row it wrote, with
   * this run's ids and times replaced by labels so two runs compare equal.
   */
  async function script(mode: Mode) {
    const gc = committer(mode);
    const channelId = await newChannel();
    // An outgoing webhook on the channel: each send queues its message.created delivery.
    const subscription = await insertSubscription(getDb(), {
      id: newId(),
      name: 'set-hook',
      url: 'https://hooks.example.com/echora',
      secret: 'set-secret',
      events: ['message.created'],
      channelIds: [channelId],
      createdBy: owner,
    });
    const label = new Map<string, string>([[channelId, 'channel']]);
    const id = (name: string) => {
      const v = newId();
      label.set(v, name);
      return v;
    };
    const [m1, m2, m3, m4, m5, m6, m7] = ['m1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7'].map(id);
    const [c1, c2, c3, c4, c5, c6] = ['c1', 'c2', 'c3', 'c4', 'c5', 'c6'].map(id);
    const send = (msg: string | undefined, content: string, channel = channelId) =>
      ({ id: msg, channelId: channel, content }) as object;
    const submit = (user: string, client: string | undefined, f: MutateUp) =>
      gc.submit(user, client as string, f);

    const first = await Promise.all([
      submit(alice, c1, frame(1, 'message.send', send(m1, 'hello'))),
      submit(bob, c2, frame(1, 'message.send', send(m2, `hi <@${alice}>`))),
    ]);
    const transactions = counted.transactions();
    const statements = counted.statements();
    const mixed = await Promise.all([
      submit(alice, c1, frame(2, 'message.send', send(m3, 'three'))),
      submit(alice, c1, frame(3, 'message.edit', { id: m3, content: `three <@${bob}>` })),
      submit(bob, c2, frame(2, 'message.send', send(m4, 'four'))),
      // Not bob's message: refused.
      submit(bob, c2, frame(3, 'message.delete', { id: m1 })),
      // A replay of the first batch, and a duplicate inside this one.
      submit(alice, c1, frame(1, 'message.send', send(m1, 'hello'))),
      submit(bob, c2, frame(3, 'message.delete', { id: m1 })),
      submit(alice, c3, frame(1, 'message.send', send(m5, '   '))),
      // An id alice took earlier in this batch: the set write fails and falls back.
      submit(bob, c4, frame(1, 'message.send', send(m3, 'taken'))),
      submit(alice, c5, frame(1, 'message.send', send(m6, 'six'))),
      submit(alice, c5, frame(1, 'message.send', send(m6, 'six'))),
      submit(alice, c5, frame(2, 'message.send', send(m7, 'nowhere', newId()))),
      submit(bob, c2, frame(4, 'message.send', send(newId(), '@everyone five'))),
      submit(alice, c1, frame(4, 'message.delete', { id: m1 })),
      submit(alice, c1, frame(5, 'message.edit', { id: m2, content: 'not mine' })),
      submit(bob, c6, frame(2, 'message.send', send(newId(), 'a gap'))),
      submit(bob, c2, frame(5, 'message.send', send(id('m8'), 'eight'))),
    ]);
    const batch = {
      transactions: counted.transactions() - transactions,
      statements: counted.statements() - statements,
    };
    const replays = await Promise.all([
      submit(alice, c1, frame(2, 'message.send', send(m3, 'three'))),
      submit(bob, c4, frame(1, 'message.send', send(m3, 'taken'))),
      submit(bob, c2, frame(3, 'message.delete', { id: m1 })),
    ]);
    const scope = `channel:${channelId}`;
    const db = getDb();
    const messages = await db.query(
      `SELECT id, author_id, content, seq, edited_at IS NOT NULL AS edited,
              deleted_at IS NOT NULL AS deleted, mentions, search::text AS search
       FROM messages WHERE channel_id = $1 ORDER BY seq`,
      [channelId],
    );
    const feed = await db.query(
      'SELECT version, entity, op, entity_id, data FROM feed WHERE scope = $1 ORDER BY version',
      [scope],
    );
    const version = await db.query('SELECT version FROM scopes WHERE scope = $1', [scope]);
    const deliveries = await db.query(
      `SELECT event, body::jsonb #> '{data,message}' AS message FROM event_deliveries
       WHERE subscription_id = $1 ORDER BY body::jsonb #>> '{data,message,content}' COLLATE "C"`,
      [subscription.id],
    );
    const records = await db.query(
      `SELECT client_id, seq, user_id, result FROM client_mutations
       WHERE client_id = ANY($1::uuid[]) ORDER BY client_id, seq`,
      [[c1, c2, c3, c4, c5, c6]],
    );
    // Records ordered by a label, not by this run's random client ids.
    const rows = {
      answers: { first, mixed, replays },
      messages: messages.rows,
      feed: feed.rows,
      version: version.rows,
      deliveries: deliveries.rows,
      records: records.rows.sort((a, b) =>
        `${label.get(String(a.client_id))}:${String(a.seq)}`.localeCompare(
          `${label.get(String(b.client_id))}:${String(b.seq)}`,
        ),
      ),
    };
    let text = JSON.stringify(rows);
    for (const [value, name] of label) text = text.replaceAll(value, name);
    text = text
      .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, (u) =>
        [owner, alice, bob].includes(u) ? u : 'other-id',
      )
      .replace(/\d{4}-\d{2}-\d{2}T[\d:.]+Z/g, 'time');
    return { result: JSON.parse(text) as typeof rows, batch, mixed };
  }

  it('a mixed batch through the set path writes the same rows as every mutation alone', async () => {
    const alone = await script('alone');
    const set = await script('set');
    expect(set.batch.transactions).toBe(1);
    expect(alone.batch.transactions).toBe(1);
    const kinds = (answers: MutationAnswer[]) =>
      answers.map((a) => (a.type === 'ack' ? 'ack' : a.error.kind));
    expect(kinds(set.mixed)).toEqual([
      'ack',
      'ack',
      'ack',
      'forbidden',
      'ack',
      'forbidden',
      'invalid',
      'conflict',
      'ack',
      'ack',
      'not_found',
      'ack',
      'ack',
      'forbidden',
      'protocol',
      'ack',
    ]);
    expect(set.result).toEqual(alone.result);
    // Every acked send queued its webhook delivery, on both paths.
    expect(set.result.deliveries.map((d) => (d.message as { content: string }).content)).toEqual([
      '@everyone five',
      'eight',
      'four',
      'hello',
      `hi <@${alice}>`,
      'six',
      'three',
    ]);
    // The set path took fewer statements for the same batch (sends written together).
    expect(set.batch.statements).toBeLessThan(alone.batch.statements);
  });

  it('a batch of sends is a handful of statements, whatever its size', async () => {
    const gc = committer('set');
    const channelId = await newChannel();
    const statements = counted.statements();
    const answers = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        gc.submit(
          i % 2 ? alice : bob,
          newId(),
          frame(1, 'message.send', {
            id: newId(),
            channelId,
            content: `bulk ${i}`,
          }),
        ),
      ),
    );
    expect(answers.map((a) => a.type)).toEqual(Array.from({ length: 30 }, () => 'ack'));
    // Replay lookup, savepoint, versions + messages + feed in one, webhook subscriptions, records.
    expect(counted.statements() - statements).toBeLessThanOrEqual(5);
    const { rows } = await getDb().query<{ seq: number; content: string }>(
      'SELECT seq, content FROM messages WHERE channel_id = $1 ORDER BY seq',
      [channelId],
    );
    expect(rows.map((r) => r.content)).toEqual(Array.from({ length: 30 }, (_, i) => `bulk ${i}`));
    expect(answers.map((a) => (a.type === 'ack' ? a.version : 0))).toEqual(
      rows.map((r) => Number(r.seq)),
    );
  });

  it('a set write into a channel deleted behind the cache falls back: only that send is refused', async () => {
    const gc = committer('set');
    const live = await newChannel();
    const gone = await newChannel();
    // Deleted by "another node": still live in this node's permission cache.
    await getDb().query('UPDATE channels SET deleted_at = now() WHERE id = $1', [gone]);
    const answers = await Promise.all(
      [live, gone, live].map((channelId, i) =>
        gc.submit(
          alice,
          newId(),
          frame(1, 'message.send', {
            id: newId(),
            channelId,
            content: `fallback ${i}`,
          }),
        ),
      ),
    );
    expect(answers.map((a) => (a.type === 'ack' ? 'ack' : a.error.kind))).toEqual([
      'ack',
      'not_found',
      'ack',
    ]);
    const { rows } = await getDb().query<{ content: string }>(
      "SELECT content FROM messages WHERE content LIKE 'fallback %' ORDER BY seq",
    );
    expect(rows.map((r) => r.content)).toEqual(['fallback 0', 'fallback 2']);
  });
});
