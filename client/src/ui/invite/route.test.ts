import { describe, expect, it } from 'vitest';
import { inviteFromPath } from './route.ts';

describe('inviteFromPath', () => {
  it.each([
    ['/invite/abc123', 'abc123'],
    ['/invite/abc123/', 'abc123'],
    ['/invite/a%20b', 'a b'],
    ['/invite/', null],
    ['/invite', null],
    ['/', null],
    ['/invite/abc/extra', null],
    ['/api/invite/abc', null],
    ['/invite/%E0%A4%A', null],
  ])('%s -> %s', (path, code) => {
    expect(inviteFromPath(path)).toBe(code);
  });
});
