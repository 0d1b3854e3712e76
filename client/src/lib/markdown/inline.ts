import { Marked, type TokenizerAndRendererExtension, type Tokens } from 'marked';
import { emptyContext, type RenderContext } from './context.ts';
import { escapeHtml } from './escape.ts';
import { customEmoji, mention, underline } from './extensions.ts';
import { safeUrl } from './urls.ts';

/*
 * One-line previews of a message (pins list, reply quotes): inline markdown
 * only — bold, italic, underline, strike, `code`, links, mentions, custom
 * emoji, spoilers (kept hidden). Line breaks become spaces and block syntax
 * (quotes, lists, headings, fences) stays as text, so the preview is one line.
 * Output goes through `sanitizeInline` (no block elements pass).
 */

export interface InlineOptions {
  /**
   * Links as `<a>`; false draws them as link-styled text (a preview inside a
   * button must hold no second interactive element).
   */
  links: boolean;
}

let current: RenderContext = emptyContext();
let options: InlineOptions = { links: true };
const context = () => current;

const LINK_ATTRS = 'target="_blank" rel="noopener noreferrer nofollow"';

/** `||hidden||` in a preview: hidden, not revealable (the full message is a jump away). */
const previewSpoiler: TokenizerAndRendererExtension = {
  name: 'spoiler',
  level: 'inline',
  start: (src) => src.indexOf('||'),
  tokenizer(src) {
    const m = /^\|\|(?=[^|])([\s\S]*?[^|\s]|[^|\s])\|\|/.exec(src);
    if (!m?.[1]) return undefined;
    return { type: 'spoiler', raw: m[0], tokens: this.lexer.inlineTokens(m[1]) };
  },
  renderer() {
    return '<span class="spoiler" title="Spoiler">spoiler</span>';
  },
};

function linkHtml(href: string | undefined, inner: string): string {
  if (!href) return inner;
  if (!options.links) return `<span class="link">${inner}</span>`;
  const shown = escapeHtml(href);
  return `<a href="${shown}" title="${shown}" ${LINK_ATTRS}>${inner}</a>`;
}

const marked = new Marked({
  async: false,
  gfm: true,
  breaks: false,
  extensions: [previewSpoiler, underline, mention(context), customEmoji(context)],
  tokenizer: {
    html: () => undefined,
    tag: () => undefined,
  },
  renderer: {
    html: ({ text }) => escapeHtml(text),
    br: () => ' ',
    link(token: Tokens.Link) {
      return linkHtml(safeUrl(token.href), this.parser.parseInline(token.tokens));
    },
    image(token: Tokens.Image) {
      return linkHtml(safeUrl(token.href), escapeHtml(token.text || token.href));
    },
  },
});

/** Every run of whitespace holding a line break, as one space: a preview is one line. */
export const oneLine = (content: string): string => content.replace(/\s*[\r\n]+\s*/g, ' ').trim();

/**
 * A message's content as one line of inline HTML (to be sanitized with
 * `sanitizeInline` before use). Never throws: what marked cannot handle shows
 * as escaped text.
 */
export function renderInlineMarkdown(
  content: string,
  ctx: RenderContext = emptyContext(),
  opts: InlineOptions = { links: true },
): string {
  current = ctx;
  options = opts;
  const text = oneLine(content);
  try {
    return marked.parseInline(text, { async: false });
  } catch {
    return escapeHtml(text);
  } finally {
    current = emptyContext();
    options = { links: true };
  }
}
