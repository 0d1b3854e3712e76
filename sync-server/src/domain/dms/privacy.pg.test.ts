import { afterAll, beforeAll, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { dmId, newId, type DownMessage } from '@echora/shared';
import { describeEachDb } from '../../../test/helpers/db.ts';
import { createTestApp, registerUser } from '../../../test/helpers/app.ts';
import { SyncClient } from '../../../test/helpers/sync-client.ts';

interface Person {
  id: string;
  token: string;
}

/**
 * Issue 19: only a conversation's participants receive anything of it. The
 * owner (who holds every permission) and a third member watch every frame
 * while Alice and Bob talk, react, pin, type, read and rename; neither their
 * live sockets nor a fresh bootstrap nor a replay carry the conversation's id
 * or a word of it. Someone who leaves a group gets a revoke.
 */
describeEachDb('direct conversations reach their participants only', (getDb) => {
  let app: FastifyInstance;
  let url: string;
  const people = {} as Record<'owner' | 'alice' | 'bob' | 'carol' | 'dave', Person>;
  let general = '';

  beforeAll(async () => {
    app = await createTestApp(getDb(), {
      sync: { sendRate: { capacity: 10_000, windowMs: 1000 } },
    });
    url = await app.listen({ port: 0, host: '127.0.0.1' });
    for (const name of ['owner', 'alice', 'bob', 'carol', 'dave'] as const) {
      const s = await registerUser(app, name);
      people[name] = { id: s.user.id, token: s.accessToken };
    }
  });
  afterAll(async () => {
    await app?.close();
  });

  const connect = async (p: Person, cursors?: Record<string, number>) =>
    (await SyncClient.connect(url, { token: p.token, ...(cursors ? { cursors } : {}) })).synced();

  /** A frame carrying message `id`. */
  const carries = (id: string) => (f: DownMessage) =>
    f.type === 'changes' &&
    f.changes.some((c) => c.op === 'upsert' && c.entity === 'message' && c.data.id === id);

  /** Every frame as text, to search for what must not be there. */
  const text = (frames: DownMessage[]) => frames.map((f) => JSON.stringify(f)).join('\n');

  it('a 1:1 conversation and everything in it reach Alice and Bob only', async () => {
    const owner = await connect(people.owner);
    const carol = await connect(people.carol);
    const alice = await connect(people.alice);
    const bob = await connect(people.bob);
    general = [...carol.replica.channels.values()].find((c) => c.name === 'general')?.id ?? '';
    const carolCursors = Object.fromEntries(carol.replica.cursors);

    const id = dmId(people.alice.id, people.bob.id);
    const opened = await alice.mutate('dm.open', { userId: people.bob.id });
    expect(opened).toMatchObject({ type: 'ack', scope: `user:${people.alice.id}` });
    // Bob starts it too: the same conversation, nothing new; his ack names a
    // version of his own scope that holds it, so his device keeps it until that arrives.
    const bobOpened = await bob.mutate('dm.open', { userId: people.alice.id });
    expect(bobOpened).toMatchObject({ type: 'ack', scope: `user:${people.bob.id}` });
    const delivered = await bob.waitFor(
      (f) => f.type === 'changes' && f.scope === `user:${people.bob.id}` && text([f]).includes(id),
    );
    expect(delivered.type === 'changes' ? delivered.to : Infinity).toBeLessThanOrEqual(
      bobOpened.type === 'ack' ? (bobOpened.version ?? -1) : -1,
    );
    await bob.waitFor((f) => f.type === 'reset' && f.scope === `channel:${id}`);
    const secret = 'the secret word is tangerine';
    const message = newId();
    const sent = await alice.mutate('message.send', {
      id: message,
      channelId: id,
      content: secret,
    });
    expect(sent).toMatchObject({ type: 'ack' });
    await bob.waitFor((f) => f.type === 'changes' && f.scope === `channel:${id}`);
    expect(bob.replica.messages.get(message)?.content).toBe(secret);
    for (const [name, args] of [
      ['reaction.toggle', { messageId: message, emoji: '🍊', on: true }],
      ['message.pin', { id: message, pinned: true }],
      ['message.edit', { id: message, content: `${secret}, really` }],
      ['read.mark', { channelId: id, seq: 5 }],
      ['channel.mute', { channelId: id, muted: true }],
    ] as const) {
      expect(await alice.mutate(name, args as never), name).toMatchObject({ type: 'ack' });
    }
    expect(await bob.mutate('typing.start', { channelId: id }, 1)).toMatchObject({ type: 'ack' });
    await alice.waitFor((f) => f.type === 'typing' && f.channelId === id);
    // Last, in a channel everyone sees: once it reached them, anything before it would have.
    const marker = newId();
    await alice.mutate('message.send', { id: marker, channelId: general, content: 'marker' });
    for (const watcher of [carol, owner]) {
      await watcher.waitFor(carries(marker));
      const seen = text(watcher.frames);
      expect(seen).not.toContain(id);
      expect(seen).not.toContain('tangerine');
      expect(seen).not.toContain(message);
    }
    // Alice's other devices follow; the other side's do not get her read state.
    expect(text(bob.frames)).not.toContain('"readState"');

    // A fresh bootstrap and a replay from before: nothing of it either.
    const fresh = await connect(people.carol);
    const replay = await connect(people.carol, carolCursors);
    const ownerFresh = await connect(people.owner);
    for (const c of [fresh, replay, ownerFresh]) {
      expect(text(c.frames)).not.toContain(id);
      expect(text(c.frames)).not.toContain('tangerine');
    }
    const bobFresh = await connect(people.bob);
    expect(bobFresh.replica.channels.get(id)?.dm?.participants.sort()).toEqual(
      [people.alice.id, people.bob.id].sort(),
    );
    expect(bobFresh.replica.messages.get(message)?.content).toBe(`${secret}, really`);
    for (const c of [owner, carol, alice, bob, fresh, replay, ownerFresh, bobFresh])
      await c.close();
  });

  it('a group of three: the one who leaves gets a revoke and nothing after it', async () => {
    const alice = await connect(people.alice);
    const bob = await connect(people.bob);
    const carol = await connect(people.carol);
    const owner = await connect(people.owner);
    const id = newId();
    expect(
      await alice.mutate('dm.create', {
        id,
        userIds: [people.bob.id, people.carol.id],
        name: 'plans',
      }),
    ).toMatchObject({ type: 'ack' });
    await carol.waitFor((f) => f.type === 'reset' && f.scope === `channel:${id}`);
    expect(carol.replica.channels.get(id)?.name).toBe('plans');
    expect(await carol.mutate('dm.leave', { id })).toMatchObject({ type: 'ack' });
    await carol.waitFor((f) => f.type === 'revoke' && f.scope === `channel:${id}`);
    const before = carol.frames.length;
    const after = newId();
    await alice.mutate('message.send', { id: after, channelId: id, content: 'without carol' });
    await bob.waitFor(carries(after));
    expect(await alice.mutate('dm.rename', { id, name: 'no carol' })).toMatchObject({
      type: 'ack',
    });
    const marker = newId();
    await alice.mutate('message.send', { id: marker, channelId: general, content: 'marker' });
    await carol.waitFor(carries(marker));
    const later = text(carol.frames.slice(before));
    expect(later).not.toContain(id);
    expect(later).not.toContain('without carol');
    expect(text(owner.frames)).not.toContain(id);
    // She can no longer write there or come back by herself.
    expect(
      await carol.mutate('message.send', { id: newId(), channelId: id, content: 'back' }),
    ).toMatchObject({ type: 'reject', error: { kind: 'not_found' } });
    for (const c of [alice, bob, carol, owner]) await c.close();
  });

  it('a non-participant receives no frame at all while a conversation is made and changed', async () => {
    const owner = await connect(people.owner);
    const alice = await connect(people.alice);
    const bob = await connect(people.bob);
    const dave = await connect(people.dave);
    const carol = await connect(people.carol);
    // Everything from before (presence of the others) has reached her once her ping is answered.
    carol.send({ type: 'ping' });
    await carol.next((f) => f.type === 'pong');
    const before = carol.frames.length;
    const communityVersion = carol.replica.cursors.get('community') ?? -1;

    const id = newId();
    const steps = [
      [alice, 'dm.create', { id, userIds: [people.bob.id], name: 'plans' }],
      [alice, 'dm.rename', { id, name: 'surprise party' }],
      [bob, 'dm.add', { id, userIds: [people.dave.id] }],
      [alice, 'dm.remove', { id, userId: people.dave.id }],
      [alice, 'dm.leave', { id }],
      [alice, 'dm.open', { userId: people.bob.id }],
      [bob, 'user.block', { userId: people.alice.id, blocked: true }],
      [bob, 'user.block', { userId: people.alice.id, blocked: false }],
    ] as const;
    for (const [who, name, args] of steps) {
      expect(await who.mutate(name, args as never), name).toMatchObject({ type: 'ack' });
    }
    // Dave was added (the conversation bootstrapped), then removed: a tombstone in his scope and a revoke.
    await dave.waitFor((f) => f.type === 'revoke' && f.scope === `channel:${id}`);
    expect(dave.replica.channels.has(id)).toBe(false);
    const pair = dmId(people.alice.id, people.bob.id);

    // Last, a change of the community everyone receives: had anything of the
    // conversations gone through it, it would have come before, or moved its version.
    const marker = newId();
    expect(
      await owner.mutate('channel.create', { id: marker, kind: 'text', name: 'marker' }),
    ).toMatchObject({ type: 'ack' });
    await carol.waitFor((f) => f.type === 'reset' && f.scope === `channel:${marker}`);
    const after = carol.frames.slice(before).filter((f) => f.type !== 'pong');
    expect(after.map((f) => f.type)).toEqual(['changes', 'reset']);
    expect(after[0]).toMatchObject({
      type: 'changes',
      scope: 'community',
      from: communityVersion,
      to: communityVersion + 1,
    });
    const seen = text(after);
    for (const secret of [id, pair, 'plans', 'surprise party']) expect(seen).not.toContain(secret);
    expect(text(owner.frames)).not.toContain(id);
    for (const c of [owner, alice, bob, dave, carol]) await c.close();
  });
});
