import { describe, expect, it } from 'vitest';
import { plainText } from './plain-text.ts';

const bob = '0190e7a0-0000-7000-8000-000000000002';
const role = '0190e7a0-0000-7000-8000-0000000000aa';
const names = (id: string) => (id === bob ? 'bob' : 'someone');

describe('plainText (a notification body)', () => {
  it('shows mentions by name and drops markdown marks', () => {
    expect(plainText(`<@${bob}> **wake** _up_ ~~now~~ \`code\``, names)).toBe(
      '@bob wake up now code',
    );
    expect(plainText(`hi <@&${role}> and <@${bob.toUpperCase()}>`, names)).toBe(
      'hi @role and @bob',
    );
  });

  it('keeps spoilers hidden and folds whitespace', () => {
    expect(plainText('the end: ||he lives||\n\n> quoted', names)).toBe('the end: (spoiler) quoted');
  });

  it('cuts long text to 180 characters with an ellipsis', () => {
    const body = plainText('x'.repeat(500), names);
    expect(body).toHaveLength(180);
    expect(body.endsWith('…')).toBe(true);
  });
});
