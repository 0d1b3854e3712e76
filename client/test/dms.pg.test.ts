import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { dmId, newId } from '@echora/shared';
import type { SyncEngine } from '../src/sync/engine.ts';
import { Composer } from '../src/state/composer.svelte.ts';
import { toasts } from '../src/state/toasts.svelte.ts';
import { dispose, newDevice, startOnline, until } from './helpers.ts';
import { HoldSocket } from './hold-socket.ts';
import { startServer, type Account, type TestServer } from './server.ts';

/*
 * Issue 19: the first message of a conversation started with "Message" must
 * reach the other side, and never vanish from the sender's view.
 */
describe.each(['pglite', 'pg'] as const)('starting a direct conversation, on %s', (kind) => {
  let server: TestServer;
  let alice: Account;
  let bob: Account;
  const live: SyncEngine[] = [];

  beforeAll(async () => {
    server = await startServer(kind);
    alice = await server.register('alice');
    bob = await server.register('bob');
  });
  afterEach(() => {
    HoldSocket.release();
    live.splice(0).forEach(dispose);
  });
  afterAll(async () => {
    await (server as TestServer | undefined)?.stop();
  });

  it('one the other side has just started keeps showing, its first message included, until the feed brings it', async () => {
    const a = await startOnline(live, newDevice(), alice, server.syncUrl, HoldSocket);
    const b = await startOnline(live, newDevice(), bob, server.syncUrl);
    const id = dmId(alice.user.id, bob.user.id);
    // Bob starts it; the frame of her own scope that brings it to Alice is late.
    HoldSocket.holding = `user:${alice.user.id}`;
    expect(await b.mutate('dm.open', { userId: alice.user.id })).toEqual({ ok: true });
    // Alice starts it too, answered first: the conversation exists, nothing new.
    expect(await a.mutate('dm.open', { userId: bob.user.id })).toEqual({ ok: true });
    expect((await a.replica.channels.get(id))?.kind).toBe('dm');
    const first = newId();
    expect(
      await a.mutate('message.send', { id: first, channelId: id, content: 'hello Bob' }),
    ).toEqual({ ok: true });
    expect((await a.replica.channels.get(id))?.kind).toBe('dm');
    expect((await a.replica.messages.get(first))?.content).toBe('hello Bob');

    HoldSocket.release();
    await until(async () => (await a.replica.outbox.count()) === 0, 'Alice settles');
    expect((await a.replica.channels.get(id))?.dm?.participants.toSorted()).toEqual(
      [alice.user.id, bob.user.id].toSorted(),
    );
    expect((await a.replica.messages.get(first))?.status).toBe('sent');
    await until(() => b.replica.messages.get(first), 'Bob receives the first message');
  });

  it('one the other side refuses: the message sent at once is reported not sent, with the reason', async () => {
    const carol = await server.register(`carol${kind}`);
    const a = await startOnline(live, newDevice(), alice, server.syncUrl);
    const c = await startOnline(live, newDevice(), carol, server.syncUrl);
    expect(await c.mutate('user.block', { userId: alice.user.id, blocked: true })).toEqual({
      ok: true,
    });
    const id = dmId(alice.user.id, carol.user.id);
    const composer = new Composer(a.replica, a);
    const opened = a.mutate('dm.open', { userId: carol.user.id });
    await composer.open(id);
    composer.setText('hello Carol');
    composer.submit();
    expect(await opened).toMatchObject({ ok: false, error: { kind: 'forbidden' } });
    const toast = await until(
      () => Promise.resolve(toasts.items.find((t) => t.message.startsWith('Not sent'))),
      'a "Not sent" notice',
    );
    expect(toast.tone).toBe('error');
    expect(await a.replica.channels.get(id)).toBeUndefined();
    expect(await c.replica.channels.get(id)).toBeUndefined();
  });
});
