import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { emptyMessageExtras, channelScope, newId } from '@echora/shared';
import { applyChanges } from './apply.ts';
import {
  discardLocal,
  enqueue,
  pendingCount,
  settleAck,
  settleReject,
  nextToSend,
} from './outbox.ts';
import { PENDING_SORT_BASE } from './replica.ts';
import type { Replica } from './replica.ts';
import { memoryReplica } from './test-replica.ts';

const ctx = { userId: newId() };
/** Puts every queued entry on the (imaginary) wire: hands out their seqs. */
const wire = (r: Replica, floor = 1) => nextToSend(r, { afterId: 0, limit: 1000, floor });
const channelId = newId();
const scope = channelScope(channelId);
const at = '2026-01-01T00:00:00.000Z';
const send = (content: string) => ({ id: newId(), channelId, content });
const message = (id: string, content: string, seq: number) => ({
  id,
  channelId,
  authorId: ctx.userId,
  content,
  seq,
  createdAt: at,
  editedAt: null,
  ...emptyMessageExtras(),
});

describe('outbox', () => {
  it('shows a send as pending at once, and numbers entries in order on first send', async () => {
    const r = memoryReplica();
    const first = send('one');
    await enqueue(r, 'message.send', first, ctx);
    await enqueue(r, 'message.send', send('two'), ctx);
    const row = await r.messages.get(first.id);
    expect(row).toMatchObject({ status: 'pending', content: 'one' });
    expect(row?.sortKey).toBeGreaterThan(PENDING_SORT_BASE);
    expect((await wire(r)).map((e) => e.seq)).toEqual([1, 2]);
    expect(await pendingCount(r)).toBe(2);
  });

  it('continues the sequence in a new replica object on the same database', async () => {
    const factory = new IDBFactory();
    const name = `echora-${newId()}`;
    const before = memoryReplica(factory, name);
    await enqueue(before, 'message.send', send('a'), ctx);
    await wire(before);
    await settleAck(before, { type: 'ack', seq: 1 }, ctx);
    before.close();
    const after = memoryReplica(factory, name);
    await enqueue(after, 'message.send', send('b'), ctx);
    expect((await wire(after)).map((e) => e.seq)).toEqual([2]);
    // The server's nextSeq is a floor: the counter never restarts below it.
    await enqueue(after, 'message.send', send('c'), ctx);
    expect((await wire(after, 10)).map((e) => e.seq)).toEqual([2, 10]);
  });

  it('keeps the optimistic row after an ack until its change arrives', async () => {
    const r = memoryReplica();
    const args = send('hello');
    await enqueue(r, 'message.send', args, ctx);
    await wire(r);
    await settleAck(r, { type: 'ack', seq: 1, scope, version: 1 }, ctx);
    expect(await pendingCount(r)).toBe(0);
    expect(await r.messages.get(args.id)).toMatchObject({ status: 'pending' });
    const changes = [
      {
        version: 1,
        op: 'upsert' as const,
        entity: 'message' as const,
        data: message(args.id, 'hello', 1),
      },
    ];
    await applyChanges(r, { type: 'changes', scope, from: 0, to: 1, changes }, ctx);
    expect(await r.messages.get(args.id)).toMatchObject({ status: 'sent', sortKey: 1 });
    expect(await r.outbox.count()).toBe(0);
    expect(await r.shadows.count()).toBe(0);
  });

  it('rebases a pending edit on server changes and rolls back to them when refused', async () => {
    const r = memoryReplica();
    const id = newId();
    const upsert = (version: number, content: string) => ({
      type: 'changes' as const,
      scope,
      from: version - 1,
      to: version,
      changes: [
        {
          version,
          op: 'upsert' as const,
          entity: 'message' as const,
          data: message(id, content, 1),
        },
      ],
    });
    await applyChanges(r, upsert(1, 'v1'), ctx);
    await enqueue(r, 'message.edit', { id, content: 'mine' }, ctx);
    await applyChanges(r, upsert(2, 'theirs'), ctx);
    expect((await r.messages.get(id))?.content).toBe('mine');
    await wire(r);
    await settleReject(
      r,
      { type: 'reject', seq: 1, error: { kind: 'forbidden', message: 'no' } },
      ctx,
    );
    expect(await r.messages.get(id)).toMatchObject({ content: 'theirs', status: 'sent' });
    expect(await r.shadows.count()).toBe(0);
  });

  it('marks a refused send failed, and discards it or an unsent one locally', async () => {
    const r = memoryReplica();
    const refused = send('x');
    const unsent = send('y');
    await enqueue(r, 'message.send', refused, ctx);
    await wire(r);
    await enqueue(r, 'message.send', unsent, ctx);
    const error = { kind: 'too_large' as const, message: 'long' };
    await settleReject(r, { type: 'reject', seq: 1, error }, ctx);
    expect(await r.messages.get(refused.id)).toMatchObject({ status: 'failed', error });
    expect(await discardLocal(r, refused.id, ctx)).toBe('removed');
    expect(await discardLocal(r, unsent.id, ctx)).toBe('removed');
    expect(await r.messages.count()).toBe(0);
    expect(await r.outbox.count()).toBe(0);
    const onWire = send('z');
    await enqueue(r, 'message.send', onWire, ctx);
    expect((await wire(r)).map((e) => e.seq)).toEqual([2]);
    expect(await discardLocal(r, onWire.id, ctx)).toBe('sent');
  });
});
