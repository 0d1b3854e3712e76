import { describe, expect, it } from 'vitest';
import { newId } from '../ids.ts';
import { mutationArgs } from './mutations/index.ts';
import { communityPatchSchema } from './rest/community.ts';
import { banBodySchema } from './rest/moderation.ts';
import { profilePatchSchema } from './rest/profile.ts';
import { hasControlCharacters } from './text.ts';
import { validator } from './validate.ts';

const controls = [
  '\u0000',
  '\u0001',
  '\u0007',
  '\u000b',
  '\u000c',
  '\u001b',
  '\u007f',
  '\u0085',
  '\u009b',
];
const lineBreaks = ['\n', '\t', '\r\n'];
const fine = ['hello', 'émoji 🏳️‍🌈', 'עברית', '\u202Eright-to-left', '\uD800 lone surrogate'];

describe('text fields', () => {
  it.each([
    ...controls.map((c) => [JSON.stringify(c), `a${c}b`, true, true] as const),
    ...lineBreaks.map((c) => [JSON.stringify(c), `a${c}b`, true, false] as const),
    ...fine.map((text) => [JSON.stringify(text), text, false, false] as const),
  ])('%s: the one-line and multi-line verdicts', (_name, text, oneLine, multi) => {
    expect(hasControlCharacters(text)).toBe(oneLine);
    expect(hasControlCharacters(text, { multiline: true })).toBe(multi);
  });

  const id = newId();
  const schemas = [
    [
      'message.send content',
      mutationArgs['message.send'],
      (t: string) => ({ id, channelId: id, content: t }),
      true,
    ],
    [
      'message.edit content',
      mutationArgs['message.edit'],
      (t: string) => ({ id, content: t }),
      true,
    ],
    [
      'channel.create name',
      mutationArgs['channel.create'],
      (t: string) => ({ id, kind: 'text', name: t }),
      false,
    ],
    [
      'channel.rename topic',
      mutationArgs['channel.rename'],
      (t: string) => ({ id, name: 'n', topic: t }),
      true,
    ],
    [
      'thread.create name',
      mutationArgs['thread.create'],
      (t: string) => ({ id, channelId: id, messageId: id, name: t }),
      false,
    ],
    ['role.create name', mutationArgs['role.create'], (t: string) => ({ id, name: t }), false],
    ['community name', communityPatchSchema, (t: string) => ({ name: t }), false],
    ['profile display name', profilePatchSchema, (t: string) => ({ displayName: t }), false],
    ['profile bio', profilePatchSchema, (t: string) => ({ bio: t }), true],
    ['profile status', profilePatchSchema, (t: string) => ({ statusText: t }), false],
    ['ban reason', banBodySchema, (t: string) => ({ userId: id, reason: t }), true],
  ] as const;

  it.each(schemas)(
    '%s refuses NUL and other controls with a typed error',
    (_n, schema, make, multi) => {
      const check = validator(schema);
      for (const c of controls) {
        const r = check(make(`a${c}b`));
        expect(r).toMatchObject({ ok: false, error: { kind: 'invalid' } });
        if (!r.ok) expect(r.error.message).toMatch(/: must not contain control characters$/);
      }
      expect(check(make('a\nb')).ok).toBe(multi);
      expect(check(make('a b')).ok).toBe(true);
    },
  );
});
