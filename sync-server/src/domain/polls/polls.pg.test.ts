import { afterAll, beforeAll, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { newId, type PollCreateArgs } from '@echora/shared';
import { describeEachDb } from '../../../test/helpers/db.ts';
import { createTestApp, registerUser } from '../../../test/helpers/app.ts';
import { SyncClient, until } from '../../../test/helpers/sync-client.ts';
import { dump } from '../../../test/helpers/authz-matrix.ts';
import { closeDuePolls } from './sweep.ts';

describeEachDb('polls', (getDb) => {
  let app: FastifyInstance;
  let url: string;
  const token: Record<'alice' | 'bob' | 'carol', string> = { alice: '', bob: '', carol: '' };
  const uid: Record<'alice' | 'bob' | 'carol', string> = { alice: '', bob: '', carol: '' };
  let general: string;
  const clients: SyncClient[] = [];

  beforeAll(async () => {
    app = await createTestApp(getDb());
    url = await app.listen({ port: 0, host: '127.0.0.1' });
    for (const name of ['alice', 'bob', 'carol'] as const) {
      const session = await registerUser(app, name);
      token[name] = session.accessToken;
      uid[name] = session.user.id;
    }
    const { rows } = await getDb().query<{ id: string }>(
      "SELECT id FROM channels WHERE kind = 'text' AND name = 'general'",
    );
    general = rows[0]?.id ?? '';
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await app?.close();
  });

  const connect = async (who: keyof typeof token) => {
    const c = await (await SyncClient.connect(url, { token: token[who] })).synced();
    clients.push(c);
    return c;
  };
  const pollArgs = (over: Partial<PollCreateArgs> = {}): PollCreateArgs => ({
    id: newId(),
    channelId: general,
    question: 'Lunch?',
    options: ['Pizza', 'Sushi', 'Tacos'],
    multiple: false,
    anonymous: false,
    ...over,
  });
  const votesInDb = async (pollId: string) =>
    (
      await getDb().query<{ user_id: string; option_id: number }>(
        'SELECT user_id, option_id FROM poll_votes WHERE poll_id = $1 ORDER BY user_id, option_id',
        [pollId],
      )
    ).rows.map((r) => `${r.user_id}:${r.option_id}`);

  it('creates a poll message; named votes, changes and retractions reach everyone', async () => {
    const a = await connect('alice');
    const b = await connect('bob');
    const args = pollArgs({ question: '  Lunch?  ', durationMinutes: 60 });
    expect(await a.mutate('poll.create', args)).toMatchObject({ type: 'ack' });
    await until(() => b.replica.messages.get(args.id)?.poll !== undefined);
    const created = b.replica.messages.get(args.id);
    expect(created?.content).toBe('Lunch?');
    expect(created?.poll).toMatchObject({
      question: 'Lunch?',
      multiple: false,
      anonymous: false,
      closedAt: null,
      voters: 0,
      options: [
        { id: 0, text: 'Pizza', votes: 0, voterIds: [] },
        { id: 1, text: 'Sushi', votes: 0, voterIds: [] },
        { id: 2, text: 'Tacos', votes: 0, voterIds: [] },
      ],
    });
    expect(typeof created?.poll?.endsAt).toBe('string');

    expect(await b.mutate('poll.vote', { pollId: args.id, optionIds: [1] })).toMatchObject({
      type: 'ack',
    });
    await a.mutate('poll.vote', { pollId: args.id, optionIds: [1] });
    await until(() => a.replica.messages.get(args.id)?.poll?.voters === 2);
    expect(a.replica.messages.get(args.id)?.poll?.options[1]).toEqual({
      id: 1,
      text: 'Sushi',
      votes: 2,
      voterIds: [uid.bob, uid.alice],
    });
    await until(() => b.replica.pollVotes.get(args.id)?.join() === '1');
    // Bob changes his mind, then retracts.
    await b.mutate('poll.vote', { pollId: args.id, optionIds: [2] });
    await until(() => a.replica.messages.get(args.id)?.poll?.options[2]?.votes === 1);
    expect(a.replica.messages.get(args.id)?.poll?.options[1]?.voterIds).toEqual([uid.alice]);
    await b.mutate('poll.vote', { pollId: args.id, optionIds: [] });
    await until(() => a.replica.messages.get(args.id)?.poll?.voters === 1);
    await until(() => !b.replica.pollVotes.has(args.id));
    expect(await votesInDb(args.id)).toEqual([`${uid.alice}:1`]);
  });

  it('a resent vote or poll applies once; the same choice again is a no-op', async () => {
    const a = await connect('alice');
    const args = pollArgs({ multiple: true });
    await a.mutate('poll.create', args);
    const { rows } = await getDb().query<{ version: number }>(
      'SELECT version FROM scopes WHERE scope = $1',
      [`channel:${general}`],
    );
    const first = await a.mutate('poll.vote', { pollId: args.id, optionIds: [0, 2] });
    expect(first).toMatchObject({ type: 'ack' });
    const noop = await a.mutate('poll.vote', { pollId: args.id, optionIds: [2, 0] });
    expect(noop).toEqual({ type: 'ack', seq: noop.seq });
    await a.mutate('poll.vote', { pollId: args.id, optionIds: [1] });
    // The first vote again under its own seq (a lost ack): answered from the record, not applied.
    const again = await a.mutate('poll.vote', { pollId: args.id, optionIds: [0, 2] }, first.seq);
    expect(again).toEqual(first);
    const recreate = await a.mutate('poll.create', args);
    expect(recreate).toMatchObject({ type: 'ack' });
    const after = await getDb().query<{ version: number }>(
      'SELECT version FROM scopes WHERE scope = $1',
      [`channel:${general}`],
    );
    // Two real votes wrote to the channel's feed; the no-op, the replay and the resent poll nothing.
    expect(Number(after.rows[0]?.version)).toBe(Number(rows[0]?.version) + 2);
    expect(await votesInDb(args.id)).toEqual([`${uid.alice}:1`]);
  });

  it('refuses bad choices, bad polls and votes after the end or a close', async () => {
    const a = await connect('alice');
    const b = await connect('bob');
    const single = pollArgs();
    await a.mutate('poll.create', single);
    const reject = (kind: string) => ({ type: 'reject', error: { kind } });
    expect(await b.mutate('poll.vote', { pollId: single.id, optionIds: [0, 1] })).toMatchObject(
      reject('invalid'),
    );
    expect(await b.mutate('poll.vote', { pollId: single.id, optionIds: [3] })).toMatchObject(
      reject('invalid'),
    );
    expect(await b.mutate('poll.vote', { pollId: single.id, optionIds: [1, 1] })).toMatchObject(
      reject('invalid'),
    );
    expect(await a.mutate('poll.create', pollArgs({ options: ['Only one'] }))).toMatchObject(
      reject('invalid'),
    );
    expect(await a.mutate('poll.create', pollArgs({ options: ['Same', ' same '] }))).toMatchObject(
      reject('invalid'),
    );
    expect(await a.mutate('poll.create', pollArgs({ question: '   ' }))).toMatchObject(
      reject('invalid'),
    );
    expect(
      await a.mutate(
        'poll.create',
        pollArgs({ options: Array.from({ length: 11 }, (_, i) => `${i}`) }),
      ),
    ).toMatchObject(reject('invalid'));
    expect(await b.mutate('poll.vote', { pollId: newId(), optionIds: [0] })).toMatchObject(
      reject('not_found'),
    );
    // Past its end time: refused even before the sweep closes it.
    await getDb().query(
      "UPDATE polls SET ends_at = now() - interval '1 second' WHERE message_id = $1",
      [single.id],
    );
    const before = await dump(getDb());
    expect(await b.mutate('poll.vote', { pollId: single.id, optionIds: [0] })).toMatchObject(
      reject('conflict'),
    );
    expect(await dump(getDb())).toBe(before);

    // Its question is not edited after people voted on it, not even by its author.
    const asked = await dump(getDb());
    expect(
      await a.mutate('message.edit', { id: single.id, content: 'Dinner instead?' }),
    ).toMatchObject(reject('conflict'));
    expect(await dump(getDb())).toBe(asked);

    const open = pollArgs();
    await a.mutate('poll.create', open);
    // Only its author or a moderator closes it.
    const untouched = await dump(getDb());
    expect(await b.mutate('poll.close', { pollId: open.id })).toMatchObject(reject('forbidden'));
    expect(await dump(getDb())).toBe(untouched);
    expect(await a.mutate('poll.close', { pollId: open.id })).toMatchObject({ type: 'ack' });
    await until(() => typeof b.replica.messages.get(open.id)?.poll?.closedAt === 'string');
    expect(await b.mutate('poll.vote', { pollId: open.id, optionIds: [0] })).toMatchObject(
      reject('conflict'),
    );
    const closedAgain = await a.mutate('poll.close', { pollId: open.id });
    expect(closedAgain).toEqual({ type: 'ack', seq: closedAgain.seq });
  });

  it('the server closes polls at their end time, once, and keeps the end as the close time', async () => {
    const b = await connect('bob');
    const args = pollArgs({ durationMinutes: 5 });
    await b.mutate('poll.create', args);
    await b.mutate('poll.vote', { pollId: args.id, optionIds: [0] });
    const { rows } = await getDb().query<{ ends_at: Date }>(
      'SELECT ends_at FROM polls WHERE message_id = $1',
      [args.id],
    );
    const endsAt = new Date(rows[0]?.ends_at ?? 0);
    const closedAt = async () =>
      (
        await getDb().query<{ closed_at: Date | null }>(
          'SELECT closed_at FROM polls WHERE message_id = $1',
          [args.id],
        )
      ).rows[0]?.closed_at;
    // A sweep a moment before the end leaves it open; at the end it closes it; again, nothing.
    await closeDuePolls(app.writer, new Date(endsAt.getTime() - 1));
    expect(await closedAt()).toBeNull();
    expect(await closeDuePolls(app.writer, endsAt)).toBe(1);
    expect(new Date((await closedAt()) ?? 0).toISOString()).toBe(endsAt.toISOString());
    expect(await closeDuePolls(app.writer, endsAt)).toBe(0);
    await until(() => b.replica.messages.get(args.id)?.poll?.closedAt === endsAt.toISOString());
    expect(b.replica.messages.get(args.id)?.poll?.options[0]?.votes).toBe(1);

    // The node's own sweep (started with the server) closes one that ended already.
    const late = pollArgs({ durationMinutes: 1 });
    await b.mutate('poll.create', late);
    await getDb().query(
      "UPDATE polls SET ends_at = now() - interval '1 minute' WHERE message_id = $1",
      [late.id],
    );
    await until(() => typeof b.replica.messages.get(late.id)?.poll?.closedAt === 'string');
  });

  it('an anonymous poll sends counts to all, and who voted to nobody but the voter', async () => {
    const a = await connect('alice');
    const b = await connect('bob');
    const c = await connect('carol');
    const args = pollArgs({ anonymous: true, multiple: true });
    await a.mutate('poll.create', args);
    await b.mutate('poll.vote', { pollId: args.id, optionIds: [0, 1] });
    await c.mutate('poll.vote', { pollId: args.id, optionIds: [1] });
    await until(() => a.replica.messages.get(args.id)?.poll?.voters === 2);
    expect(a.replica.messages.get(args.id)?.poll?.options.map((o) => o.votes)).toEqual([1, 2, 0]);
    await until(() => c.replica.pollVotes.get(args.id)?.join() === '1');
    await until(() => b.replica.pollVotes.get(args.id)?.join() === '0,1');
    // A fresh device's reset carries the user's own choice too.
    const b2 = await connect('bob');
    expect(b2.replica.messages.get(args.id)?.poll?.voters).toBe(2);
    // What anyone received of this poll's message names nobody but its author.
    const pollChanges = (client: SyncClient) =>
      JSON.stringify(
        client.frames.flatMap((f) =>
          f.type === 'changes' || f.type === 'reset'
            ? f.changes.filter(
                (ch) => ch.op === 'upsert' && ch.entity === 'message' && ch.data.id === args.id,
              )
            : [],
        ),
      );
    for (const client of [a, b, c, b2]) {
      const text = pollChanges(client);
      expect(text).toContain('"anonymous":true');
      expect(text).not.toContain('voterIds');
      expect(text).not.toContain(uid.bob);
      expect(text).not.toContain(uid.carol);
    }
    // Nor does any frame to Alice or Carol carry Bob's choice.
    expect(JSON.stringify(a.frames)).not.toContain('"optionIds":[0,1]');
    expect(JSON.stringify(c.frames)).not.toContain('"optionIds":[0,1]');
    expect(b2.replica.pollVotes.get(args.id)).toEqual([0, 1]);
    const around = await app.inject({
      url: `/api/channels/${general}/messages?around=${args.id}`,
      headers: { authorization: `Bearer ${token.carol}` },
    });
    expect(around.statusCode).toBe(200);
    const fetched = around
      .json<{ messages: { id: string }[] }>()
      .messages.find((msg) => msg.id === args.id);
    expect(fetched).toMatchObject({ poll: { voters: 2 } });
    expect(JSON.stringify(fetched)).not.toContain(uid.bob);
  });

  it('needs send to create and sight of the channel to vote; refusals change nothing', async () => {
    const a = await connect('alice');
    const b = await connect('bob');
    const args = pollArgs();
    await a.mutate('poll.create', args);
    // Bob is timed out by the owner: he may neither post a poll nor vote.
    const timeout = await app.inject({
      method: 'POST',
      url: '/api/moderation/timeout',
      headers: { authorization: `Bearer ${token.alice}` },
      payload: { userId: uid.bob, minutes: 10 },
    });
    expect(timeout.statusCode).toBeLessThan(300);
    const before = await dump(getDb());
    expect(await b.mutate('poll.vote', { pollId: args.id, optionIds: [0] })).toMatchObject({
      type: 'reject',
      error: { kind: 'forbidden' },
    });
    expect(await b.mutate('poll.create', pollArgs())).toMatchObject({
      type: 'reject',
      error: { kind: 'forbidden' },
    });
    expect(await dump(getDb())).toBe(before);
  });
});
