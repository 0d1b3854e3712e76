import { afterEach, describe, expect, it } from 'vitest';
import { Limits, newId } from '@echora/shared';
import { MessageActions } from './message-actions.svelte.ts';
import { offlineEngine, queued, sentMessage, until } from './test-offline.ts';
import { toasts } from './toasts.svelte.ts';

/** Message actions over a real replica holding one message of mine, with an engine that queues. */
async function setup() {
  const selfId = newId();
  const { replica, engine } = offlineEngine(selfId);
  const message = sentMessage(newId(), selfId, 'first version');
  await replica.messages.put(message);
  return { replica, engine, message, actions: new MessageActions(engine) };
}

describe('MessageActions', () => {
  const cleanup: (() => void)[] = [];
  afterEach(() => {
    for (const done of cleanup.splice(0)) done();
    for (const toast of toasts.items) toasts.dismiss(toast.id);
  });

  it('an edit shows at once, marked edited; the editor closes', async () => {
    const { replica, engine, message, actions } = await setup();
    cleanup.push(() => replica.close());
    actions.startEdit(message.id);
    expect(actions.editingId).toBe(message.id);
    actions.saveEdit(message, '  second version ');
    expect(actions.editingId).toBeNull();
    await queued(engine, 1);
    const row = await replica.messages.get(message.id);
    expect(row?.content).toBe('second version');
    expect(row?.editedAt).not.toBeNull();
  });

  it('unchanged text just closes the editor; too long text is refused with a notice', async () => {
    const { replica, message, actions } = await setup();
    cleanup.push(() => replica.close());
    actions.startEdit(message.id);
    actions.saveEdit(message, 'first version ');
    expect(actions.editingId).toBeNull();
    actions.saveEdit(message, 'x'.repeat(Limits.messageLength + 1));
    expect(toasts.items.map((t) => t.message)).toEqual([
      `A message can be at most ${Limits.messageLength} characters.`,
    ]);
    expect(await replica.outbox.count()).toBe(0);
    expect((await replica.messages.get(message.id))?.content).toBe('first version');
  });

  it('emptying a message asks to delete it; confirming deletes it at once', async () => {
    const { replica, engine, message, actions } = await setup();
    cleanup.push(() => replica.close());
    actions.saveEdit(message, '   ');
    expect(actions.confirmingDelete?.id).toBe(message.id);
    actions.cancelDelete();
    expect(actions.confirmingDelete).toBeNull();
    actions.askDelete(message);
    actions.confirmDelete();
    expect(actions.confirmingDelete).toBeNull();
    await queued(engine, 1);
    expect(await replica.messages.get(message.id)).toBeUndefined();
    expect((await replica.outbox.toArray()).map((e) => e.name)).toEqual(['message.delete']);
  });

  it('deleting a message not sent yet discards it: nothing goes to the server', async () => {
    const { replica, engine, actions } = await setup();
    cleanup.push(() => replica.close());
    const id = newId();
    void engine.mutate('message.send', { id, channelId: newId(), content: 'oops' });
    await queued(engine, 1);
    const pending = await replica.messages.get(id);
    expect(pending?.status).toBe('pending');
    if (!pending) return;
    actions.askDelete(pending);
    actions.confirmDelete();
    await until(async () => (await replica.messages.get(id)) === undefined, 'the discard');
    expect(await replica.outbox.count()).toBe(0);
  });
  it('removing the link previews drops the cards at once and queues the mutation', async () => {
    const { replica, engine, message, actions } = await setup();
    cleanup.push(() => replica.close());
    const card = {
      url: 'https://example.test/',
      siteName: 'Example',
      title: 'A page',
      description: '',
      imageUrl: null,
      imageWidth: null,
      imageHeight: null,
    };
    await replica.messages.put({ ...message, previews: [card] });
    actions.removePreview(message);
    await queued(engine, 1);
    expect((await replica.messages.get(message.id))?.previews).toBeUndefined();
    expect((await replica.outbox.toArray()).map((e) => e.name)).toEqual(['message.removePreview']);
  });
});
