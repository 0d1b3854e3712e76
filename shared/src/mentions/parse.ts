import { isUuid } from '../ids.ts';

/**
 * Mention tokens as they travel in message content (Discord's syntax):
 * `<@userId>`, `<@&roleId>`, `@everyone`, `@here`. The composer writes them,
 * the server parses them to fill `message.mentions`, and the renderer draws
 * them as chips, all with the patterns here so the three agree.
 */
export const MENTION_SOURCE = '<@(&?)([0-9a-fA-F-]{36})>|(?<![\\w@])@(everyone|here)(?![\\w-])';

/** A fresh global regex over the mention tokens (groups: `&`, id, everyone/here). */
export const mentionPattern = (): RegExp => new RegExp(MENTION_SOURCE, 'g');

/** The token the composer inserts for a member. */
export const userMentionToken = (userId: string): string => `<@${userId}>`;
/** The token the composer inserts for a role. */
export const roleMentionToken = (roleId: string): string => `<@&${roleId}>`;

/** What a message's text asks to mention, before anyone checks whether it may. */
export interface ParsedMentions {
  users: string[];
  roles: string[];
  /** `@everyone` appears outside code. */
  everyone: boolean;
  /** `@here` appears outside code (treated like `@everyone` when allowed). */
  here: boolean;
}

/*
 * Code spans (any run of backticks closed by an equal run) and fenced blocks
 * (an unclosed fence runs to the end, as markdown renders it) show text
 * verbatim, so a token inside them mentions nobody.
 */
const CODE = /(`+)(?:[^`]|[^`][\s\S]*?[^`])\1(?!`)|^ {0,3}```[^\n]*\n[\s\S]*$/gm;

/** Content with its code spans and blocks blanked out. */
export function withoutCode(content: string): string {
  return content.replace(CODE, (code) => ' '.repeat(code.length));
}

/** Every mention token in `content` outside code, each id once, in order of appearance. */
export function parseMentions(content: string): ParsedMentions {
  const users = new Set<string>();
  const roles = new Set<string>();
  let everyone = false;
  let here = false;
  for (const m of withoutCode(content).matchAll(mentionPattern())) {
    const [, amp, rawId, word] = m;
    if (word === 'everyone') everyone = true;
    else if (word === 'here') here = true;
    else if (rawId && isUuid(rawId)) (amp ? roles : users).add(rawId.toLowerCase());
  }
  return { users: [...users], roles: [...roles], everyone, here };
}
