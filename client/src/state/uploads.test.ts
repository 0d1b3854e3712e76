import { afterEach, describe, expect, it } from 'vitest';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { newId } from '@echora/shared';
import { MAX_ATTACHMENTS } from '@echora/shared/protocol/rest/files';
import { UploadQueueDb } from '../uploads/queue-db.ts';
import { offlineEngine, until } from './test-offline.ts';
import { toasts } from './toasts.svelte.ts';
import { Uploads } from './uploads.svelte.ts';

/*
 * The upload queue over real IndexedDB databases (fake-indexeddb). The user is
 * not signed in, so queued files wait: what the queue holds can be looked at,
 * and a second queue over the same database is the app after a reload.
 */

const file = (name: string, body = 'bytes', type = 'text/plain') =>
  new File([body], name, { type });

describe('Uploads', () => {
  const cleanup: (() => void)[] = [];
  afterEach(() => {
    for (const done of cleanup.splice(0)) done();
    for (const toast of toasts.items) toasts.dismiss(toast.id);
  });

  function queue(factory = new IDBFactory(), name = `uploads-${newId()}`, userId = newId()) {
    const { replica, engine } = offlineEngine(userId);
    const uploads = new Uploads(
      {
        userId,
        replica,
        getToken: () => Promise.resolve(null),
        send: (args) => engine.mutate('message.send', args),
        onOnline: () => () => undefined,
      },
      new UploadQueueDb(name, { indexedDB: factory, IDBKeyRange }),
    );
    cleanup.push(() => {
      uploads.dispose();
      replica.close();
    });
    return { uploads, replica, factory, name, userId };
  }

  it('stages files up to the limit, says so past it, and unstages one', () => {
    const { uploads } = queue();
    uploads.add(Array.from({ length: MAX_ATTACHMENTS + 2 }, (_, i) => file(`f${i}.txt`)));
    expect(uploads.staged).toHaveLength(MAX_ATTACHMENTS);
    expect(toasts.items.map((t) => t.message)).toEqual([
      `A message holds at most ${MAX_ATTACHMENTS} files.`,
    ]);
    const [first, second] = uploads.staged;
    if (!first || !second) throw new Error('staged files missing');
    uploads.unstage(first.key);
    expect(uploads.staged[0]?.key).toBe(second.key);
    expect(uploads.staged).toHaveLength(MAX_ATTACHMENTS - 1);
  });

  it('an image gets a preview; other files do not', () => {
    const { uploads } = queue();
    uploads.add([file('cat.png', 'png', 'image/png'), file('notes.txt')]);
    expect(uploads.staged.map((s) => s.previewUrl !== null)).toEqual([true, false]);
  });

  it('a queued message survives a reload and can be cancelled', async () => {
    const first = queue();
    const channelId = newId();
    first.uploads.add([file('a.txt', 'aaa'), file('', 'pasted', 'image/png')]);
    await first.uploads.send(channelId, 'two files');
    expect(first.uploads.staged).toEqual([]);
    expect(first.uploads.queued.map((q) => [q.channelId, q.content])).toEqual([
      [channelId, 'two files'],
    ]);
    // An unnamed paste gets a name.
    expect(first.uploads.queued[0]?.files.map((f) => [f.name, f.size])).toEqual([
      ['a.txt', 3],
      ['pasted-image.png', 6],
    ]);
    first.uploads.dispose();

    const again = queue(first.factory, first.name, first.userId);
    const [queued] = await until(
      () => again.uploads.queued.length > 0 && again.uploads.queued,
      'the queue after a reload',
    );
    expect(queued?.content).toBe('two files');
    await again.uploads.cancel(queued?.messageId ?? '');
    expect(again.uploads.queued).toEqual([]);
    // Nothing reached the outbox: the files were never stored.
    expect(await again.replica.outbox.count()).toBe(0);
  });

  it('a queue shows only its own user’s messages', async () => {
    const alice = queue();
    alice.uploads.add([file('mine.txt')]);
    await alice.uploads.send(newId(), 'from alice');
    alice.uploads.dispose();
    const bob = queue(alice.factory, alice.name);
    bob.uploads.add([file('his.txt')]);
    await bob.uploads.send(newId(), 'from bob');
    expect(bob.uploads.queued.map((q) => q.content)).toEqual(['from bob']);
  });

  it('sending with nothing staged queues nothing', async () => {
    const { uploads } = queue();
    await uploads.send(newId(), 'no files');
    expect(uploads.queued).toEqual([]);
  });
});
