import { describe, expect, it } from 'vitest';
import { emptyMessageExtras, channelScope, newId, type Change } from '@echora/shared';
import {
  applyChanges,
  applyChangesBatch,
  applyHistory,
  applyReset,
  applyRevoke,
  cursorOf,
  hasMoreKey,
} from './apply.ts';
import { enqueue, nextToSend, settleReject } from './outbox.ts';
import type { Replica } from './replica.ts';
import { memoryReplica } from './test-replica.ts';

const ctx = { userId: newId() };
/** Puts every queued entry on the (imaginary) wire: hands out their seqs. */
const wire = (r: Replica, floor = 1) => nextToSend(r, { afterId: 0, limit: 1000, floor });
const channelId = newId();
const scope = channelScope(channelId);
const at = '2026-01-01T00:00:00.000Z';
const upsert = (seq: number, id = newId()): Change => ({
  version: seq,
  op: 'upsert',
  entity: 'message',
  data: {
    id,
    channelId,
    authorId: ctx.userId,
    content: `m${seq}`,
    seq,
    createdAt: at,
    editedAt: null,
    ...emptyMessageExtras(),
  },
});
const frame = (from: number, to: number, changes: Change[]) => ({
  type: 'changes' as const,
  scope,
  from,
  to,
  changes,
});

describe('applying the feed', () => {
  it('applies changes only when they continue the cursor', async () => {
    const r = memoryReplica();
    expect(await applyChanges(r, frame(0, 2, [upsert(1), upsert(2)]), ctx)).toBe('applied');
    expect(await applyChanges(r, frame(3, 4, [upsert(4)]), ctx)).toBe('gap');
    expect(await applyChanges(r, frame(1, 2, [upsert(2)]), ctx)).toBe('stale');
    // An overlapping frame applies only what is new.
    expect(await applyChanges(r, frame(1, 3, [upsert(2, newId()), upsert(3)]), ctx)).toBe(
      'applied',
    );
    expect(await cursorOf(r, scope)).toBe(3);
    expect(await r.messages.count()).toBe(3);
  });

  it('applies a run of frames in order and stops at a gap, keeping what came before', async () => {
    const r = memoryReplica();
    const run = [frame(0, 1, [upsert(1)]), frame(1, 2, [upsert(2)]), frame(0, 1, [upsert(1)])];
    expect(await applyChangesBatch(r, run, ctx)).toEqual({ outcome: 'applied', applied: 3 });
    expect(await cursorOf(r, scope)).toBe(2);
    const gapped = [frame(2, 3, [upsert(3)]), frame(5, 6, [upsert(6)]), frame(3, 4, [upsert(4)])];
    expect(await applyChangesBatch(r, gapped, ctx)).toEqual({ outcome: 'gap', applied: 1 });
    expect(await cursorOf(r, scope)).toBe(3);
    expect((await r.messages.toArray()).map((m) => m.seq).sort()).toEqual([1, 2, 3]);
  });

  it('forgets a message on a tombstone', async () => {
    const r = memoryReplica();
    const id = newId();
    await applyChanges(r, frame(0, 1, [upsert(1, id)]), ctx);
    await applyChanges(r, frame(1, 2, [{ version: 2, op: 'delete', entity: 'message', id }]), ctx);
    expect(await r.messages.count()).toBe(0);
  });

  it('resets a channel to its window, keeping pending and failed local messages', async () => {
    const r = memoryReplica();
    const old = newId();
    await applyChanges(r, frame(0, 1, [upsert(1, old)]), ctx);
    const failed = { id: newId(), channelId, content: 'refused' };
    const pending = { id: newId(), channelId, content: 'queued' };
    await enqueue(r, 'message.send', failed, ctx);
    await wire(r);
    await settleReject(
      r,
      { type: 'reject', seq: 1, error: { kind: 'invalid', message: 'no' } },
      ctx,
    );
    await enqueue(r, 'message.send', pending, ctx);
    await applyReset(
      r,
      { type: 'reset', scope, version: 50, changes: [upsert(49), upsert(50)], hasMore: true },
      ctx,
    );
    const rows = await r.messages
      .where('[channelId+sortKey]')
      .between([channelId, 0], [channelId, Infinity])
      .toArray();
    expect(rows.map((m) => m.status)).toEqual(['sent', 'sent', 'failed', 'pending']);
    expect(rows.some((m) => m.id === old)).toBe(false);
    expect(await cursorOf(r, scope)).toBe(50);
    expect((await r.kv.get(hasMoreKey(channelId)))?.value).toBe(true);
  });

  it('purges a revoked channel and pages history in without overwriting feed rows', async () => {
    const r = memoryReplica();
    const kept = newId();
    await applyChanges(r, frame(0, 1, [{ ...upsert(1, kept) }]), ctx);
    const older = upsert(1, kept);
    if (older.op !== 'upsert' || older.entity !== 'message') throw new Error('unreachable');
    await applyHistory(r, {
      type: 'history',
      requestId: 'r1',
      channelId,
      messages: [
        { ...older.data, content: 'stale copy' },
        { ...older.data, id: newId(), seq: 0 },
      ],
      hasMore: false,
    });
    expect((await r.messages.get(kept))?.content).toBe('m1');
    expect(await r.messages.count()).toBe(2);
    await applyRevoke(r, scope, ctx);
    expect(await r.messages.count()).toBe(0);
    expect(await cursorOf(r, scope)).toBe(0);
  });
});
