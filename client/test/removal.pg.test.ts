import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { newId, type Removal } from '@echora/shared';
import type { SyncEngine } from '../src/sync/engine.ts';
import {
  deadUrl,
  dispose,
  engineFor,
  newDevice,
  serverHistory,
  until,
  type Device,
} from './helpers.ts';
import { startServer, type Account, type TestServer } from './server.ts';

describe.each(['pglite', 'pg'] as const)('a kicked or banned user’s engine, on %s', (kind) => {
  let server: TestServer;
  let alice: Account;
  let channelId = '';
  const live: SyncEngine[] = [];

  const connect = (device: Device, account: Account, url = server.syncUrl) => {
    const engine = engineFor(device, account, url);
    live.push(engine);
    engine.start();
    return engine;
  };
  const online = (engine: SyncEngine) =>
    until(() => Promise.resolve(engine.state === 'online'), 'online');
  const moderate = async (action: 'ban' | 'kick', userId: string) => {
    const response = await fetch(`${server.url}/api/moderation/${action}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${alice.accessToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ userId }),
    });
    expect(response.status).toBe(204);
  };
  const removalOf = (engine: SyncEngine) =>
    new Promise<Removal>((resolve) => {
      const off = engine.onRemoved((removal) => {
        off();
        resolve(removal);
      });
    });

  beforeAll(async () => {
    server = await startServer(kind);
    alice = await server.register('alice');
    const a = connect(newDevice(), alice);
    await online(a);
    channelId = newId();
    expect(await a.mutate('channel.create', { id: channelId, kind: 'text', name: 'mod' })).toEqual({
      ok: true,
    });
    live.splice(0).forEach(dispose);
  });
  afterEach(() => {
    live.splice(0).forEach(dispose);
  });
  afterAll(async () => {
    await (server as TestServer | undefined)?.stop();
  });

  it('banned online: told why, stops, queues nothing more, and forgets the replica', async () => {
    const bob = await server.register(`bob${kind}`);
    const b = connect(newDevice(), bob);
    await online(b);
    await until(() => b.replica.channels.get(channelId), 'Bob holds the channel');
    const kept = newId();
    expect(await b.mutate('message.send', { id: kept, channelId, content: 'before' })).toEqual({
      ok: true,
    });
    const errors: string[] = [];
    b.onError((e) => errors.push(e.kind));
    const told = removalOf(b);
    await moderate('ban', bob.user.id);
    expect(await told).toEqual({ reason: 'ban', community: 'Echora' });
    expect(b.state).toBe('offline');
    // No second report of the same close as a fatal error.
    expect(errors).toEqual([]);
    const after = await b.mutate('message.send', { id: newId(), channelId, content: 'after' });
    expect(after).toMatchObject({
      ok: false,
      error: { kind: 'forbidden', removal: { reason: 'ban' } },
    });
    expect(await b.replica.outbox.count()).toBe(0);

    expect(await b.forget()).toBe(0);
    for (const table of b.replica.tables) expect(await table.count(), table.name).toBe(0);
  });

  it('banned while offline: on reconnect it is told, and its queued messages never arrive', async () => {
    const carol = await server.register(`carol${kind}`);
    const device = newDevice();
    const c = connect(device, carol);
    await online(c);
    await until(() => c.replica.channels.get(channelId), 'Carol holds the channel');
    dispose(live.splice(live.indexOf(c), 1)[0] as SyncEngine);

    const offline = connect(device, carol, await deadUrl());
    const queued = [newId(), newId(), newId()];
    for (const id of queued) void offline.mutate('message.send', { id, channelId, content: id });
    await until(async () => (await offline.replica.outbox.count()) === 3, 'the outbox to fill');
    dispose(live.splice(live.indexOf(offline), 1)[0] as SyncEngine);
    await moderate('ban', carol.user.id);

    const back = connect(device, carol);
    expect(await removalOf(back)).toEqual({ reason: 'ban', community: 'Echora' });
    expect(await back.forget()).toBe(3);
    expect(await back.replica.outbox.count()).toBe(0);
    expect(await back.replica.messages.count()).toBe(0);
    const history = await serverHistory(server.syncUrl, alice, channelId);
    expect(history.filter((m) => queued.includes(m.id))).toEqual([]);
  });

  it('kicked: told "kick"', async () => {
    const dave = await server.register(`dave${kind}`);
    const d = connect(newDevice(), dave);
    await online(d);
    const told = removalOf(d);
    await moderate('kick', dave.user.id);
    expect(await told).toEqual({ reason: 'kick', community: 'Echora' });
  });
});
