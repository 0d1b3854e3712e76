import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { snippet, SNIPPET_LENGTH } from './highlight.ts';
import { terms } from './tokenize.ts';

const hits = (content: string, q: string[]): string[] =>
  snippet(content, q)
    .filter((p) => p.hit)
    .map((p) => p.text);

describe('snippet', () => {
  it('marks the words that matched, as written', () => {
    expect(snippet('Meet at the Café, then café again', ['cafe'])).toEqual([
      { text: 'Meet at the ', hit: false },
      { text: 'Café', hit: true },
      { text: ', then ', hit: false },
      { text: 'café', hit: true },
      { text: ' again', hit: false },
    ]);
  });

  it('marks CJK runs and emoji', () => {
    expect(hits('明日は東京都に行く', ['東京', '京都'])).toEqual(['東京都']);
    expect(hits('party 🎉 tonight 🎉', ['🎉'])).toEqual(['🎉', '🎉']);
    expect(hits('東京', ['東'])).toEqual(['東京']);
  });

  it('cuts long text around the first hit, with ellipses', () => {
    const content = `${'lorem '.repeat(100)}needle${' ipsum'.repeat(100)}`;
    const parts = snippet(content, ['needle']);
    expect(parts[0]?.text.startsWith('…lorem')).toBe(true);
    expect(parts.at(-1)?.text.endsWith('…')).toBe(true);
    expect(parts.find((p) => p.hit)?.text).toBe('needle');
    expect(parts.map((p) => p.text).join('').length).toBeLessThanOrEqual(SNIPPET_LENGTH + 3);
  });

  it('property: the parts are a slice of the content, and every hit matches a query term', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme', maxLength: 400 }),
        fc.string({ unit: 'grapheme', maxLength: 20 }),
        (content, query) => {
          const q = terms(query);
          const parts = snippet(content, q);
          const text = parts.map((p) => p.text).join('');
          expect(content).toContain(text.replace(/^…/, '').replace(/…$/, ''));
          for (const p of parts.filter((x) => x.hit)) {
            expect(terms(p.text).some((t) => q.some((x) => t.startsWith(x)))).toBe(true);
          }
        },
      ),
    );
  });
});
