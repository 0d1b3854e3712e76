import { Permission as P, type Override } from '@echora/shared';
import { describe, expect, it } from 'vitest';
import { bitState, isPrivate, overrideFor, privateOverrides, withBit } from './overrides.ts';

const everyoneId = '00000000-0000-7000-8000-000000000001';
const roleId = '00000000-0000-7000-8000-000000000002';
const empty = (targetId: string): Override => ({ targetType: 'role', targetId, allow: 0, deny: 0 });

describe('channel override editing', () => {
  it('reads allow, deny and inherit per bit', () => {
    const o: Override = { ...empty(roleId), allow: P.sendMessages, deny: P.viewChannel };
    expect(bitState(o, P.sendMessages)).toBe('allow');
    expect(bitState(o, P.viewChannel)).toBe('deny');
    expect(bitState(o, P.speak)).toBe('inherit');
    expect(bitState(undefined, P.speak)).toBe('inherit');
  });

  it.each([
    ['allow', P.speak | P.sendMessages, 0],
    ['deny', P.sendMessages, P.speak],
    ['inherit', P.sendMessages, 0],
  ] as const)('setting a denied bit to %s moves it, keeping the others', (state, allow, deny) => {
    const o: Override = { ...empty(roleId), allow: P.sendMessages, deny: P.speak };
    expect(withBit(o, P.speak, state)).toEqual({ ...o, allow, deny });
  });

  it('never puts a bit in both allow and deny', () => {
    let o = empty(roleId);
    for (const state of ['allow', 'deny', 'allow', 'inherit', 'deny'] as const) {
      o = withBit(o, P.viewChannel, state);
      expect(o.allow & o.deny).toBe(0);
    }
    expect(bitState(o, P.viewChannel)).toBe('deny');
  });

  it('makes a channel private: everyone denied view, the role allowed', () => {
    const [everyone, role] = privateOverrides(
      { ...empty(everyoneId), allow: P.viewChannel | P.speak },
      { ...empty(roleId), deny: P.viewChannel },
    );
    expect(everyone).toEqual({ ...empty(everyoneId), allow: P.speak, deny: P.viewChannel });
    expect(role).toEqual({ ...empty(roleId), allow: P.viewChannel, deny: 0 });
    expect(isPrivate([everyone, role], everyoneId)).toBe(true);
    expect(isPrivate([role], everyoneId)).toBe(false);
  });

  it('finds an override or starts an empty one', () => {
    const o: Override = { ...empty(roleId), allow: P.speak };
    expect(overrideFor([o], 'role', roleId)).toBe(o);
    expect(overrideFor([o], 'member', roleId)).toEqual({
      targetType: 'member',
      targetId: roleId,
      allow: 0,
      deny: 0,
    });
  });
});
