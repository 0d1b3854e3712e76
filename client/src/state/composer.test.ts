import { afterEach, describe, expect, it } from 'vitest';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { newId, userMentionToken, type MessageSendArgs } from '@echora/shared';
import { kvGet } from '../lib/kv.ts';
import { UploadQueueDb } from '../uploads/queue-db.ts';
import { Composer } from './composer.svelte.ts';
import { offlineEngine, queued, sentMessage, until } from './test-offline.ts';
import { toasts } from './toasts.svelte.ts';
import { Uploads } from './uploads.svelte.ts';

/*
 * The composer follows the open channel at once. Switching saves the old
 * channel's draft in IndexedDB, which waits behind the sync engine's own
 * transactions (a `dm.open` and its answers, just when a conversation opens):
 * what the user types and sends meanwhile belongs to the channel on screen.
 */

/** A composer over a real replica and an engine that never connects (mutations queue). */
function offlineComposer() {
  const { replica, engine } = offlineEngine();
  return { replica, engine, composer: new Composer(replica, engine) };
}

describe('Composer switching channels', () => {
  it('a message sent while the old draft is still being saved goes to the channel now open', async () => {
    const { replica, engine, composer } = offlineComposer();
    const general = newId();
    const dm = newId();
    await composer.open(general);
    const switching = composer.open(dm);
    composer.setText('sent at once');
    composer.submit();
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
    composer.setText('half a thought');
    const switching = composer.open(dm);
    composer.setText('typed at once');
    await switching;
    expect(composer.text).toBe('typed at once');
    await composer.open(general);
    expect(composer.text).toBe('half a thought');
    await composer.open(dm);
    expect(composer.text).toBe('typed at once');
    replica.close();
  });
});

/** The arguments of the sends in the outbox, in order. */
async function sends(replica: ReturnType<typeof offlineEngine>['replica']) {
  const entries = await replica.outbox.toArray();
  return entries.filter((e) => e.name === 'message.send').map((e) => e.args as MessageSendArgs);
}

describe('Composer sending', () => {
  const cleanup: (() => void)[] = [];
  afterEach(() => {
    for (const done of cleanup.splice(0)) done();
    for (const toast of toasts.items) toasts.dismiss(toast.id);
  });

  it('sends the trimmed text as a pending message and forgets the draft', async () => {
    const { replica, engine, composer } = offlineComposer();
    cleanup.push(() => replica.close());
    const channelId = newId();
    await composer.open(channelId);
    composer.setText('  hello there \n');
    composer.input();
    composer.submit();
    expect(composer.text).toBe('');
    await queued(engine, 1);
    const [row] = await replica.messages.toArray();
    expect(row).toMatchObject({ channelId, content: 'hello there', status: 'pending' });
    expect(await kvGet(replica, `draft:${channelId}`)).toBeUndefined();
  });

  it('sends nothing for blank text', async () => {
    const { replica, composer } = offlineComposer();
    cleanup.push(() => replica.close());
    await composer.open(newId());
    composer.setText('   ');
    composer.submit();
    expect(await replica.outbox.count()).toBe(0);
    expect(composer.text).toBe('   ');
  });

  it('sends the reply target along, once, and only to the channel it belongs to', async () => {
    const { replica, engine, composer } = offlineComposer();
    cleanup.push(() => replica.close());
    const channelId = newId();
    const original = sentMessage(channelId, newId(), 'the question');
    await composer.open(channelId);
    composer.reply.start(original);
    expect(composer.reply.target?.id).toBe(original.id);
    composer.setText('the answer');
    composer.submit();
    expect(composer.reply.target).toBeNull();
    composer.setText('an afterthought');
    composer.submit();
    await queued(engine, 2);
    expect((await sends(replica)).map((a) => [a.content, a.replyToId])).toEqual([
      ['the answer', original.id],
      ['an afterthought', undefined],
    ]);
    const answer = (await replica.messages.toArray()).find((m) => m.content === 'the answer');
    expect(answer?.replyToId).toBe(original.id);

    // A reply started in another channel does not follow the user here.
    composer.reply.start(sentMessage(newId(), newId(), 'elsewhere'));
    composer.setText('not a reply');
    composer.submit();
    await queued(engine, 3);
    expect((await sends(replica))[2]).not.toHaveProperty('replyToId');
  });

  it('turns picked mentions into tokens, longest name first, and forgets them once sent', async () => {
    const { replica, engine, composer } = offlineComposer();
    cleanup.push(() => replica.close());
    const bob = newId();
    const bobby = newId();
    await composer.open(newId());
    composer.mentions.pick('@Bob', userMentionToken(bob));
    composer.mentions.pick('@Bob Smith', userMentionToken(bobby));
    composer.mentions.pick('@here', '@here');
    composer.setText('@Bob and @Bob Smith, not me@Bob or @Bobcat, @here');
    composer.submit();
    composer.setText('@Bob again');
    composer.submit();
    await queued(engine, 2);
    expect((await sends(replica)).map((a) => a.content)).toEqual([
      `${userMentionToken(bob)} and ${userMentionToken(bobby)}, not me@Bob or @Bobcat, @here`,
      '@Bob again',
    ]);
  });

  it('with files staged, queues one message with them, its caption, mentions and reply', async () => {
    const { replica, engine } = offlineEngine();
    const db = new UploadQueueDb(`uploads-${newId()}`, {
      indexedDB: new IDBFactory(),
      IDBKeyRange,
    });
    const uploads = new Uploads(
      {
        userId: newId(),
        replica,
        // Not signed in: the upload waits, so the queued message stays to be looked at.
        getToken: () => Promise.resolve(null),
        send: (args) => engine.mutate('message.send', args),
        onOnline: () => () => undefined,
      },
      db,
    );
    cleanup.push(() => {
      uploads.dispose();
      replica.close();
    });
    const composer = new Composer(replica, engine, uploads);
    const channelId = newId();
    const bob = newId();
    const original = sentMessage(channelId, bob, 'send me the plan');
    await composer.open(channelId);
    uploads.add([new File(['# plan'], 'plan.md', { type: 'text/markdown' })]);
    composer.reply.start(original);
    composer.mentions.pick('@Bob', userMentionToken(bob));
    composer.setText(' here it is @Bob ');
    composer.submit();
    expect(composer.text).toBe('');
    expect(uploads.staged).toEqual([]);
    const [message] = await until(() => uploads.queued.length > 0 && uploads.queued, 'the queue');
    expect(message).toMatchObject({
      channelId,
      content: `here it is ${userMentionToken(bob)}`,
      replyToId: original.id,
    });
    expect(message?.files.map((f) => [f.name, f.type, f.size])).toEqual([
      ['plan.md', 'text/markdown', 6],
    ]);
    // Nothing goes to the outbox before its files are stored.
    expect(await replica.outbox.count()).toBe(0);
    expect(await kvGet(replica, `draft:${channelId}`)).toBeUndefined();

    // Without files the next message is text again.
    composer.setText('thanks');
    composer.submit();
    await queued(engine, 1);
    expect((await sends(replica)).map((a) => a.content)).toEqual(['thanks']);
  });

  it('a send refused before it is queued says "Not sent" and gives the text back', async () => {
    const { replica, composer } = offlineComposer();
    cleanup.push(() => replica.close());
    await composer.open(newId());
    // A control character: the message schema refuses it on the device already.
    composer.setText('ding\u0007');
    composer.submit();
    expect(composer.text).toBe('');
    const toast = await until(
      () => toasts.items.find((t) => t.message.startsWith('Not sent')),
      'a "Not sent" notice',
    );
    expect(toast.tone).toBe('error');
    expect(composer.text).toBe('ding\u0007');
    expect(await replica.messages.count()).toBe(0);
  });
});
