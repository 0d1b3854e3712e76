import { describe, expect, it } from 'vitest';
import { terms } from '@echora/shared';
import { Postings } from './postings.ts';

describe('Postings', () => {
  it('answers the documents holding every word, in indexing order', () => {
    const p = new Postings();
    const a = p.add(terms('red fish blue fish'));
    const b = p.add(terms('one fish two fish'));
    const c = p.add(terms('red car'));
    expect(p.match(['fish'])).toEqual([a, b]);
    expect(p.match(['red'])).toEqual([a, c]);
    expect(p.match(['red', 'fish'])).toEqual([a]);
    expect(p.match(['fish', 'car'])).toEqual([]);
    expect(p.match(['nothing'])).toEqual([]);
  });

  it('matches a lone CJK character as the start of any bigram, or alone', () => {
    const p = new Postings();
    const tokyo = p.add(terms('東京都に行く'));
    const east = p.add(terms('東'));
    const kyoto = p.add(terms('京都'));
    const seoul = p.add(terms('서울에서 만나요'));
    expect(p.match(['東'])).toEqual([tokyo, east]);
    expect(p.match(['京'])).toEqual([tokyo, kyoto]);
    expect(p.match(['서'])).toEqual([seoul]);
    expect(p.match(terms('京都'))).toEqual([tokyo, kyoto]);
  });

  it('forgets removed documents, also after compacting', () => {
    const p = new Postings();
    const keep = p.add(terms('keep the quokka'));
    const nums = Array.from({ length: 2_500 }, (_, i) => p.add(terms(`quokka number ${i}`)));
    for (const n of nums) p.remove(n);
    expect(p.match(['quokka'])).toEqual([keep]);
    expect(p.match(['number'])).toEqual([]);
    const again = p.add(terms('quokka again'));
    expect(p.match(['quokka'])).toEqual([keep, again]);
    p.remove(keep);
    p.remove(keep);
    expect(p.match(['quokka'])).toEqual([again]);
  });
});
