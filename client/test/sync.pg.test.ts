import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { newId, type ReadyDown } from '@echora/shared';
import WebSocket from 'ws';
import type { SocketConstructor } from '../src/sync/connection.ts';
import { SyncEngine } from '../src/sync/engine.ts';
import type { TypingEntry } from '../src/sync/ephemeral.ts';
import { memoryReplica } from '../src/sync/test-replica.ts';
import {
  deadUrl,
  dispose,
  engineFor,
  fastTiming,
  listed,
  newDevice,
  serverHistory,
  startOnline,
  type Device,
  until,
} from './helpers.ts';
import { startServer, type Account, type TestServer } from './server.ts';
import { TapSocket } from './tap-socket.ts';

describe.each(['pglite', 'pg'] as const)('sync engine against a real server on %s', (kind) => {
  let server: TestServer;
  let alice: Account;
  let bob: Account;
  const live: SyncEngine[] = [];

  const connect = (device: Device, account: Account, Socket?: SocketConstructor) =>
    startOnline(live, device, account, server.syncUrl, Socket);

  /** A fresh channel made by Alice (the owner), once both engines hold it. */
  const newChannel = async (owner: SyncEngine, ...others: SyncEngine[]) => {
    const id = newId();
    expect(
      await owner.mutate('channel.create', { id, kind: 'text', name: `t-${id.slice(-6)}` }),
    ).toEqual({ ok: true });
    for (const engine of others)
      await until(() => engine.replica.channels.get(id), 'the new channel');
    return id;
  };

  beforeAll(async () => {
    server = await startServer(kind);
    alice = await server.register('alice');
    bob = await server.register('bob');
  });

  afterEach(() => {
    live.splice(0).forEach(dispose);
  });

  afterAll(async () => {
    // Undefined when the server failed to start; the real error is reported by beforeAll.
    await (server as TestServer | undefined)?.stop();
  });

  it('A sends, B receives; edits and deletes propagate', async () => {
    const a = await connect(newDevice(), alice);
    const b = await connect(newDevice(), bob);
    const channelId = await newChannel(a, b);
    const id = newId();
    const sent = a.mutate('message.send', { id, channelId, content: 'hello' });
    // Optimistic at once: the row is there before the server answers.
    await until(() => a.replica.messages.get(id), 'the pending row');
    expect(await sent).toEqual({ ok: true });
    const received = await until(() => b.replica.messages.get(id), 'B to receive');
    expect(received).toMatchObject({ content: 'hello', status: 'sent', authorId: alice.user.id });
    await until(async () => (await a.replica.messages.get(id))?.status === 'sent', 'A confirmed');
    expect((await a.replica.messages.get(id))?.sortKey).toBe(received.seq);

    expect(await a.mutate('message.edit', { id, content: 'hello, edited' })).toEqual({ ok: true });
    await until(
      async () => (await b.replica.messages.get(id))?.content === 'hello, edited',
      'the edit',
    );
    expect(await a.mutate('message.delete', { id })).toEqual({ ok: true });
    await until(async () => (await b.replica.messages.get(id)) === undefined, 'the delete');
    expect(a.pendingCount()).toBe(0);
  });

  it('rolls back refused changes and keeps a refused send as failed', async () => {
    const a = await connect(newDevice(), alice);
    const b = await connect(newDevice(), bob);
    const channelId = await newChannel(a, b);
    const id = newId();
    expect(await a.mutate('message.send', { id, channelId, content: 'mine' })).toEqual({
      ok: true,
    });
    await until(() => b.replica.messages.get(id), 'B to receive');

    const edit = await b.mutate('message.edit', { id, content: 'not yours' });
    expect(edit).toMatchObject({ ok: false, error: { kind: 'forbidden' } });
    expect(await b.replica.messages.get(id)).toMatchObject({ content: 'mine', status: 'sent' });

    const stranger = newId();
    const create = await b.mutate('channel.create', { id: stranger, kind: 'text', name: 'nope' });
    expect(create).toMatchObject({ ok: false, error: { kind: 'forbidden' } });
    expect(await b.replica.channels.get(stranger)).toBeUndefined();

    const lost = newId();
    const refused = await b.mutate('message.send', {
      id: lost,
      channelId: newId(),
      content: 'nowhere',
    });
    expect(refused.ok).toBe(false);
    expect(await b.replica.messages.get(lost)).toMatchObject({
      status: 'failed',
      content: 'nowhere',
    });
    await b.discard(lost);
    expect(await b.replica.messages.get(lost)).toBeUndefined();
  });

  it('catches up exactly on 500 messages missed while offline', async () => {
    const a = await connect(newDevice(), alice);
    const bobDevice = newDevice();
    const b = await connect(bobDevice, bob);
    const channelId = await newChannel(a, b);
    // B holds the channel at a real version (cursor 0 would ask for a fresh window instead).
    const first = newId();
    expect(await a.mutate('message.send', { id: first, channelId, content: 'before' })).toEqual({
      ok: true,
    });
    await until(() => b.replica.messages.get(first), 'B to receive the first message');
    dispose(b);
    const outcomes = await Promise.all(
      Array.from({ length: 500 }, (_, i) =>
        a.mutate('message.send', { id: newId(), channelId, content: `m${i}` }),
      ),
    );
    expect(outcomes.every((o) => o.ok)).toBe(true);
    const back = await connect(bobDevice, bob);
    const rows = await until(async () => {
      const held = await listed(back.replica, channelId);
      return held.length >= 501 && held;
    }, 'B to catch up');
    const history = await serverHistory(server.syncUrl, alice, channelId);
    expect(rows.map((m) => m.id)).toEqual(history.map((m) => m.id));
    expect(rows.map((m) => m.content)).toEqual([
      'before',
      ...Array.from({ length: 500 }, (_, i) => `m${i}`),
    ]);
  }, 240_000);

  it('sends 100 messages queued offline, from a new engine on the same IndexedDB, once and in order', async () => {
    const b = await connect(newDevice(), bob);
    const a0 = await connect(newDevice(), alice);
    const channelId = await newChannel(a0, b);
    const device = newDevice();
    const offline = engineFor(device, alice, await deadUrl());
    offline.start();
    const ids = Array.from({ length: 100 }, () => newId());
    for (const [i, id] of ids.entries())
      void offline.mutate('message.send', { id, channelId, content: `q${i}` });
    await until(async () => (await offline.replica.outbox.count()) === 100, 'the outbox to fill');
    expect((await listed(offline.replica, channelId)).map((m) => m.status)).toEqual(
      Array(100).fill('pending'),
    );
    expect(offline.state).not.toBe('online');
    dispose(offline);

    const restarted = await connect(device, alice);
    const seen = await until(async () => {
      const held = await listed(b.replica, channelId);
      return held.length >= 100 && held;
    }, 'B to receive all 100');
    expect(seen.map((m) => m.id)).toEqual(ids);
    await until(async () => (await restarted.replica.outbox.count()) === 0, 'the outbox to drain');
    const mine = await listed(restarted.replica, channelId);
    expect(mine.map((m) => [m.id, m.status])).toEqual(ids.map((id) => [id, 'sent']));
    const history = await serverHistory(server.syncUrl, alice, channelId);
    expect(history.map((m) => m.id)).toEqual(ids);
  });

  it('asks for a fresh token when the server refuses one, and shares presence and typing', async () => {
    // Presence is per user across connections: Carol has only this one.
    const carol = await server.register(`carol${newId().slice(-6)}`);
    const c = await connect(newDevice(), carol);
    const tokens = ['not-a-token', bob.accessToken];
    let asked = 0;
    const b = new SyncEngine({
      replica: memoryReplica(),
      url: server.syncUrl,
      getToken: () => Promise.resolve(tokens[Math.min(asked++, 1)] ?? null),
      WebSocket: WebSocket as unknown as SocketConstructor,
      timing: fastTiming,
    });
    live.push(b);
    b.start();
    await until(() => Promise.resolve(b.state === 'online'), 'B online with the fresh token');
    expect(asked).toBe(2);
    expect(b.userId).toBe(bob.user.id);
    await until(
      () => Promise.resolve(b.presence().get(carol.user.id) === 'online'),
      'C online for B',
    );
    c.setIdle(true);
    await until(() => Promise.resolve(b.presence().get(carol.user.id) === 'idle'), 'C idle for B');
    const typing: TypingEntry[] = [];
    let latest: TypingEntry[] = [];
    b.onTyping((entries) => {
      typing.push(...entries);
      latest = [...entries];
    });
    const channelId = (await b.replica.channels.toArray())[0]?.id ?? '';
    expect(await c.mutate('typing.start', { channelId })).toEqual({ ok: true });
    await until(
      () =>
        Promise.resolve(
          typing.some((t) => t.userId === carol.user.id && t.channelId === channelId),
        ),
      'typing',
    );
    // Her message arrives: she is no longer typing, well before the entry would expire.
    const entry = latest.find((t) => t.userId === carol.user.id);
    expect(entry).toBeDefined();
    const id = newId();
    expect(await c.mutate('message.send', { id, channelId, content: 'done typing' })).toEqual({
      ok: true,
    });
    await until(() => b.replica.messages.get(id), 'B to receive her message');
    expect(latest.some((t) => t.userId === carol.user.id)).toBe(false);
    expect(Date.now()).toBeLessThan(entry?.expiresAt ?? 0);
  });

  it('applies a mutation once when its ack is lost', async () => {
    TapSocket.received = [];
    const b = await connect(newDevice(), bob);
    const a = await connect(newDevice(), alice, TapSocket);
    const channelId = await newChannel(a, b);
    TapSocket.received = [];
    TapSocket.loseNextAck = true;
    const id = newId();
    expect(await a.mutate('message.send', { id, channelId, content: 'once' })).toEqual({
      ok: true,
    });
    const readies = TapSocket.received.filter((f): f is ReadyDown => f.type === 'ready');
    // The server had applied it before the resend: the reconnect's nextSeq is past it.
    expect(readies.length).toBe(1);
    const acks = TapSocket.received.filter((f) => f.type === 'ack');
    expect(acks.length).toBeGreaterThanOrEqual(2);
    const seq = acks[0]?.type === 'ack' ? acks[0].seq : -1;
    expect(readies[0]?.nextSeq).toBe(seq + 1);
    await until(() => b.replica.messages.get(id), 'B to receive');
    const history = await serverHistory(server.syncUrl, alice, channelId);
    expect(history.filter((m) => m.id === id)).toHaveLength(1);
  });
});
