import { expect, it } from 'vitest';
import { setReaction } from './reactions.ts';

it('setReaction sets a state and reports no change when it already holds', () => {
  const one = setReaction([], '👍', 'u1', true) ?? [];
  expect(one).toEqual([{ emoji: '👍', userIds: ['u1'] }]);
  expect(setReaction(one, '👍', 'u1', true)).toBeUndefined();
  expect(setReaction(one, '👍', 'u2', false)).toBeUndefined();
  const two = setReaction(one, '👍', 'u2', true) ?? [];
  expect(two).toEqual([{ emoji: '👍', userIds: ['u1', 'u2'] }]);
  expect(setReaction(setReaction(two, '👍', 'u1', false) ?? [], '👍', 'u2', false)).toEqual([]);
});
