import { expect, it } from 'vitest';
import { backoffDelay } from './backoff.ts';

it('grows exponentially under a cap, with full jitter', () => {
  const options = { baseMs: 500, capMs: 30_000 };
  const top = () => 0.999999;
  expect(backoffDelay(0, options, top)).toBe(499);
  expect(backoffDelay(3, options, top)).toBe(3999);
  expect(backoffDelay(10, options, top)).toBe(29_999);
  expect(backoffDelay(1000, options, top)).toBe(29_999);
  expect(backoffDelay(5, options, () => 0)).toBe(0);
});
