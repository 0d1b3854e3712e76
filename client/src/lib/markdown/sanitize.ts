import DOMPurify from 'dompurify';

/** Exactly the tags and attributes `render.ts` emits; anything else is removed. */
const ALLOWED_TAGS = [
  'p',
  'br',
  'strong',
  'em',
  'u',
  'del',
  'code',
  'pre',
  'blockquote',
  'ul',
  'ol',
  'li',
  'h1',
  'h2',
  'h3',
  'a',
  'span',
  'img',
];
const ALLOWED_ATTR = [
  'href',
  'title',
  'target',
  'rel',
  'class',
  'src',
  'alt',
  'draggable',
  'start',
  'role',
  'tabindex',
  'aria-expanded',
  'aria-label',
];

/** http(s), mailto, or a path on this origin; no javascript:, data: or //host. */
const ALLOWED_URI_REGEXP = /^(?:https?:|mailto:|\/(?![/\\]))/i;

let hooked = false;

/** Sanitizes rendered markdown in the browser (DOMPurify needs a DOM). */
export function sanitize(html: string): string {
  if (!hooked) {
    hooked = true;
    // Links always open apart from this page, whatever reached the sanitizer.
    DOMPurify.addHook('afterSanitizeAttributes', (node) => {
      if (node.tagName === 'A') {
        node.setAttribute('target', '_blank');
        node.setAttribute('rel', 'noopener noreferrer nofollow');
      }
    });
  }
  return DOMPurify.sanitize(html, {
    ALLOWED_TAGS,
    ALLOWED_ATTR,
    ALLOWED_URI_REGEXP,
    ALLOW_DATA_ATTR: false,
    // Only the renderer's own aria-* reach here (raw HTML is escaped before), and none runs code.
    ALLOW_ARIA_ATTR: true,
  });
}

/** Inline elements only (`inline.ts`): a one-line preview never holds a block. */
const INLINE_TAGS = ['strong', 'em', 'u', 'del', 'code', 'a', 'span', 'img'];

/** Sanitizes a one-line preview (`renderInlineMarkdown`); block elements are dropped, text kept. */
export function sanitizeInline(html: string): string {
  sanitize(''); // installs the link hook once
  return DOMPurify.sanitize(html, {
    ALLOWED_TAGS: INLINE_TAGS,
    ALLOWED_ATTR: ['href', 'title', 'target', 'rel', 'class', 'src', 'alt', 'draggable'],
    ALLOWED_URI_REGEXP,
    ALLOW_DATA_ATTR: false,
    ALLOW_ARIA_ATTR: false,
  });
}

/** Highlighted code from highlight.js: spans with classes only. */
export function sanitizeHighlight(html: string): string {
  return DOMPurify.sanitize(html, { ALLOWED_TAGS: ['span'], ALLOWED_ATTR: ['class'] });
}
