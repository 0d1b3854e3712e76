import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId, type AckDown, type RejectDown } from '@echora/shared';
import { createTestApp, registerUser } from '../../test/helpers/app.ts';
import { describeEachDb } from '../../test/helpers/db.ts';
import { SyncClient } from '../../test/helpers/sync-client.ts';
import { actionCost } from './action-cost.ts';
import { KeyedLimiter, TokenBucket } from '../limits/token-bucket.ts';

describe('token bucket', () => {
  it('takes fractional costs, refuses without taking, and says how long to wait', () => {
    const bucket = new TokenBucket(2, 60_000, 0);
    expect(bucket.take(0, 1)).toBe(0);
    expect(bucket.take(0, 0.25)).toBe(0);
    expect(bucket.take(0, 1)).toBe(7500); // 0.25 short at 2 tokens a minute
    expect(bucket.take(0, 0.75)).toBe(0); // the refusal took nothing
    expect(bucket.take(0, 0.25)).toBe(7500);
    expect(bucket.take(7500, 0.25)).toBe(0);
  });

  it('keeps one bucket per key', () => {
    const limiter = new KeyedLimiter(1, 60_000);
    expect(limiter.take('a', 1, 0)).toBe(0);
    expect(limiter.take('a', 1, 0)).toBeGreaterThan(0);
    expect(limiter.take('b', 1, 0)).toBe(0);
  });

  it('charges a quarter for what clients send by themselves, one for the rest', () => {
    expect([actionCost('read.mark'), actionCost('typing.start'), actionCost('presence')]).toEqual([
      0.25, 0.25, 0.25,
    ]);
    expect(actionCost('message.edit')).toBe(1);
    expect(actionCost('reaction.toggle')).toBe(1);
  });
});

/**
 * One bucket per user for every durable mutation, typing and presence: once
 * it is empty, edits, reactions, mutes, roles, read marks, typing and
 * presence are all refused with `rate_limited` and a wait, and a replay of an
 * answered mutation still gets its recorded answer.
 */
describeEachDb('one rate limit for every mutation', (getDb) => {
  const CAPACITY = 5;
  let app: FastifyInstance;
  let url = '';
  let general = '';

  beforeAll(async () => {
    app = await createTestApp(getDb(), {
      // An hour's window: no token comes back while the test runs, however slow the machine.
      sync: { sendRate: { capacity: CAPACITY, windowMs: 3_600_000 } },
    });
    url = await app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => {
    await app?.close();
  });

  async function connect(name: string): Promise<SyncClient> {
    const { accessToken } = await registerUser(app, name);
    const client = await (await SyncClient.connect(url, { token: accessToken })).synced();
    general ||= [...client.replica.channels.values()].find((c) => c.kind === 'text')?.id ?? '';
    return client;
  }

  const limited = (answer: AckDown | RejectDown) =>
    answer.type === 'reject' &&
    answer.error.kind === 'rate_limited' &&
    (answer.error.retryAfterMs ?? 0) > 0;

  it('edits, reactions, mutes, roles, read marks, typing and presence share the bucket', async () => {
    // The first user owns the community, so every mutation below is allowed.
    const owner = await connect('owner');
    const id = newId();
    const spent = [
      await owner.mutate('message.send', { id, channelId: general, content: 'one' }),
      await owner.mutate('message.edit', { id, content: 'two' }),
      await owner.mutate('reaction.toggle', { messageId: id, emoji: '👍', on: true }),
      await owner.mutate('channel.mute', { channelId: general, muted: true }),
      await owner.mutate('role.create', { id: newId(), name: 'Five' }),
    ];
    expect(spent.map((a) => a.type)).toEqual(Array(CAPACITY).fill('ack'));

    const refused = [
      await owner.mutate('message.edit', { id, content: `three <@${newId()}>` }),
      await owner.mutate('reaction.toggle', { messageId: id, emoji: '🎉', on: true }),
      await owner.mutate('message.pin', { id, pinned: true }),
      await owner.mutate('message.delete', { id }),
      await owner.mutate('channel.mute', { channelId: general, muted: false }),
      await owner.mutate('role.create', { id: newId(), name: 'Six' }),
      await owner.mutate('read.mark', { channelId: general, seq: 1 }),
      await owner.mutate('typing.start', { channelId: general }, 1),
    ];
    expect(refused.filter((a) => !limited(a))).toEqual([]);
    owner.send({ type: 'presence', status: 'idle' });
    expect(
      await owner.next((f) => f.type === 'error' && f.error.kind === 'rate_limited'),
    ).toMatchObject({ error: { retryAfterMs: expect.any(Number) as number } });

    // A replay is answered from the record and costs nothing.
    expect(
      await owner.mutate('message.send', { id, channelId: general, content: 'one' }, 1),
    ).toEqual({ ...spent[0] });
    const { rows } = await getDb().query<{ content: string; reactions: unknown[] }>(
      'SELECT content, reactions FROM messages WHERE id = $1',
      [id],
    );
    expect(rows[0]).toMatchObject({ content: 'two', reactions: [{ emoji: '👍' }] });
    await owner.close();
  });

  it('read marks and typing cost a quarter: four of them per token', async () => {
    const member = await connect('member');
    const answers: (AckDown | RejectDown)[] = [];
    for (let i = 1; i <= CAPACITY * 2; i++) {
      answers.push(await member.mutate('read.mark', { channelId: general, seq: i }));
      answers.push(await member.mutate('typing.start', { channelId: general }, 1));
    }
    expect(answers.filter((a) => a.type === 'ack')).toHaveLength(CAPACITY * 4);
    expect(await member.mutate('read.mark', { channelId: general, seq: 99 })).toSatisfy(limited);
    await member.close();
  });
});
