import twemojiUrl from 'twemoji-colr-font/twemoji.woff2?url';

/**
 * Code points drawn with the bundled emoji font: emoji and the joiners,
 * selectors and tags that build emoji sequences. Digits, `#`, `*`, ©, ® and
 * ™ (which the font also covers, for keycaps and the like) stay with the text
 * font, so numbers in a message never change look. The font is fetched the
 * first time one of these is on screen: text without emoji costs nothing.
 */
export const EMOJI_UNICODE_RANGE = [
  'U+200D',
  'U+20E3',
  'U+231A-231B',
  'U+23E9-23FA',
  'U+25FD-25FE',
  'U+2600-27BF',
  'U+2B1B-2B1C',
  'U+2B50',
  'U+2B55',
  'U+FE0F',
  'U+1F000-1FAFF',
  'U+E0020-E007F',
].join(', ');

/** The family name `app.css` puts first in `--font`. */
export const EMOJI_FAMILY = 'Echora Emoji';

/**
 * Registers Twemoji (a COLR vector font, about 470 KB, precached by the
 * service worker) as the emoji font, so reactions, the picker and messages
 * look the same on every device, including those without an emoji font.
 * Through the FontFace API rather than a stylesheet rule so the URL is the
 * bundler's hashed one; it loads lazily, like an `@font-face` rule.
 */
export function registerEmojiFont(): void {
  if (typeof FontFace === 'undefined' || typeof document === 'undefined') return;
  const face = new FontFace(EMOJI_FAMILY, `url(${twemojiUrl}) format('woff2')`, {
    unicodeRange: EMOJI_UNICODE_RANGE,
    display: 'swap',
  });
  document.fonts.add(face);
}
