import { describe, expect, it } from 'vitest';
import {
  channelScope,
  emptyMessageExtras,
  newId,
  userScope,
  type Change,
  type Channel,
} from '@echora/shared';
import { applyChanges, applyReset, applyRevoke } from './apply.ts';
import { enqueue, nextToSend } from './outbox.ts';
import { memoryReplica } from './test-replica.ts';

const me = newId();
const ctx = { userId: me };
const at = '2026-01-01T00:00:00.000Z';

const group = (id: string): Channel => ({
  id,
  kind: 'dm',
  name: 'plans',
  topic: '',
  position: 0,
  createdAt: at,
  parentId: null,
  parentMessageId: null,
  overrides: [],
  dm: { participants: [me, newId(), newId()], ownerId: null, isGroup: true },
});
const sentMessage = (channelId: string, seq: number): Change => ({
  version: seq,
  op: 'upsert',
  entity: 'message',
  data: {
    id: newId(),
    channelId,
    authorId: me,
    content: `m${seq}`,
    seq,
    createdAt: at,
    editedAt: null,
    ...emptyMessageExtras(),
  },
});

/** A replica holding group conversation `id` with one sent message, and what it queued there. */
async function withQueued(id: string) {
  const r = memoryReplica();
  await applyChanges(
    r,
    {
      type: 'changes',
      scope: userScope(me),
      from: 0,
      to: 1,
      changes: [{ version: 1, op: 'upsert', entity: 'channel', data: group(id) }],
    },
    ctx,
  );
  const held = sentMessage(id, 1);
  await applyReset(
    r,
    { type: 'reset', scope: channelScope(id), version: 1, changes: [held], hasMore: false },
    ctx,
  );
  const heldId = held.op === 'upsert' ? held.data.id : '';
  // One already on the wire (no answer yet), the rest still queued.
  const first = newId();
  await enqueue(r, 'message.send', { id: first, channelId: id, content: 'on the wire' }, ctx);
  await nextToSend(r, { afterId: 0, limit: 1, floor: 1 });
  const second = newId();
  await enqueue(r, 'message.send', { id: second, channelId: id, content: 'queued' }, ctx);
  await enqueue(r, 'reaction.toggle', { messageId: heldId, emoji: '🍊', on: true }, ctx);
  await enqueue(r, 'dm.rename', { id, name: 'renamed here' }, ctx);
  await enqueue(r, 'read.mark', { channelId: id, seq: 1 }, ctx);
  // Elsewhere: must stay.
  const elsewhere = newId();
  await enqueue(
    r,
    'message.send',
    { id: elsewhere, channelId: newId(), content: 'other channel' },
    ctx,
  );
  return { r, first, second, elsewhere, heldId };
}

/**
 * A purged channel's queued work can never apply: the outbox entries aimed at
 * it go with their local effects (shadows, optimistic rows), and their ids are
 * handed back so whoever waits for them hears "not sent".
 */
describe('outbox entries of a purged channel', () => {
  it('settle when the channel is revoked (a conversation left or removed from)', async () => {
    const id = newId();
    const { r, first, second, elsewhere } = await withQueued(id);
    expect(await r.outbox.count()).toBe(6);
    expect((await r.channels.get(id))?.name).toBe('renamed here');

    const dropped: number[] = [];
    await applyRevoke(r, channelScope(id), ctx, dropped);
    expect(dropped).toHaveLength(5);
    const left = await r.outbox.toArray();
    expect(left.map((e) => (e.args as { id: string }).id)).toEqual([elsewhere]);
    expect(await r.channels.get(id)).toBeUndefined();
    expect(await r.messages.where('channelId').equals(id).count()).toBe(0);
    for (const m of [first, second]) expect(await r.messages.get(m)).toBeUndefined();
    // Only the surviving entry's shadow is left (its optimistic message).
    expect((await r.shadows.toArray()).map((s) => s.key)).toEqual([`message:${elsewhere}`]);
    expect(await r.readStates.get(id)).toBeUndefined();
  });

  it('settle when the channel is deleted (a tombstone in the feed)', async () => {
    const id = newId();
    const { r, elsewhere } = await withQueued(id);
    const dropped: number[] = [];
    await applyChanges(
      r,
      {
        type: 'changes',
        scope: userScope(me),
        from: 1,
        to: 2,
        changes: [{ version: 2, op: 'delete', entity: 'channel', id }],
      },
      ctx,
      dropped,
    );
    expect(dropped).toHaveLength(5);
    expect((await r.outbox.toArray()).map((e) => (e.args as { id: string }).id)).toEqual([
      elsewhere,
    ]);
    expect(await r.channels.get(id)).toBeUndefined();
    expect(await r.shadows.count()).toBe(1);
  });

  it('settle when a user reset no longer holds the conversation', async () => {
    const id = newId();
    const { r, elsewhere } = await withQueued(id);
    const dropped: number[] = [];
    await applyReset(
      r,
      { type: 'reset', scope: userScope(me), version: 5, changes: [], hasMore: false },
      ctx,
      dropped,
    );
    expect(dropped).toHaveLength(5);
    expect((await r.outbox.toArray()).map((e) => (e.args as { id: string }).id)).toEqual([
      elsewhere,
    ]);
    expect(await r.channels.get(id)).toBeUndefined();
    expect(await r.shadows.count()).toBe(1);
  });
});
