import { describe, expect, it } from 'vitest';
import type { ChangesDown, DownMessage } from '@echora/shared';
import { Inbox, type InboxBatch } from './inbox.ts';

const changes = (n: number): ChangesDown => ({
  type: 'changes',
  scope: 'community',
  from: n - 1,
  to: n,
  changes: [],
});
const pong: DownMessage = { type: 'pong' };

/** What each batch held: `c<to>` for changes frames, the type for the others. */
const shape = (b: InboxBatch) =>
  'frame' in b
    ? `${b.generation}:${b.frame.type}`
    : `${b.generation}:${b.changes.map((c) => `c${c.to}`).join(',')}`;

describe('the inbox', () => {
  it('takes the changes that queued meanwhile together, never across another frame or socket', async () => {
    const seen: string[] = [];
    let release: () => void = () => undefined;
    const first = new Promise<void>((resolve) => (release = resolve));
    const inbox = new Inbox(
      async (batch) => {
        seen.push(shape(batch));
        if (seen.length === 1) await first;
      },
      () => undefined,
    );
    inbox.push(changes(1), 1);
    // While the first batch is being applied, more arrive.
    for (const n of [2, 3, 4]) inbox.push(changes(n), 1);
    inbox.push(pong, 1);
    inbox.push(changes(5), 1);
    inbox.push(changes(6), 2);
    release();
    await inbox.settled();
    expect(seen).toEqual(['1:c1', '1:c2,c3,c4', '1:pong', '1:c5', '2:c6']);
  });

  it('reports a failed batch and goes on with the next', async () => {
    const failures: unknown[] = [];
    const handled: string[] = [];
    const inbox = new Inbox(
      (batch) => {
        handled.push(shape(batch));
        return handled.length === 1 ? Promise.reject(new Error('boom')) : Promise.resolve();
      },
      (e) => failures.push(e),
    );
    inbox.push(pong, 1);
    inbox.push(changes(1), 1);
    await inbox.settled();
    expect(handled).toEqual(['1:pong', '1:c1']);
    expect(failures).toHaveLength(1);
  });
});
