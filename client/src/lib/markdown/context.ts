import type { Emoji, Mentions } from '@echora/shared';

/** What the renderer needs to know about the community to draw mentions and custom emoji. */
export interface RenderContext {
  /** A member's display name, undefined when unknown. */
  userName(id: string): string | undefined;
  /** A role's name, undefined when unknown. */
  roleName(id: string): string | undefined;
  /** A custom emoji's image URL by `:name:`, undefined when there is none. */
  emojiUrl(name: string): string | undefined;
  /** The signed-in user and their roles, so mentions of them stand out. */
  selfId: string;
  selfRoleIds: readonly string[];
  /** The message's mentions as the server stored them (`@everyone` counts only if allowed). */
  mentions: Mentions;
}

export const emptyContext = (): RenderContext => ({
  userName: () => undefined,
  roleName: () => undefined,
  emojiUrl: () => undefined,
  selfId: '',
  selfRoleIds: [],
  mentions: { users: [], roles: [], everyone: false },
});

/** Custom emoji by their `:name:`. */
export const emojisByName = (emojis: readonly Emoji[]): ReadonlyMap<string, Emoji> =>
  new Map(emojis.map((e) => [e.name, e]));
