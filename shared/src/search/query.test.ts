import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  emptyQuery,
  isEmptyQuery,
  MAX_QUERY_LENGTH,
  parseQuery,
  type SearchQuery,
} from './query.ts';

function parsed(input: string): SearchQuery {
  const result = parseQuery(input);
  if (!result.ok) throw new Error(result.error);
  return result.query;
}

describe('parseQuery', () => {
  it.each<[string, Partial<SearchQuery>]>([
    ['deploy Staging', { phrases: [['deploy'], ['staging']] }],
    ['"staging server" now', { phrases: [['staging', 'server'], ['now']] }],
    ['"unclosed phrase', { phrases: [['unclosed', 'phrase']] }],
    ['東京都', { phrases: [['東京', '京都']] }],
    ['e-mail', { phrases: [['e', 'mail']] }],
    ['from:Alice from:@bob', { from: ['alice', 'bob'] }],
    ['in:#general in:"release notes"', { in: ['general', 'release notes'] }],
    ['mentions:@carol', { mentions: ['carol'] }],
    ['has:file has:IMAGE has:link has:file', { has: ['file', 'image', 'link'] }],
    ['pinned:true', { pinned: true }],
    ['pinned:no', { pinned: false }],
    ['after:2026-01-31', { after: '2026-01-31T00:00:00.000Z' }],
    ['before:2024-02-29', { before: '2024-02-29T00:00:00.000Z' }],
    ['url:http x', { phrases: [['url', 'http'], ['x']] }],
    ['FROM:dave ❤️', { from: ['dave'], phrases: [['❤']] }],
  ])('%s', (input, expected) => {
    expect(parsed(input)).toEqual({ ...emptyQuery(), ...expected });
  });

  it.each([
    ['has:video', 'has:'],
    ['pinned:maybe', 'pinned:'],
    ['before:2026-02-30', 'before:'],
    ['after:yesterday', 'after:'],
    ['from:@', 'from:'],
    ['in:#', 'in:'],
    ['a\u0000b', 'control'],
    ['tab\there', 'control'],
    ['x'.repeat(MAX_QUERY_LENGTH + 1), 'at most'],
    [Array.from({ length: 33 }, (_, i) => `w${i}`).join(' '), 'at most'],
  ])('refuses %j', (input, message) => {
    const result = parseQuery(input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toContain(message);
  });

  it('knows an empty query', () => {
    expect(isEmptyQuery(parsed('  ,,, '))).toBe(true);
    expect(isEmptyQuery(parsed('has:link'))).toBe(false);
    expect(isEmptyQuery(parsed('x'))).toBe(false);
  });

  it('property: never throws, and every phrase is non-empty', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 300 }), (input) => {
        const result = parseQuery(input);
        if (result.ok) for (const p of result.query.phrases) expect(p.length).toBeGreaterThan(0);
      }),
    );
  });
});
