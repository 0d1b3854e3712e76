import { describe, expect, it } from 'vitest';
import {
  channelScope,
  COMMUNITY_SCOPE,
  dmId,
  emptyMessageExtras,
  newId,
  userScope,
  type Channel,
  type Change,
} from '@echora/shared';
import { applyChanges, applyReset, cursorOf } from './apply.ts';
import { enqueue } from './outbox.ts';
import { memoryReplica } from './test-replica.ts';

const me = newId();
const ctx = { userId: me };
const at = '2026-01-01T00:00:00.000Z';

const channel = (id: string, dm?: Channel['dm']): Channel => ({
  id,
  kind: dm ? 'dm' : 'text',
  name: dm ? '' : 'general',
  topic: '',
  position: 0,
  createdAt: at,
  parentId: null,
  parentMessageId: null,
  overrides: [],
  ...(dm ? { dm } : {}),
});
const upsertChannel = (version: number, data: Channel): Change => ({
  version,
  op: 'upsert',
  entity: 'channel',
  data,
});
const message = (channelId: string, seq: number): Change => ({
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
const reset = (scope: string, version: number, changes: Change[]) => ({
  type: 'reset' as const,
  scope,
  version,
  changes,
  hasMore: false,
});

/**
 * Direct conversations come in the user's own scope, every other channel in
 * the community's: a reset of one scope leaves the other's channels alone.
 */
describe('direct conversations in the user scope', () => {
  const general = channel(newId());
  const dm = channel(newId(), { participants: [me, newId()], ownerId: null, isGroup: false });

  it("a community reset keeps the user's conversations and their messages", async () => {
    const r = memoryReplica();
    await applyReset(r, reset(userScope(me), 3, [upsertChannel(3, dm)]), ctx);
    await applyReset(r, reset(channelScope(dm.id), 1, [message(dm.id, 1)]), ctx);
    await applyReset(r, reset(COMMUNITY_SCOPE, 9, [upsertChannel(9, general)]), ctx);
    expect((await r.channels.toArray()).map((c) => c.id).sort()).toEqual(
      [general.id, dm.id].sort(),
    );
    expect(await r.messages.where('channelId').equals(dm.id).count()).toBe(1);
    expect(await cursorOf(r, channelScope(dm.id))).toBe(1);
  });

  it('a user reset forgets conversations it no longer holds, keeping channels and ones started here', async () => {
    const r = memoryReplica();
    await applyReset(r, reset(COMMUNITY_SCOPE, 9, [upsertChannel(9, general)]), ctx);
    await applyChanges(
      r,
      { type: 'changes', scope: userScope(me), from: 0, to: 1, changes: [upsertChannel(1, dm)] },
      ctx,
    );
    await applyReset(r, reset(channelScope(dm.id), 1, [message(dm.id, 1)]), ctx);
    // Started on this device, not answered yet, with a message waiting to go.
    const other = newId();
    const started = dmId(me, other);
    await enqueue(r, 'dm.open', { userId: other }, ctx);
    const waiting = newId();
    await enqueue(r, 'message.send', { id: waiting, channelId: started, content: 'hi' }, ctx);

    await applyReset(r, reset(userScope(me), 4, []), ctx);
    expect((await r.channels.toArray()).map((c) => c.id).sort()).toEqual(
      [general.id, started].sort(),
    );
    expect(await r.messages.where('channelId').equals(dm.id).count()).toBe(0);
    expect(await cursorOf(r, channelScope(dm.id))).toBe(0);
    expect((await r.messages.get(waiting))?.status).toBe('pending');
  });
});
