import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '@echora/shared';
import type { SyncEngine } from '../src/sync/engine.ts';
import {
  deadUrl,
  dispose,
  engineFor,
  newDevice,
  startOnline,
  type Device,
  until,
} from './helpers.ts';
import { startServer, type Account, type TestServer } from './server.ts';

describe.each(['pglite', 'pg'] as const)(
  'read state across two devices of one user (%s)',
  (kind) => {
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

    it('a mark or a mute on one device reaches the other; marks never move back', async () => {
      const a = await connect(newDevice(), alice);
      const phone = await connect(newDevice(), bob);
      const laptop = await connect(newDevice(), bob);
      const channelId = newId();
      expect(
        await a.mutate('channel.create', { id: channelId, kind: 'text', name: 'reads' }),
      ).toEqual({ ok: true });
      for (const engine of [phone, laptop])
        await until(() => engine.replica.channels.get(channelId), 'the channel');
      for (const content of ['one', 'two', 'three'])
        await a.mutate('message.send', { id: newId(), channelId, content });
      const newest = await until(async () => {
        const rows = await phone.replica.messages.where('channelId').equals(channelId).toArray();
        return rows.length === 3 ? Math.max(...rows.map((m) => m.seq)) : undefined;
      }, 'three messages on the phone');

      expect(await phone.mutate('read.mark', { channelId, seq: newest })).toEqual({ ok: true });
      expect((await phone.replica.readStates.get(channelId))?.lastReadSeq).toBe(newest);
      await until(
        async () => (await laptop.replica.readStates.get(channelId))?.lastReadSeq === newest,
        'the mark on the laptop',
      );

      // An older mark from the laptop (it had not caught up) changes nothing anywhere.
      expect(await laptop.mutate('read.mark', { channelId, seq: 1 })).toEqual({ ok: true });
      expect((await laptop.replica.readStates.get(channelId))?.lastReadSeq).toBe(newest);

      expect(await laptop.mutate('channel.mute', { channelId, muted: true })).toEqual({ ok: true });
      await until(
        async () => (await phone.replica.readStates.get(channelId))?.muted === true,
        'the mute on the phone',
      );
      expect(await phone.replica.readStates.get(channelId)).toEqual({
        id: channelId,
        lastReadSeq: newest,
        muted: true,
      });
      // Alice's devices hold none of Bob's read state.
      expect(await a.replica.readStates.count()).toBe(0);
    });

    it('offline, a mark shows at once and is sent when the device reconnects', async () => {
      const a = await connect(newDevice(), alice);
      const device = newDevice();
      const first = await connect(device, bob);
      const channelId = newId();
      await a.mutate('channel.create', { id: channelId, kind: 'text', name: 'offline' });
      await until(() => first.replica.channels.get(channelId), 'the channel');
      await a.mutate('message.send', { id: newId(), channelId, content: 'hi' });
      const seq = await until(
        async () =>
          (await first.replica.messages.where('channelId').equals(channelId).first())?.seq,
        'the message',
      );
      live.splice(live.indexOf(first), 1);
      dispose(first);

      // The same device with the server out of reach.
      const offline = engineFor(device, bob, await deadUrl());
      live.push(offline);
      offline.start();
      const pending = offline.mutate('read.mark', { channelId, seq });
      await until(
        async () => (await offline.replica.readStates.get(channelId))?.lastReadSeq === seq,
        'the optimistic mark',
      );
      // Queued, though the connection status does not count read marks.
      expect(await offline.replica.outbox.filter((e) => !e.acked).count()).toBe(1);
      expect(offline.pendingCount()).toBe(0);
      live.splice(live.indexOf(offline), 1);
      dispose(offline);
      void pending;

      // Back online: the queued mark goes out once and another device gets it.
      const other = await connect(newDevice(), bob);
      const again = await connect(device, bob);
      await until(
        async () => (await again.replica.outbox.filter((e) => !e.acked).count()) === 0,
        'the outbox drained',
      );
      await until(
        async () => (await other.replica.readStates.get(channelId))?.lastReadSeq === seq,
        'the mark on the other device',
      );
    });

    it('a new device of the user starts with the read state (reset of the user scope)', async () => {
      const a = await connect(newDevice(), alice);
      const phone = await connect(newDevice(), bob);
      const channelId = newId();
      await a.mutate('channel.create', { id: channelId, kind: 'text', name: 'later' });
      await until(() => phone.replica.channels.get(channelId), 'the channel');
      await a.mutate('message.send', { id: newId(), channelId, content: 'hi' });
      await phone.mutate('channel.mute', { channelId, muted: true });
      const tablet = await connect(newDevice(), bob);
      await until(
        async () => (await tablet.replica.readStates.get(channelId))?.muted === true,
        'the mute on a new device',
      );
    });
  },
);
