import { describe, expect, it } from 'vitest';
import { sharedRead } from './shared-reads.ts';

describe('sharedRead', () => {
  it('reads once for every caller of the same scope and version, again for a new version', async () => {
    const db = {};
    let reads = 0;
    const read = () => Promise.resolve({ n: ++reads });
    const [a, b] = await Promise.all([
      sharedRead(db, 'channel:x', 4, read),
      sharedRead(db, 'channel:x', 4, read),
    ]);
    expect(a).toBe(b);
    // Finished, and still served to a caller of the same version.
    expect(await sharedRead(db, 'channel:x', 4, read)).toBe(a);
    expect(await sharedRead(db, 'channel:x', 5, read)).toEqual({ n: 2 });
    expect(await sharedRead(db, 'channel:y', 5, read)).toEqual({ n: 3 });
    // Another database never shares.
    expect(await sharedRead({}, 'channel:x', 5, read)).toEqual({ n: 4 });
  });

  it('forgets a failed read at once', async () => {
    const db = {};
    await expect(
      sharedRead(db, 'community', 1, () => Promise.reject(new Error('down'))),
    ).rejects.toThrow('down');
    expect(await sharedRead(db, 'community', 1, () => Promise.resolve('rows'))).toBe('rows');
  });
});
