import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '@echora/shared';
import type { SyncEngine } from '../src/sync/engine.ts';
import { Composer } from '../src/state/composer.svelte.ts';
import { toasts } from '../src/state/toasts.svelte.ts';
import { dispose, newDevice, startOnline, until } from './helpers.ts';
import { startServer, type Account, type TestServer } from './server.ts';

/*
 * Work queued for a channel that goes before it is sent (here: Alice is
 * removed from a group conversation while her device is offline) can never
 * apply. It must not wait in the outbox for ever: it is settled, and the
 * composer that sent it says "Not sent".
 */
describe.each(['pglite', 'pg'] as const)('the outbox of a purged conversation, on %s', (kind) => {
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
    live.splice(0).forEach(dispose);
  });
  afterAll(async () => {
    await (server as TestServer | undefined)?.stop();
  });

  it('settles when the device learns it was removed: not sent, nothing left behind', async () => {
    const a = await startOnline(live, newDevice(), alice, server.syncUrl);
    const b = await startOnline(live, newDevice(), bob, server.syncUrl);
    const id = newId();
    expect(await b.mutate('dm.create', { id, userIds: [alice.user.id], name: 'plans' })).toEqual({
      ok: true,
    });
    await until(() => a.replica.cursors.get(`channel:${id}`), 'Alice holds the conversation');

    a.stop();
    const composer = new Composer(a.replica, a);
    await composer.open(id);
    composer.setText('see you at eight');
    composer.submit();
    await until(async () => (await a.replica.outbox.count()) === 1, 'the send is queued');
    const rename = a.mutate('dm.rename', { id, name: 'plans for friday' });
    await until(
      async () => (await a.replica.channels.get(id))?.name === 'plans for friday',
      'the rename shows at once',
    );
    expect(await b.mutate('dm.remove', { id, userId: alice.user.id })).toEqual({ ok: true });

    a.start();
    expect(await rename).toMatchObject({ ok: false, error: { kind: 'not_found' } });
    const toast = await until(
      () => Promise.resolve(toasts.items.find((t) => t.message.startsWith('Not sent'))),
      'a "Not sent" notice',
    );
    expect(toast.tone).toBe('error');
    expect(await a.replica.outbox.count()).toBe(0);
    expect(await a.replica.shadows.count()).toBe(0);
    expect(await a.replica.channels.get(id)).toBeUndefined();
    expect(await a.replica.messages.where('channelId').equals(id).count()).toBe(0);
    expect(a.pendingCount()).toBe(0);
  });
});
