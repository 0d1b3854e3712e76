import { afterEach, describe, expect, it, vi } from 'vitest';
import { memoryReplica } from '../sync/test-replica.ts';
import type { RemovalNotice } from './removal.ts';
import { Session } from './session.svelte.ts';

const notice: RemovalNotice = { reason: 'ban', community: 'Echora', discarded: 0 };
const channels: BroadcastChannel[] = [];

afterEach(() => {
  for (const channel of channels.splice(0)) channel.close();
});

describe('Session.close', () => {
  it('stops hearing other tabs: a closed community takes no removal notice, an open one does', async () => {
    const closed = new Session(memoryReplica());
    const open = new Session(memoryReplica());
    await Promise.all([closed.restore(), open.restore()]);
    closed.close();

    // Another tab of the same origin says the user was banned.
    const tab = new BroadcastChannel('echora-session');
    channels.push(tab);
    tab.postMessage({ removal: notice });

    await vi.waitFor(() => expect(open.removal).toEqual(notice));
    expect(closed.removal).toBeNull();
    open.close();
  });
});
