import type { Channel, UserSettingValues } from '@echora/shared';

/** What the rule needs of a message. */
export interface NotifiableMessage {
  id: string;
  authorId: string;
  content: string;
}

/** A channel's unread summary, as `Unread` keeps it. */
export interface ChannelUnread<M extends NotifiableMessage> {
  muted: boolean;
  latestMention: M | undefined;
  latestUnread: M | undefined;
}

export interface RuleInput<M extends NotifiableMessage> {
  /** The synced `notify` setting: every message, mentions of me, or none. */
  notify: UserSettingValues['notify'];
  /** Direct conversations: each of their messages counts as a mention. */
  dmIds: ReadonlySet<string>;
  unread: Iterable<readonly [string, ChannelUnread<M>]>;
  /** Messages already weighed (notified, or present when the app opened). */
  seen: ReadonlySet<string>;
  /**
   * The app is on screen: nothing notifies, the channel in view included
   * (the list and its badges show it).
   */
  visible: boolean;
}

export interface RuleOutcome<M extends NotifiableMessage> {
  /** Messages weighed now, to remember as seen whether or not they notify. */
  weighed: M[];
  /** Those to notify, with their channel. */
  notify: { channelId: string; message: M }[];
}

/**
 * Which new messages notify, for the web page and the phone app alike: the
 * newest mention of me (or, with `notify: 'all'`, the newest message) per
 * channel, every direct message, never a muted channel, and only while the
 * app is not on screen.
 */
export function decideNotifications<M extends NotifiableMessage>(
  input: RuleInput<M>,
): RuleOutcome<M> {
  const fresh = [...input.unread].flatMap(([channelId, s]) => {
    const message =
      input.notify === 'all' || input.dmIds.has(channelId) ? s.latestUnread : s.latestMention;
    return message && !input.seen.has(message.id) ? [{ channelId, muted: s.muted, message }] : [];
  });
  const quiet = input.visible || input.notify === 'none';
  return {
    weighed: fresh.map((f) => f.message),
    notify: quiet
      ? []
      : fresh.filter((f) => !f.muted).map(({ channelId, message }) => ({ channelId, message })),
  };
}

/** The title: who, and where (`#channel`; a group conversation's name; nothing for a one-to-one). */
export function noticeTitle(
  author: string,
  channel: Pick<Channel, 'kind' | 'name'> | undefined,
): string {
  if (channel?.kind === 'dm') return channel.name ? `${author} in ${channel.name}` : author;
  return `${author} in #${channel?.name ?? ''}`;
}
