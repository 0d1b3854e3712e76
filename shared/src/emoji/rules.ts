/** Custom emoji rules, shared so the client can say no before uploading. */
export const EmojiRules = {
  namePattern: /^[a-z0-9_]{2,32}$/,
  /** Largest custom emoji image, in bytes. */
  maxBytes: 256 * 1024,
  /** Image types a custom emoji may have (sniffed from the bytes, never the name). */
  types: ['image/png', 'image/gif', 'image/webp'],
  /** Distinct emoji on one message. */
  maxReactionsPerMessage: 20,
} as const;

/** Why `name` is not a valid custom emoji name, or undefined when it is. */
export function emojiNameProblem(name: string): string | undefined {
  if (!EmojiRules.namePattern.test(name)) {
    return 'name: 2-32 characters, lowercase letters, digits and "_"';
  }
  return undefined;
}

const CUSTOM = /^:([a-z0-9_]{2,32}):$/;

/** The custom emoji name in a `:name:` reaction, or undefined for anything else. */
export function customEmojiName(emoji: string): string | undefined {
  return CUSTOM.exec(emoji)?.[1];
}

// One or more pictographs, flags, keycaps, with their modifiers and joiners.
const UNICODE_EMOJI =
  /^(?:\p{Regional_Indicator}{2}|[#*0-9]\uFE0F?\u20E3|\p{Extended_Pictographic}(?:\uFE0F|\p{Emoji_Modifier}|[\u{E0020}-\u{E007F}])*)(?:\u200D\p{Extended_Pictographic}(?:\uFE0F|\p{Emoji_Modifier})*)*$/u;

/**
 * True for what a reaction may be: one unicode emoji (a pictograph with its
 * modifiers and joiners, a flag or a keycap), or `:name:` for a custom emoji.
 */
export function isReactionEmoji(emoji: string): boolean {
  if (emoji.length > 64) return false;
  return CUSTOM.test(emoji) || UNICODE_EMOJI.test(emoji);
}
