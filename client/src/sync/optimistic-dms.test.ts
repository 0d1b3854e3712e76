import { describe, expect, it } from 'vitest';
import { dmId, newId } from '@echora/shared';
import { applyMutation, touches, type EntityRow } from './optimistic.ts';
import type { OutboxEntry } from './replica.ts';

const ctx = { userId: newId() };
const at = '2026-01-01T00:00:00.000Z';

type Step = Omit<OutboxEntry, 'keys'>;

function fold(entries: Step[], start: EntityRow | null): EntityRow | null {
  let row = start;
  for (const entry of entries) {
    for (const ref of touches(entry)) row = applyMutation(entry, ref, row, ctx);
  }
  return row;
}

describe('optimistic effects of direct conversations', () => {
  it('dm.open shows the 1:1 conversation under the id both sides derive', () => {
    const other = newId();
    const id = dmId(ctx.userId, other);
    const open: Step = {
      id: 1,
      name: 'dm.open',
      args: { userId: other },
      createdAt: at,
      local: { channelId: id },
    };
    expect(touches(open)).toEqual([{ entity: 'channel', id, scope: 'community' }]);
    expect(fold([open], null)).toMatchObject({
      id,
      kind: 'dm',
      dm: { participants: [ctx.userId, other], ownerId: null, isGroup: false },
    });
    // Started again (or by the other side first): the row held wins.
    const held = fold([open], null);
    expect(fold([open], held)).toBe(held);
  });

  it('a group is created, renamed, grows, shrinks, and is gone once left', () => {
    const id = newId();
    const [a, b, c] = [newId(), newId(), newId()];
    const steps: Step[] = [
      { id: 1, name: 'dm.create', args: { id, userIds: [a, b], name: 'trio' }, createdAt: at },
      { id: 2, name: 'dm.rename', args: { id, name: ' plans ' }, createdAt: at },
      { id: 3, name: 'dm.add', args: { id, userIds: [c, a] }, createdAt: at },
      { id: 4, name: 'dm.remove', args: { id, userId: b }, createdAt: at },
    ];
    expect(fold(steps, null)).toMatchObject({
      name: 'plans',
      dm: { participants: [ctx.userId, a, c], ownerId: ctx.userId, isGroup: true },
    });
    const leave: Step = { id: 5, name: 'dm.leave', args: { id }, createdAt: at };
    expect(fold([...steps, leave], null)).toBeNull();
  });

  it('user.block adds and removes the block row', () => {
    const userId = newId();
    const block: Step = {
      id: 1,
      name: 'user.block',
      args: { userId, blocked: true },
      createdAt: at,
    };
    const unblock: Step = { ...block, id: 2, args: { userId, blocked: false } };
    expect(fold([block], null)).toEqual({ id: userId, createdAt: at });
    expect(fold([block, unblock], null)).toBeNull();
  });
});
