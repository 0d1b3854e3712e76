import { afterAll, beforeAll, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import {
  newId,
  userScope,
  type ChangesDown,
  type DownMessage,
  type ResetDown,
} from '@echora/shared';
import { describeEachDb } from '../../../test/helpers/db.ts';
import { createTestApp, registerUser } from '../../../test/helpers/app.ts';
import { SyncClient } from '../../../test/helpers/sync-client.ts';

const readStatesIn = (frame: DownMessage) =>
  frame.type === 'changes' || frame.type === 'reset'
    ? frame.changes.flatMap((c) => (c.op === 'upsert' && c.entity === 'readState' ? [c.data] : []))
    : [];

describeEachDb('read state: read.mark and channel.mute', (getDb) => {
  let app: FastifyInstance;
  let url: string;
  let alice: { id: string; token: string };
  let bob: { id: string; token: string };
  let general: string;
  let voice: string;

  beforeAll(async () => {
    app = await createTestApp(getDb(), {
      sync: { sendRate: { capacity: 10_000, windowMs: 1000 } },
    });
    url = await app.listen({ port: 0, host: '127.0.0.1' });
    const a = await registerUser(app, 'alice');
    const b = await registerUser(app, 'bob');
    alice = { id: a.user.id, token: a.accessToken };
    bob = { id: b.user.id, token: b.accessToken };
    const c = await (await SyncClient.connect(url, { token: alice.token })).synced();
    const channels = [...c.replica.channels.values()];
    general = channels.find((ch) => ch.kind === 'text')?.id ?? '';
    voice = channels.find((ch) => ch.kind === 'voice')?.id ?? '';
    for (let i = 0; i < 5; i++) {
      await c.mutate('message.send', { id: newId(), channelId: general, content: `m${i}` });
    }
    await c.close();
  });
  afterAll(async () => {
    await app?.close();
  });

  const stored = async (userId: string, channelId: string) =>
    (
      await getDb().query<{ last_read_seq: number; muted: boolean }>(
        'SELECT last_read_seq::integer AS last_read_seq, muted FROM read_states WHERE user_id = $1 AND channel_id = $2',
        [userId, channelId],
      )
    ).rows[0];

  it("marks read on one device and the user's other device receives it, others do not", async () => {
    const phone = await (await SyncClient.connect(url, { token: bob.token })).synced();
    const laptop = await (await SyncClient.connect(url, { token: bob.token })).synced();
    const other = await (await SyncClient.connect(url, { token: alice.token })).synced();
    const ack = await phone.mutate('read.mark', { channelId: general, seq: 3 });
    expect(ack).toMatchObject({ type: 'ack', scope: userScope(bob.id) });
    const frame = (await laptop.waitFor(
      (f) => f.type === 'changes' && f.scope === userScope(bob.id),
    )) as ChangesDown;
    expect(readStatesIn(frame)).toEqual([{ id: general, lastReadSeq: 3, muted: false }]);
    expect(await stored(bob.id, general)).toEqual({ last_read_seq: 3, muted: false });
    // Alice watches only her own user scope.
    await other.mutate('read.mark', { channelId: general, seq: 1 });
    expect(other.frames.flatMap(readStatesIn)).toEqual([
      { id: general, lastReadSeq: 1, muted: false },
    ]);
    expect(laptop.frames.flatMap(readStatesIn)).toHaveLength(1);
    await Promise.all([phone.close(), laptop.close(), other.close()]);
  });

  it('is monotonic and idempotent: an older or repeated mark changes nothing', async () => {
    const c = await (await SyncClient.connect(url, { token: bob.token })).synced();
    const before = c.frames.length;
    const older = await c.mutate('read.mark', { channelId: general, seq: 2 });
    const same = await c.mutate('read.mark', { channelId: general, seq: 3 });
    expect(older).toEqual({ type: 'ack', seq: older.seq });
    expect(same).toEqual({ type: 'ack', seq: same.seq });
    expect(await stored(bob.id, general)).toEqual({ last_read_seq: 3, muted: false });
    const forward = await c.mutate('read.mark', { channelId: general, seq: 4 });
    expect(forward).toMatchObject({ type: 'ack', scope: userScope(bob.id) });
    expect(c.frames.slice(before).flatMap(readStatesIn)).toEqual([
      { id: general, lastReadSeq: 4, muted: false },
    ]);
    await c.close();
  });

  it("clamps a mark past the channel's newest message", async () => {
    const c = await (await SyncClient.connect(url, { token: bob.token })).synced();
    await c.mutate('read.mark', { channelId: general, seq: 1_000_000 });
    const { rows } = await getDb().query<{ version: string }>(
      'SELECT version FROM scopes WHERE scope = $1',
      [`channel:${general}`],
    );
    expect((await stored(bob.id, general))?.last_read_seq).toBe(Number(rows[0]?.version));
    await c.close();
  });

  it('mutes and unmutes; a reset of the user scope carries the state to a new device', async () => {
    const c = await (await SyncClient.connect(url, { token: bob.token })).synced();
    expect(await c.mutate('channel.mute', { channelId: voice, muted: true })).toMatchObject({
      type: 'ack',
      scope: userScope(bob.id),
    });
    expect(await c.mutate('channel.mute', { channelId: voice, muted: true })).toEqual({
      type: 'ack',
      seq: expect.any(Number) as number,
    });
    expect(await stored(bob.id, voice)).toEqual({ last_read_seq: 0, muted: true });
    const fresh = await (await SyncClient.connect(url, { token: bob.token })).synced();
    const reset = fresh.frames.find(
      (f): f is ResetDown => f.type === 'reset' && f.scope === userScope(bob.id),
    );
    expect(reset && readStatesIn(reset)).toEqual(
      expect.arrayContaining([
        { id: voice, lastReadSeq: 0, muted: true },
        { id: general, lastReadSeq: expect.any(Number) as number, muted: false },
      ]),
    );
    await c.mutate('channel.mute', { channelId: voice, muted: false });
    expect((await stored(bob.id, voice))?.muted).toBe(false);
    await Promise.all([c.close(), fresh.close()]);
  });

  it('refuses unknown channels and bad arguments with typed errors', async () => {
    const c = await (await SyncClient.connect(url, { token: bob.token })).synced();
    const cases: [string, unknown, string][] = [
      ['read.mark', { channelId: newId(), seq: 1 }, 'not_found'],
      ['read.mark', { channelId: general, seq: -1 }, 'invalid'],
      ['read.mark', { channelId: general, seq: 1.5 }, 'invalid'],
      ['read.mark', { channelId: general }, 'invalid'],
      ['read.mark', { channelId: 'general', seq: 1 }, 'invalid'],
      ['channel.mute', { channelId: general, muted: 'yes' }, 'invalid'],
      ['channel.mute', { channelId: newId(), muted: true }, 'not_found'],
      ['channel.mute', { channelId: general, muted: true, userId: alice.id }, 'invalid'],
    ];
    for (const [name, args, kind] of cases) {
      const answer = await c.mutate(name as 'read.mark', args as never);
      expect(answer, `${name} ${JSON.stringify(args)}`).toMatchObject({
        type: 'reject',
        error: { kind },
      });
    }
    expect((await stored(alice.id, general))?.muted).toBe(false);
    await c.close();
  });
});
