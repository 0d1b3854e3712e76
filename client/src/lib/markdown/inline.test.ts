import { describe, expect, it } from 'vitest';
import { emptyContext, type RenderContext } from './context.ts';
import { oneLine, renderInlineMarkdown } from './inline.ts';

const ALICE = '0192f5e4-1111-7000-8000-000000000001';

const ctx = (): RenderContext => ({
  ...emptyContext(),
  userName: (id) => (id === ALICE ? 'Alice <3' : undefined),
  emojiUrl: (name) => (name === 'party' ? '/api/emoji/party.png' : undefined),
  selfId: ALICE,
});

const inline = (md: string, links = true) => renderInlineMarkdown(md, ctx(), { links });

describe('renderInlineMarkdown: one line of inline markdown', () => {
  it.each([
    ['**bold** and *it*', '<strong>bold</strong> and <em>it</em>'],
    ['__under__ ~~gone~~', '<u>under</u> <del>gone</del>'],
    ['`a < b`', '<code>a &lt; b</code>'],
    [`hi <@${ALICE}>`, 'hi <span class="mention self">@Alice &lt;3</span>'],
    [
      ':party:',
      '<img class="emoji" src="/api/emoji/party.png" alt=":party:" title=":party:" draggable="false">',
    ],
    ['||secret||', '<span class="spoiler" title="Spoiler">spoiler</span>'],
  ])('%s', (md, expected) => {
    expect(inline(md)).toBe(expected);
  });

  it('draws no block: quotes, headings, lists and fences stay text on one line', () => {
    const out = inline('# Title\n> quoted\n- item\n```js\nlet x = 1;\n```');
    expect(out).not.toMatch(/<(p|h\d|blockquote|ul|ol|li|pre|br)\b/);
    expect(out).not.toContain('\n');
    expect(out).toContain('# Title &gt; quoted - item');
  });

  it('links are anchors, or link-styled text inside a button', () => {
    expect(inline('[site](https://example.com)')).toBe(
      '<a href="https://example.com" title="https://example.com" target="_blank" rel="noopener noreferrer nofollow">site</a>',
    );
    expect(inline('[site](https://example.com)', false)).toBe('<span class="link">site</span>');
    expect(inline('[x](javascript:alert(1))')).toBe('x');
  });

  it('raw HTML shows as typed', () => {
    expect(inline('<img src=x onerror=alert(1)>')).toBe('&lt;img src=x onerror=alert(1)&gt;');
  });

  it('oneLine folds line breaks and the space around them', () => {
    expect(oneLine('  a \n\n  b\r\nc  ')).toBe('a b c');
  });
});
