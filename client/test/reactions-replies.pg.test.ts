import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '@echora/shared';
import type { SyncEngine } from '../src/sync/engine.ts';
import {
  deadUrl,
  dispose,
  engineFor,
  listed,
  newDevice,
  serverHistory,
  startOnline,
  type Device,
  until,
} from './helpers.ts';
import { startServer, type Account, type TestServer } from './server.ts';

describe.each(['pglite', 'pg'] as const)('reactions and replies offline, on %s', (kind) => {
  let server: TestServer;
  let alice: Account;
  let bob: Account;
  const live: SyncEngine[] = [];

  const connect = (device: Device, account: Account) =>
    startOnline(live, device, account, server.syncUrl);

  beforeAll(async () => {
    server = await startServer(kind);
    alice = await server.register('alice');
    bob = await server.register('bob');
  });
  afterEach(() => {
    live.splice(0).forEach(dispose);
  });
  afterAll(async () => {
    await (server as TestServer | undefined)?.stop();
  });

  it('a reaction and a reply made offline show at once and reach the others exactly once', async () => {
    const device = newDevice();
    const a = await connect(device, alice);
    const b = await connect(newDevice(), bob);
    const channelId = newId();
    expect(await a.mutate('channel.create', { id: channelId, kind: 'text', name: 'rich' })).toEqual(
      {
        ok: true,
      },
    );
    await until(() => b.replica.channels.get(channelId), 'B holds the channel');
    const original = newId();
    expect(
      await b.mutate('message.send', { id: original, channelId, content: 'react to me' }),
    ).toEqual({ ok: true });
    await until(() => a.replica.messages.get(original), 'A holds the message');
    dispose(live.splice(live.indexOf(a), 1)[0] as SyncEngine);

    // Offline: both wait in the outbox and show in the replica at once.
    const offline = engineFor(device, alice, await deadUrl());
    offline.start();
    const reply = newId();
    void offline.mutate('reaction.toggle', { messageId: original, emoji: '🎉', on: true });
    // The same state twice (a double click) stays one reaction.
    void offline.mutate('reaction.toggle', { messageId: original, emoji: '🎉', on: true });
    void offline.mutate('message.send', {
      id: reply,
      channelId,
      content: 'offline answer',
      replyToId: original,
    });
    await until(async () => (await offline.replica.outbox.count()) === 3, 'the outbox to fill');
    expect((await offline.replica.messages.get(original))?.reactions).toEqual([
      { emoji: '🎉', userIds: [alice.user.id] },
    ]);
    expect(await offline.replica.messages.get(reply)).toMatchObject({
      replyToId: original,
      status: 'pending',
    });
    expect(offline.state).not.toBe('online');
    dispose(offline);

    const back = await connect(device, alice);
    await until(async () => (await back.replica.outbox.count()) === 0, 'the outbox to drain');
    await until(
      async () => (await b.replica.messages.get(reply))?.replyToId === original,
      'B to see the reply',
    );
    await until(
      async () => (await b.replica.messages.get(original))?.reactions.length === 1,
      'B to see the reaction',
    );
    expect((await b.replica.messages.get(original))?.reactions).toEqual([
      { emoji: '🎉', userIds: [alice.user.id] },
    ]);
    expect((await listed(b.replica, channelId)).map((m) => m.id)).toEqual([original, reply]);
    expect(await back.replica.messages.get(reply)).toMatchObject({ status: 'sent' });
    const history = await serverHistory(server.syncUrl, bob, channelId);
    expect(history.map((m) => [m.id, m.replyToId])).toEqual([
      [original, null],
      [reply, original],
    ]);
    expect(history[0]?.reactions).toEqual([{ emoji: '🎉', userIds: [alice.user.id] }]);
  });
});
