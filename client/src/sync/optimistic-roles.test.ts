import { describe, expect, it } from 'vitest';
import { COMMUNITY_SCOPE, newId, type Channel, type Member, type Role } from '@echora/shared';
import { applyMutation, touches, type EntityRow } from './optimistic.ts';
import type { OutboxEntry } from './replica.ts';

const ctx = { userId: newId() };
const at = '2026-01-01T00:00:00.000Z';
type Step = Pick<OutboxEntry, 'id' | 'name' | 'args' | 'createdAt'>;
const step = (name: Step['name'], args: unknown): Step => ({ id: 1, name, args, createdAt: at });

/** Applies one step to the row of the entity it touches with id `id`. */
function apply(entry: Step, id: string, row: EntityRow | null): EntityRow | null {
  const ref = touches(entry).find((r) => r.id === id);
  if (!ref) throw new Error(`${entry.name} does not touch ${id}`);
  expect(ref.scope).toBe(COMMUNITY_SCOPE);
  return applyMutation(entry, ref, row, ctx);
}

const role = (over: Partial<Role> = {}): Role => ({
  id: newId(),
  name: 'Mods',
  color: 0,
  position: 2,
  permissions: 0,
  isEveryone: false,
  ...over,
});

describe('optimistic effects of role mutations', () => {
  it('role.create shows the new role lowest; a row the server sent wins', () => {
    const id = newId();
    const created = apply(
      step('role.create', { id, name: 'New', color: 7, permissions: 3 }),
      id,
      null,
    );
    expect(created).toEqual({
      id,
      name: 'New',
      color: 7,
      position: 1,
      permissions: 3,
      isEveryone: false,
    });
    const server = role({ id });
    expect(apply(step('role.create', { id, name: 'New' }), id, server)).toBe(server);
  });

  it('role.update changes only the fields given; role.delete removes', () => {
    const r = role();
    expect(apply(step('role.update', { id: r.id, color: 9 }), r.id, r)).toEqual({ ...r, color: 9 });
    expect(apply(step('role.update', { id: r.id, name: 'X', permissions: 1 }), r.id, r)).toEqual({
      ...r,
      name: 'X',
      permissions: 1,
    });
    expect(apply(step('role.delete', { id: r.id }), r.id, r)).toBeNull();
  });

  it('role.reorder: the first listed is the most senior', () => {
    const [a, b, c] = [role(), role(), role()];
    const reorder = step('role.reorder', { ids: [c.id, a.id, b.id] });
    expect(touches(reorder).map((r) => r.id)).toEqual([c.id, a.id, b.id]);
    expect((apply(reorder, c.id, c) as Role).position).toBe(3);
    expect((apply(reorder, a.id, a) as Role).position).toBe(2);
    expect((apply(reorder, b.id, b) as Role).position).toBe(1);
  });

  it('member.roles sets the member row’s roles', () => {
    const member = { id: newId(), roleIds: ['x'] } as unknown as Member;
    const roleIds = [newId()];
    expect(apply(step('member.roles', { userId: member.id, roleIds }), member.id, member)).toEqual({
      ...member,
      roleIds,
    });
  });

  it('channel.overrides replaces one override; zero allow and deny removes it', () => {
    const target = newId();
    const other = { targetType: 'role' as const, targetId: newId(), allow: 1, deny: 0 };
    const channel = {
      id: newId(),
      overrides: [other, { targetType: 'role', targetId: target, allow: 0, deny: 1 }],
    } as unknown as Channel;
    const set = step('channel.overrides', {
      channelId: channel.id,
      targetType: 'role',
      targetId: target,
      allow: 4,
      deny: 2,
    });
    expect((apply(set, channel.id, channel) as Channel).overrides).toEqual([
      other,
      { targetType: 'role', targetId: target, allow: 4, deny: 2 },
    ]);
    const clear = step('channel.overrides', {
      channelId: channel.id,
      targetType: 'role',
      targetId: target,
      allow: 0,
      deny: 0,
    });
    expect((apply(clear, channel.id, channel) as Channel).overrides).toEqual([other]);
  });
});
