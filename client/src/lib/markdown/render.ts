import { Marked, type Tokens } from 'marked';
import { emptyContext, type RenderContext } from './context.ts';
import { escapeHtml } from './escape.ts';
import { customEmoji, mention, spoiler, underline } from './extensions.ts';
import { safeUrl } from './urls.ts';

/*
 * Message markdown, Discord flavour: bold, italic, __underline__, ~~strike~~,
 * ||spoilers||, `code`, fenced blocks, > quotes, lists, # headings (three
 * levels), links and bare URLs. Raw HTML is never parsed (it shows as typed);
 * images become links (no remote loads from a message); tables, indented
 * code, setext headings, rules and link definitions are plain text, as in
 * Discord. The output still goes through DOMPurify (`sanitize.ts`).
 */

// The extensions read the context of the message being rendered; parse is synchronous.
let current: RenderContext = emptyContext();
const context = () => current;

const LINK_ATTRS = 'target="_blank" rel="noopener noreferrer nofollow"';
const LANG = /^[\w+#-]{1,24}$/;

const marked = new Marked({
  async: false,
  gfm: true,
  breaks: true,
  extensions: [spoiler, underline, mention(context), customEmoji(context)],
  tokenizer: {
    // Returning undefined (not false) turns a built-in rule off.
    html: () => undefined,
    tag: () => undefined,
    def: () => undefined,
    table: () => undefined,
    lheading: () => undefined,
    hr: () => undefined,
    code: () => undefined,
    heading(src) {
      if (!/^#{1,3} /.test(src)) return undefined;
      return false;
    },
  },
  renderer: {
    html: ({ text }) => escapeHtml(text),
    checkbox: ({ checked }) => (checked ? '[x] ' : '[ ] '),
    code({ text, lang }) {
      const language = (lang ?? '').trim().split(/\s/)[0] ?? '';
      const cls = LANG.test(language) ? ` class="lang-${escapeHtml(language.toLowerCase())}"` : '';
      return `<pre><code${cls}>${escapeHtml(text)}</code></pre>`;
    },
    link(token: Tokens.Link) {
      const inner = this.parser.parseInline(token.tokens);
      const href = safeUrl(token.href);
      if (!href) return inner;
      const shown = escapeHtml(href);
      return `<a href="${shown}" title="${shown}" ${LINK_ATTRS}>${inner}</a>`;
    },
    image(token: Tokens.Image) {
      const href = safeUrl(token.href);
      const label = escapeHtml(token.text || token.href);
      if (!href) return label;
      const shown = escapeHtml(href);
      return `<a href="${shown}" title="${shown}" ${LINK_ATTRS}>${label}</a>`;
    },
  },
});

/**
 * Renders a message's content to HTML (to be sanitized before use). Never
 * throws: content marked cannot handle shows as escaped text.
 */
export function renderMarkdown(content: string, ctx: RenderContext = emptyContext()): string {
  current = ctx;
  try {
    return marked.parse(content, { async: false });
  } catch {
    return `<p>${escapeHtml(content)}</p>`;
  } finally {
    current = emptyContext();
  }
}
