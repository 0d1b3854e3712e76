import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_TERM_LENGTH, terms, tokenize } from './tokenize.ts';

describe('tokenize', () => {
  it.each([
    ['Hello, World!', ['hello', 'world']],
    ['Café crème brûlée', ['cafe', 'creme', 'brulee']],
    ['e\u0301cole', ['ecole']],
    ['ﬁle ＡＢＣ x²', ['file', 'abc', 'x2']],
    ['e-mail foo_bar', ['e', 'mail', 'foo', 'bar']],
    ['Straße ÆON', ['straße', 'æon']],
    ['東京都', ['東京', '京都']],
    ['東 京', ['東', '京']],
    ['abc東京def', ['abc', '東京', 'def']],
    ['カタカナ ｶﾀｶﾅ', ['カタ', 'タカ', 'カナ', 'カタ', 'タカ', 'カナ']],
    ['한국어', ['한국', '국어']],
    ['I ❤️ 🍕!', ['i', '❤', '🍕']],
    ['❤ ❤️', ['❤', '❤']],
    ['👍🏽👍', ['👍🏽', '👍']],
    ['👨‍👩‍👧 family', ['👨‍👩‍👧', 'family']],
    ['🇫🇷🇩🇪', ['🇫🇷', '🇩🇪']],
    ['   ,.;  ', []],
  ])('%s', (text, expected) => {
    expect(terms(text)).toEqual(expected);
  });

  it('gives the offsets of the original text', () => {
    const text = 'Zoë → 東京都 ❤️';
    expect(tokenize(text).map((t) => text.slice(t.start, t.end))).toEqual([
      'Zoë',
      '東京',
      '京都',
      '❤️',
    ]);
  });

  it('cuts long words the same way every time', () => {
    const word = 'a'.repeat(200);
    expect(terms(word)).toEqual(['a'.repeat(MAX_TERM_LENGTH)]);
  });

  it('property: terms are non-empty, lowercase and mark-free; offsets ordered and in bounds', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 80 }), (text) => {
        let last = 0;
        for (const t of tokenize(text)) {
          expect(t.term.length).toBeGreaterThan(0);
          expect(t.term).toBe(t.term.toLowerCase());
          expect(/\p{M}/u.test(t.term.replace(/[\u20E3]/g, ''))).toBe(false);
          expect(t.start).toBeGreaterThanOrEqual(0);
          expect(t.end).toBeLessThanOrEqual(text.length);
          expect(t.start).toBeLessThan(t.end);
          // Bigrams overlap by one character, so starts only never go back.
          expect(t.start).toBeGreaterThanOrEqual(last);
          last = t.start;
        }
      }),
    );
  });

  it('property: the text of a token tokenizes to that token', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 80 }), (text) => {
        for (const t of tokenize(text)) {
          expect(terms(text.slice(t.start, t.end))).toEqual([t.term]);
        }
      }),
    );
  });

  it('property: a space never joins tokens (terms of a + " " + b are those of a, then b)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), fc.string({ unit: 'grapheme' }), (a, b) => {
        expect(terms(`${a} ${b}`)).toEqual([...terms(a), ...terms(b)]);
      }),
    );
  });

  it('property: case and accents of Latin text do not matter', () => {
    const letters = [...'abcdeéèêëiïoôuüùcçnñ -'];
    const latin = fc.string({ unit: fc.constantFrom(...letters), maxLength: 40 });
    fc.assert(
      fc.property(latin, (text) => {
        const plain = text.normalize('NFD').replace(/\p{M}/gu, '');
        expect(terms(text.toUpperCase())).toEqual(terms(plain));
        expect(terms(text.normalize('NFD'))).toEqual(terms(text));
      }),
    );
  });
});
