import { describe, expect, it } from 'vitest';
import { newId } from '@echora/shared';
import { SyncEngine } from '../sync/engine.ts';
import { memoryReplica } from '../sync/test-replica.ts';
import { Composer } from './composer.svelte.ts';

/*
 * The composer follows the open channel at once. Switching saves the old
 * channel's draft in IndexedDB, which waits behind the sync engine's own
 * transactions (a `dm.open` and its answers, just when a conversation opens):
 * what the user types and sends meanwhile belongs to the channel on screen.
 */

/** A composer over a real replica and an engine that never connects (mutations queue). */
function offlineComposer() {
  const replica = memoryReplica();
  const engine = new SyncEngine({
    replica,
    url: 'ws://127.0.0.1:9/api/sync',
    getToken: () => Promise.resolve(null),
    userId: newId(),
  });
  return { replica, engine, composer: new Composer(replica, engine) };
}

/** Resolves once the engine counts `n` queued mutations. */
const queued = (engine: SyncEngine, n: number) =>
  new Promise<void>((resolve) => {
    if (engine.pendingCount() === n) return resolve();
    const off = engine.onPending((count) => {
      if (count !== n) return;
      off();
      resolve();
    });
  });

describe('Composer switching channels', () => {
  it('a message sent while the old draft is still being saved goes to the channel now open', async () => {
    const { replica, engine, composer } = offlineComposer();
    const general = newId();
    const dm = newId();
    await composer.open(general);
    const switching = composer.open(dm);
    composer.text = 'sent at once';
    composer.send();
    await switching;
    await queued(engine, 1);
    const rows = await replica.messages.toArray();
    expect(rows.map((m) => [m.channelId, m.content, m.status])).toEqual([
      [dm, 'sent at once', 'pending'],
    ]);
    expect(composer.text).toBe('');
    replica.close();
  });

  it('what is typed while the old draft is saved is kept, and the old draft stays with its channel', async () => {
    const { replica, composer } = offlineComposer();
    const general = newId();
    const dm = newId();
    await composer.open(general);
    composer.text = 'half a thought';
    const switching = composer.open(dm);
    composer.text = 'typed at once';
    await switching;
    expect(composer.text).toBe('typed at once');
    await composer.open(general);
    expect(composer.text).toBe('half a thought');
    await composer.open(dm);
    expect(composer.text).toBe('typed at once');
    replica.close();
  });
});
