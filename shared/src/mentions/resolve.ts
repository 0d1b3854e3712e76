import type { Mentions } from '../protocol/entities.ts';
import type { ParsedMentions } from './parse.ts';

/** What the author may mention, as the server (final word) or the composer sees it. */
export interface MentionRules {
  /** The author holds `mentionEveryone` in the channel. */
  mayMentionEveryone: boolean;
  /** Only these users count (members); others are dropped. */
  isUser: (id: string) => boolean;
  /** Only these roles count (not `@everyone`'s own role); others are dropped. */
  isRole: (id: string) => boolean;
}

/**
 * The mentions a message stores: known members and roles, and `@everyone`/`@here`
 * only when the author may use them (otherwise the text stays, with no effect).
 */
export function resolveMentions(parsed: ParsedMentions, rules: MentionRules): Mentions {
  return {
    users: parsed.users.filter((id) => rules.isUser(id)),
    roles: parsed.roles.filter((id) => rules.isRole(id)),
    everyone: (parsed.everyone || parsed.here) && rules.mayMentionEveryone,
  };
}

/** True when a message with `mentions` calls on this user: by name, by one of their roles, or everyone. */
export function mentionsUser(
  mentions: Mentions | undefined,
  userId: string,
  roleIds: readonly string[] = [],
): boolean {
  if (!mentions) return false;
  return (
    mentions.everyone ||
    mentions.users.includes(userId) ||
    mentions.roles.some((id) => roleIds.includes(id))
  );
}
