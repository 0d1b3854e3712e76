import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '@echora/shared';
import { reconnectWhenBack } from '../src/state/wake.ts';
import type { SyncEngine } from '../src/sync/engine.ts';
import { dispose, newDevice, startOnline, until } from './helpers.ts';
import { startServer, type Account, type TestServer } from './server.ts';

/** The platform's lifecycle, driven by the test as the OS would. */
class Lifecycle {
  readonly resumed = new Set<() => void>();
  readonly online = new Set<(online: boolean) => void>();
  onResume = (cb: () => void) => (this.resumed.add(cb), () => void this.resumed.delete(cb));
  onOnlineChange = (cb: (online: boolean) => void) => (
    this.online.add(cb),
    () => void this.online.delete(cb)
  );
  resume(): void {
    for (const cb of this.resumed) cb();
  }
}

describe.each(['pg', 'pglite'] as const)('resuming the app, on %s', (kind) => {
  let server: TestServer;
  let alice: Account;
  let bob: Account;
  const live: SyncEngine[] = [];

  beforeAll(async () => {
    server = await startServer(kind);
    alice = await server.register('alice');
    bob = await server.register('bob');
  });
  afterEach(() => live.splice(0).forEach(dispose));
  afterAll(async () => {
    await (server as TestServer | undefined)?.stop();
  });

  it('reconnects at once and catches up on what was sent while in the background', async () => {
    const a = await startOnline(live, newDevice(), alice, server.syncUrl);
    const b = await startOnline(live, newDevice(), bob, server.syncUrl);
    const lifecycle = new Lifecycle();
    const off = reconnectWhenBack(lifecycle, b);
    const channelId = newId();
    expect(
      await a.mutate('channel.create', { id: channelId, kind: 'text', name: 'resume' }),
    ).toEqual({ ok: true });
    await until(() => b.replica.channels.get(channelId), 'Bob holds the channel');

    // The OS suspends Bob's app: its socket is gone, and nothing retries it.
    b.stop();
    expect(b.state).toBe('offline');
    const missed = newId();
    expect(
      await a.mutate('message.send', { id: missed, channelId, content: 'while away' }),
    ).toEqual({ ok: true });

    lifecycle.resume();
    expect(b.state).not.toBe('offline');
    const caught = await until(() => b.replica.messages.get(missed), 'Bob catches up');
    expect(caught.content).toBe('while away');
    expect(b.state).toBe('online');

    off();
    expect(lifecycle.resumed.size).toBe(0);
  });
});
