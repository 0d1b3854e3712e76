import { Type, type Static } from 'typebox';

export const Uuid = Type.String({ format: 'uuid', maxLength: 36 });

/** A thread is a channel of its own, started from a message of its parent channel. */
export const channelKindSchema = Type.Union([
  Type.Literal('text'),
  Type.Literal('voice'),
  Type.Literal('thread'),
]);
export type ChannelKind = Static<typeof channelKindSchema>;

/**
 * Kinds a replicated channel may have: the creatable ones and `dm`, a direct
 * conversation made by `dm.open` or `dm.create` (never by `channel.create`).
 */
export const channelEntityKindSchema = Type.Union([
  Type.Literal('text'),
  Type.Literal('voice'),
  Type.Literal('thread'),
  Type.Literal('dm'),
]);

const NullableString = Type.Union([Type.String(), Type.Null()]);
const NullableNumber = Type.Union([Type.Number(), Type.Null()]);
const NullableUuid = Type.Union([Uuid, Type.Null()]);

/** A per-channel permission override for a role or a member (bits from `Permission`). */
export const overrideSchema = Type.Object({
  targetType: Type.Union([Type.Literal('role'), Type.Literal('member')]),
  targetId: Uuid,
  allow: Type.Number(),
  deny: Type.Number(),
});
export type Override = Static<typeof overrideSchema>;

/**
 * Who takes part in a direct conversation. Only its participants ever receive
 * the channel (and so this). `ownerId` is the group's creator (who may remove
 * people), null for a 1:1 conversation.
 */
export const dmInfoSchema = Type.Object({
  participants: Type.Array(Uuid),
  ownerId: Type.Union([Uuid, Type.Null()]),
  isGroup: Type.Boolean(),
});
export type DmInfo = Static<typeof dmInfoSchema>;

/** A channel as replicated to clients (community scope). */
export const channelSchema = Type.Object({
  id: Uuid,
  kind: channelEntityKindSchema,
  name: Type.String(),
  topic: Type.String(),
  position: Type.Number(),
  createdAt: Type.String(),
  /** A thread's parent channel (null for other kinds). */
  parentId: NullableUuid,
  /** The message a thread was started from. */
  parentMessageId: NullableUuid,
  overrides: Type.Array(overrideSchema),
  /** Set for `dm` channels only. */
  dm: Type.Optional(dmInfoSchema),
});
export type Channel = Static<typeof channelSchema>;

/** Who reacted with one emoji (a unicode emoji, or `:name:` for a custom one). */
export const reactionSchema = Type.Object({ emoji: Type.String(), userIds: Type.Array(Uuid) });
export type Reaction = Static<typeof reactionSchema>;

/** The thread started from a message, as its parent message shows it. */
export const threadSummarySchema = Type.Object({
  id: Uuid,
  replyCount: Type.Number(),
  lastReplyAt: NullableString,
});
export type ThreadSummary = Static<typeof threadSummarySchema>;

/** Who a message mentions, as the server parsed it (`shared/src/mentions`). */
export const mentionsSchema = Type.Object({
  users: Type.Array(Uuid),
  roles: Type.Array(Uuid),
  everyone: Type.Boolean(),
});
export type Mentions = Static<typeof mentionsSchema>;

/** A file attached to a message; `url`s are served only to those who may see the channel. */
export const attachmentSchema = Type.Object({
  id: Uuid,
  name: Type.String(),
  size: Type.Number(),
  contentType: Type.String(),
  width: NullableNumber,
  height: NullableNumber,
  durationMs: NullableNumber,
  url: Type.String(),
  thumbUrl: NullableString,
});
export type Attachment = Static<typeof attachmentSchema>;

/** One answer of a poll: `id` is its place in the list (0-9), fixed when the poll is made. */
export const pollOptionSchema = Type.Object({
  id: Type.Integer(),
  text: Type.String(),
  votes: Type.Number(),
  /** Who chose it: named polls only. An anonymous poll never carries a voter's id. */
  voterIds: Type.Optional(Type.Array(Uuid)),
});
export type PollOption = Static<typeof pollOptionSchema>;

/**
 * A poll attached to a message (its `content` is the question too, so search,
 * notifications and previews show it). Counts and, for named polls, voters;
 * the viewer's own choice is their `pollVote` (user scope).
 */
export const pollSchema = Type.Object({
  question: Type.String(),
  options: Type.Array(pollOptionSchema),
  multiple: Type.Boolean(),
  anonymous: Type.Boolean(),
  /** When the server closes it (null: open until closed by hand). */
  endsAt: NullableString,
  closedAt: NullableString,
  /** People who voted (someone choosing several options counts once). */
  voters: Type.Number(),
});
export type Poll = Static<typeof pollSchema>;

/**
 * The user's own choice in a poll (user scope; `id` is the poll's message id).
 * No choice is no row: retracting a vote is its tombstone.
 */
export const pollVoteSchema = Type.Object({
  id: Uuid,
  channelId: Uuid,
  optionIds: Type.Array(Type.Integer()),
});
export type PollVote = Static<typeof pollVoteSchema>;

/**
 * A card the server made for a link of a message (OpenGraph / Twitter meta of
 * the page). Every field is plain text, to be shown as text, never as HTML.
 * `url` is the link as the message has it; `imageUrl` is a file the server
 * fetched and re-encoded (the files route), never the page's own image URL.
 */
export const linkPreviewSchema = Type.Object({
  url: Type.String(),
  siteName: Type.String(),
  title: Type.String(),
  description: Type.String(),
  imageUrl: NullableString,
  imageWidth: NullableNumber,
  imageHeight: NullableNumber,
});
export type LinkPreview = Static<typeof linkPreviewSchema>;

/** A message as replicated to clients (channel scope). */
export const messageSchema = Type.Object({
  id: Uuid,
  channelId: Uuid,
  authorId: Uuid,
  content: Type.String(),
  /** The channel version at which this message was created; orders and pages messages. */
  seq: Type.Number(),
  createdAt: Type.String(),
  editedAt: NullableString,
  replyToId: NullableUuid,
  thread: Type.Union([threadSummarySchema, Type.Null()]),
  reactions: Type.Array(reactionSchema),
  pinnedAt: NullableString,
  mentions: mentionsSchema,
  attachments: Type.Array(attachmentSchema),
  /** Set on a message made by `poll.create`. */
  poll: Type.Optional(pollSchema),
  /** Cards for the message's first links, once the server has unfurled them. */
  previews: Type.Optional(Type.Array(linkPreviewSchema)),
});
export type Message = Static<typeof messageSchema>;

/** What kind of automated author a user row is: a bot account or an incoming webhook. */
export const botKindSchema = Type.Union([Type.Literal('bot'), Type.Literal('webhook')]);
export type BotKind = Static<typeof botKindSchema>;

/** A member of the community as others see them (community scope). */
export const memberSchema = Type.Object({
  id: Uuid,
  username: Type.String(),
  displayName: Type.String(),
  isOwner: Type.Boolean(),
  joinedAt: Type.String(),
  roleIds: Type.Array(Uuid),
  timedOutUntil: NullableString,
  avatarUrl: NullableString,
  bio: Type.String(),
  pronouns: Type.String(),
  statusText: Type.String(),
  /** Set for a bot account (`bot`); a member who is a person has none. */
  bot: Type.Optional(botKindSchema),
});
export type Member = Static<typeof memberSchema>;

/**
 * The public name of someone who is no longer a member (kicked, banned, left)
 * and whose messages remain (community scope), so others still see who wrote
 * them. A current member's row is the `member` entity.
 */
export const formerMemberSchema = Type.Object({
  id: Uuid,
  username: Type.String(),
  displayName: Type.String(),
  avatarUrl: NullableString,
  /** Set for a bot account or an incoming webhook's author (`webhook`). */
  bot: Type.Optional(botKindSchema),
});
export type FormerMember = Static<typeof formerMemberSchema>;

/** A role (community scope); `permissions` holds bits from `Permission`. */
export const roleSchema = Type.Object({
  id: Uuid,
  name: Type.String(),
  color: Type.Number(),
  /** Higher is more senior; `@everyone` is 0. */
  position: Type.Number(),
  permissions: Type.Number(),
  isEveryone: Type.Boolean(),
});
export type Role = Static<typeof roleSchema>;

/** A custom emoji (community scope), used as `:name:`. */
export const emojiSchema = Type.Object({
  id: Uuid,
  name: Type.String(),
  url: Type.String(),
  animated: Type.Boolean(),
  createdBy: Uuid,
  createdAt: Type.String(),
});
export type Emoji = Static<typeof emojiSchema>;

/** How far a user has read a channel (user scope; `id` is the channel's id). */
export const readStateSchema = Type.Object({
  id: Uuid,
  lastReadSeq: Type.Number(),
  muted: Type.Boolean(),
});
export type ReadState = Static<typeof readStateSchema>;

/** Someone the user blocked (user scope; `id` is the blocked user's id). */
export const blockSchema = Type.Object({ id: Uuid, createdAt: Type.String() });
export type Block = Static<typeof blockSchema>;

/** The fields of a message that only the server fills in (defaults for a new one). */
export const emptyMessageExtras = (): Pick<
  Message,
  'replyToId' | 'thread' | 'reactions' | 'pinnedAt' | 'mentions' | 'attachments'
> => ({
  replyToId: null,
  thread: null,
  reactions: [],
  pinnedAt: null,
  mentions: { users: [], roles: [], everyone: false },
  attachments: [],
});

export const presenceStatusSchema = Type.Union([
  Type.Literal('online'),
  Type.Literal('idle'),
  Type.Literal('offline'),
]);
export type PresenceStatus = Static<typeof presenceStatusSchema>;
