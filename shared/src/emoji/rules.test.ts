import { describe, expect, it } from 'vitest';
import { customEmojiName, emojiNameProblem, isReactionEmoji } from './rules.ts';

describe('isReactionEmoji', () => {
  it.each(['👍', '❤️', '👍🏽', '🇫🇷', '1️⃣', '👩‍💻', '👨‍👩‍👧', '🏳️‍🌈', ':party_parrot:', ':ok:'])(
    'accepts %s',
    (emoji) => expect(isReactionEmoji(emoji)).toBe(true),
  );
  it.each([
    '',
    'a',
    '1',
    ':x:',
    ':Bad:',
    '👍👍',
    '👍 ',
    '<script>',
    ':a b:',
    '::',
    '🇫',
    'x'.repeat(70),
  ])('refuses %j', (emoji) => expect(isReactionEmoji(emoji)).toBe(false));
});

describe('custom emoji names', () => {
  it('reads the name of a custom reaction', () => {
    expect(customEmojiName(':blob_cat:')).toBe('blob_cat');
    expect(customEmojiName('👍')).toBeUndefined();
  });
  it('checks names', () => {
    expect(emojiNameProblem('ok_2')).toBeUndefined();
    expect(emojiNameProblem('A')).toMatch(/name/);
    expect(emojiNameProblem('x')).toMatch(/name/);
    expect(emojiNameProblem('a'.repeat(33))).toMatch(/name/);
    expect(emojiNameProblem('with-dash')).toMatch(/name/);
  });
});
