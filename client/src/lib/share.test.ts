import { describe, expect, it } from 'vitest';
import { sharedText, shareIdFrom } from './share.ts';

describe('share to Echora', () => {
  it('reads only a well-formed share id from the address', () => {
    const id = '0f8fad5b-d9cb-469f-a165-70867728950e';
    expect(shareIdFrom(`?share=${id}`)).toBe(id);
    expect(shareIdFrom(`?share=${id.toUpperCase()}&x=1`)).toBe(id);
    expect(shareIdFrom('?share=../../api/files')).toBeNull();
    expect(shareIdFrom('?channel=1')).toBeNull();
  });

  it('makes the text from the shared text and link, the title only when alone', () => {
    expect(sharedText({ title: 'A page', text: 'Look at this', url: 'https://e.example/a' })).toBe(
      'Look at this\nhttps://e.example/a',
    );
    expect(sharedText({ text: 'see https://e.example/a', url: 'https://e.example/a' })).toBe(
      'see https://e.example/a',
    );
    expect(sharedText({ title: 'Only a title' })).toBe('Only a title');
    expect(sharedText({ title: 42, text: { evil: true }, url: null })).toBe('');
    expect(sharedText({ text: 'x'.repeat(10_000) })).toHaveLength(4000);
  });
});
