import { afterEach, describe, expect, it } from 'vitest';
import { newId, type ReactionToggleArgs } from '@echora/shared';
import { Reactions } from './reactions.svelte.ts';
import { offlineEngine, queued, sentMessage } from './test-offline.ts';

describe('Reactions', () => {
  const cleanup: (() => void)[] = [];
  afterEach(() => {
    for (const done of cleanup.splice(0)) done();
  });

  it('a toggle shows my reaction at once; a second one takes it back', async () => {
    const selfId = newId();
    const { replica, engine } = offlineEngine(selfId);
    cleanup.push(() => replica.close());
    const reactions = new Reactions(engine, () => selfId);
    const message = sentMessage(newId(), newId(), 'good news');
    await replica.messages.put(message);

    expect(reactions.mine(message, '🎉')).toBe(false);
    reactions.toggle(message, '🎉');
    await queued(engine, 1);
    const reacted = await replica.messages.get(message.id);
    expect(reacted?.reactions).toEqual([{ emoji: '🎉', userIds: [selfId] }]);
    if (!reacted) return;
    expect(reactions.mine(reacted, '🎉')).toBe(true);

    reactions.toggle(reacted, '🎉');
    await queued(engine, 2);
    expect((await replica.messages.get(message.id))?.reactions).toEqual([]);
    const sent = await replica.outbox.toArray();
    expect(sent.map((e) => (e.args as ReactionToggleArgs).on)).toEqual([true, false]);
  });

  it('the picker opens for one message and closes', () => {
    const { replica, engine } = offlineEngine();
    cleanup.push(() => replica.close());
    const reactions = new Reactions(engine, () => newId());
    const message = sentMessage(newId(), newId(), 'pick for me');
    reactions.pick(message);
    expect(reactions.pickingFor?.id).toBe(message.id);
    reactions.closePicker();
    expect(reactions.pickingFor).toBeNull();
  });
});
