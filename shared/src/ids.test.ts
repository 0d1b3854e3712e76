import { describe, expect, it } from 'vitest';
import { dmId, isUuid, newId } from './ids.ts';

describe('dmId', () => {
  it('is the same whoever starts the conversation', () => {
    const a = newId();
    const b = newId();
    expect(dmId(a, b)).toBe(dmId(b, a));
    expect(dmId(a.toUpperCase(), b)).toBe(dmId(a, b));
  });

  it('is a version 8 UUID, never a UUIDv7, and differs per pair', () => {
    const a = newId();
    const ids = new Set<string>();
    for (let i = 0; i < 500; i++) ids.add(dmId(a, newId()));
    expect(ids.size).toBe(500);
    for (const id of ids) {
      expect(isUuid(id)).toBe(true);
      expect(id[14]).toBe('8');
      expect('89ab').toContain(id[19]);
    }
  });

  it('is stable across versions (the same pair always names the same row)', () => {
    expect(
      dmId('01900000-0000-7000-8000-000000000001', '01900000-0000-7000-8000-000000000002'),
    ).toMatchInlineSnapshot(`"ff7cf0cf-796c-8105-b40b-129807f59c44"`);
  });
});
