import { describe, expect, it } from 'vitest';
import { formatRemaining } from './remaining.ts';

describe('formatRemaining', () => {
  it.each([
    [0, '0:00'],
    [-5_000, '0:00'],
    [1, '0:01'],
    [999, '0:01'],
    [1_000, '0:01'],
    [59_001, '1:00'],
    [299_000, '4:59'],
    [300_000, '5:00'],
    [3_600_000, '1:00:00'],
    [3_723_000, '1:02:03'],
    [86_400_000, '1d 0:00:00'],
    [7 * 86_400_000 - 1_000, '6d 23:59:59'],
  ])('%i ms -> %s', (ms, expected) => {
    expect(formatRemaining(ms)).toBe(expected);
  });
});
