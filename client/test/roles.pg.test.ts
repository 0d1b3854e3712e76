import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId, Permission } from '@echora/shared';
import type { SyncEngine } from '../src/sync/engine.ts';
import { deadUrl, dispose, engineFor, listed, newDevice, startOnline, until } from './helpers.ts';
import { startServer, type Account, type TestServer } from './server.ts';

/**
 * Access follows permissions, end to end through the client engine: a member
 * taken out of the role that opens a private channel loses the channel and
 * its messages from their replica at once, and stops receiving new ones;
 * given the role back, the channel bootstraps again.
 */
describe.each(['pglite', 'pg'] as const)('private channels follow roles on %s', (kind) => {
  let server: TestServer;
  let alice: Account;
  let bob: Account;
  const live: SyncEngine[] = [];

  const connect = (account: Account) => startOnline(live, newDevice(), account, server.syncUrl);

  beforeAll(async () => {
    server = await startServer(kind);
    alice = await server.register('alice');
    bob = await server.register('bob');
  });

  afterAll(async () => {
    live.splice(0).forEach(dispose);
    await (server as TestServer | undefined)?.stop();
  });

  it('removing the role revokes and purges the channel at once; giving it back bootstraps it', async () => {
    const a = await connect(alice);
    const b = await connect(bob);
    const everyone = await until(
      async () => (await a.replica.roles.toArray()).find((r) => r.isEveryone),
      'the @everyone role',
    );
    const secret = newId();
    const channelId = newId();
    const steps = [
      a.mutate('role.create', { id: secret, name: 'Secret' }),
      a.mutate('channel.create', { id: channelId, kind: 'text', name: 'secret' }),
      a.mutate('channel.overrides', {
        channelId,
        targetType: 'role',
        targetId: everyone.id,
        allow: 0,
        deny: Permission.viewChannel,
      }),
      a.mutate('channel.overrides', {
        channelId,
        targetType: 'role',
        targetId: secret,
        allow: Permission.viewChannel,
        deny: 0,
      }),
    ];
    for (const outcome of await Promise.all(steps)) expect(outcome).toEqual({ ok: true });
    // Private now: Bob never saw it, or lost it when @everyone was denied.
    await until(async () => (await b.replica.channels.get(channelId)) === undefined, 'hidden');

    expect(await a.mutate('member.roles', { userId: bob.user.id, roleIds: [secret] })).toEqual({
      ok: true,
    });
    await until(() => b.replica.channels.get(channelId), 'Bob gains the channel');
    const first = newId();
    expect(
      await a.mutate('message.send', { id: first, channelId, content: 'for Secret only' }),
    ).toEqual({ ok: true });
    await until(() => b.replica.messages.get(first), 'Bob receives the message');
    const member = await until(() => b.replica.members.get(bob.user.id), 'Bob’s member row');
    expect(member.roleIds).toContain(secret);

    expect(await a.mutate('member.roles', { userId: bob.user.id, roleIds: [] })).toEqual({
      ok: true,
    });
    await until(async () => (await b.replica.channels.get(channelId)) === undefined, 'revoked');
    expect(await listed(b.replica, channelId)).toEqual([]);
    expect(await b.replica.messages.get(first)).toBeUndefined();
    expect(await b.replica.cursors.get(`channel:${channelId}`)).toBeUndefined();

    const second = newId();
    expect(
      await a.mutate('message.send', { id: second, channelId, content: 'still secret' }),
    ).toEqual({ ok: true });
    // A later public message proves Bob's stream is live past the private one.
    const general = (await b.replica.channels.toArray()).find((c) => c.name === 'general');
    const marker = newId();
    expect(
      await a.mutate('message.send', {
        id: marker,
        channelId: general?.id ?? '',
        content: 'public',
      }),
    ).toEqual({ ok: true });
    await until(() => b.replica.messages.get(marker), 'the public message');
    expect(await b.replica.messages.get(second)).toBeUndefined();
    expect(await b.replica.channels.get(channelId)).toBeUndefined();

    expect(await a.mutate('member.roles', { userId: bob.user.id, roleIds: [secret] })).toEqual({
      ok: true,
    });
    await until(() => b.replica.messages.get(second), 'the channel bootstraps again');
    expect((await listed(b.replica, channelId)).map((m) => m.id)).toEqual([first, second]);
  });

  it('a role made and given while offline shows at once and applies once when back online', async () => {
    const b = await connect(bob);
    const device = newDevice();
    const offline = engineFor(device, alice, await deadUrl());
    offline.start();
    const id = newId();
    void offline.mutate('role.create', { id, name: 'Offline', color: 0x00ff00 });
    void offline.mutate('member.roles', { userId: bob.user.id, roleIds: [id] });
    await until(async () => (await offline.replica.outbox.count()) === 2, 'the outbox to fill');
    expect(await offline.replica.roles.get(id)).toMatchObject({ name: 'Offline', position: 1 });
    dispose(offline);

    const back = engineFor(device, alice, server.syncUrl);
    live.push(back);
    back.start();
    await until(async () => (await back.replica.outbox.count()) === 0, 'the outbox to drain');
    const held = await until(() => b.replica.roles.get(id), 'Bob sees the role');
    expect(held).toMatchObject({ name: 'Offline', color: 0x00ff00, position: 1 });
    await until(
      async () => (await b.replica.members.get(bob.user.id))?.roleIds.includes(id),
      'Bob holds the role',
    );
    const roles = (await b.replica.roles.toArray()).filter((r) => r.name === 'Offline');
    expect(roles).toHaveLength(1);
  });
});
