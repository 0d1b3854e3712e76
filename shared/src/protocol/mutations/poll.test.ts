import { describe, expect, it } from 'vitest';
import { validator } from '../validate.ts';
import { Limits } from '../limits.ts';
import { pollCloseArgs, pollCreateArgs, pollVoteArgs } from './poll.ts';

const id = '01a23d84-dabe-710e-985e-874d3dcbada4';
const create = validator(pollCreateArgs);
const vote = validator(pollVoteArgs);
const close = validator(pollCloseArgs);
const poll = {
  id,
  channelId: id,
  question: 'Q?',
  options: ['a', 'b'],
  multiple: false,
  anonymous: false,
};

describe('poll schemas', () => {
  it('takes a poll of 2-10 options with an optional duration', () => {
    expect(create(poll).ok).toBe(true);
    expect(create({ ...poll, durationMinutes: 60 }).ok).toBe(true);
    const ten = Array.from({ length: Limits.pollOptionsMax }, (_, i) => `o${i}`);
    expect(create({ ...poll, options: ten }).ok).toBe(true);
  });

  it.each([
    ['one option', { ...poll, options: ['a'] }],
    ['eleven options', { ...poll, options: Array.from({ length: 11 }, (_, i) => `o${i}`) }],
    ['an empty question', { ...poll, question: '' }],
    ['a long question', { ...poll, question: 'q'.repeat(Limits.pollQuestionLength + 1) }],
    ['a long option', { ...poll, options: ['a', 'b'.repeat(Limits.pollOptionLength + 1)] }],
    ['a control character', { ...poll, options: ['a', 'b\u0000'] }],
    ['a zero duration', { ...poll, durationMinutes: 0 }],
    ['too long a duration', { ...poll, durationMinutes: Limits.pollMaxMinutes + 1 }],
    ['an unknown field', { ...poll, extra: 1 }],
  ])('refuses %s', (_, args) => {
    expect(create(args).ok).toBe(false);
  });

  it('takes a set of option ids (empty retracts) and refuses repeats and out-of-range ids', () => {
    expect(vote({ pollId: id, optionIds: [] }).ok).toBe(true);
    expect(vote({ pollId: id, optionIds: [0, 9] }).ok).toBe(true);
    expect(vote({ pollId: id, optionIds: [1, 1] }).ok).toBe(false);
    expect(vote({ pollId: id, optionIds: [10] }).ok).toBe(false);
    expect(vote({ pollId: id, optionIds: [-1] }).ok).toBe(false);
    expect(vote({ pollId: id, optionIds: [0.5] }).ok).toBe(false);
    expect(close({ pollId: id }).ok).toBe(true);
    expect(close({ pollId: 'nope' }).ok).toBe(false);
  });
});
