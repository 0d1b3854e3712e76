import { describe, expect, it } from 'vitest';
import { ntpNow } from './direct-sender.ts';

/** NTP seconds . fraction back to Unix milliseconds. */
function toUnixMs(ntp: bigint): number {
  const seconds = Number(ntp >> 32n);
  const fraction = Number(ntp & 0xffff_ffffn) / 0x1_0000_0000;
  return (seconds + fraction) * 1000 - 2_208_988_800_000;
}

describe('ntpNow', () => {
  it('is the wall clock in NTP seconds and 2^-32 fractions', () => {
    const before = performance.timeOrigin + performance.now();
    const ntp = ntpNow();
    const after = performance.timeOrigin + performance.now();
    const ms = toUnixMs(ntp);
    // The fraction is truncated to 2^-32 s, far below a microsecond.
    expect(ms).toBeGreaterThanOrEqual(before - 0.001);
    expect(ms).toBeLessThanOrEqual(after + 0.001);
  });

  it('keeps the fraction within 32 bits and never runs backwards', () => {
    let last = ntpNow();
    for (let i = 0; i < 1000; i++) {
      const next = ntpNow();
      expect(next & 0xffff_ffffn).toBeLessThan(0x1_0000_0000n);
      expect(next >= last).toBe(true);
      last = next;
    }
  });
});
