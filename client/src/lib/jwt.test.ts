import { describe, expect, it } from 'vitest';
import { tokenExpiresAt, tokenRefreshAt } from './jwt.ts';

const token = (claims: object) =>
  `e30.${btoa(JSON.stringify(claims)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')}.sig`;

describe('access token timing', () => {
  it('refreshes a 15-minute token a minute before it expires', () => {
    const t = token({ iat: 1_000, exp: 1_900 });
    expect(tokenExpiresAt(t)).toBe(1_900_000);
    expect(tokenRefreshAt(t)).toBe(1_840_000);
  });

  it('refreshes a token of seconds halfway through its life', () => {
    expect(tokenRefreshAt(token({ iat: 1_000, exp: 1_004 }))).toBe(1_002_000);
  });

  it('falls back to a minute early without iat, and reads nothing from garbage', () => {
    expect(tokenRefreshAt(token({ exp: 2_000 }))).toBe(1_940_000);
    expect(tokenRefreshAt('not a jwt')).toBeUndefined();
    expect(tokenExpiresAt('a.%%%.c')).toBeUndefined();
  });
});
