import { has, parseMentions, Permission, resolveMentions, type Mentions } from '@echora/shared';
import type { Access } from '../permissions/access.ts';

/**
 * The mentions a message stores, resolved with the same shared parser the
 * client renders with: members and roles that exist, and `@everyone`/`@here`
 * only when the author holds mention everyone in the channel (`channelPerms`).
 */
export function messageMentions(access: Access, content: string, channelPerms: number): Mentions {
  const { everyoneRoleId, roles } = access.data.community;
  return resolveMentions(parseMentions(content), {
    mayMentionEveryone: has(channelPerms, Permission.mentionEveryone),
    isUser: (id) => access.member(id) !== undefined,
    // `<@&everyone-role-id>` is not a way around the permission.
    isRole: (id) => id !== everyoneRoleId && roles.has(id),
  });
}
