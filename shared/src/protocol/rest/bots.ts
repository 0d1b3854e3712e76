import { Type, type Static } from 'typebox';
import { Uuid } from '../entities.ts';
import { singleLineText } from '../text.ts';

/** A bot's or webhook's name, shown as the author of its messages. */
export const botName = singleLineText({ minLength: 1, maxLength: 64 });

/** `POST /api/bots` (manage community): a bot account, holding `roleIds` like a member. */
export const createBotBodySchema = Type.Object(
  {
    name: botName,
    /** An uploaded image (`POST /api/files`) of the caller's, shown as the avatar. */
    avatarUploadId: Type.Optional(Uuid),
  },
  { additionalProperties: false },
);
export type CreateBotBody = Static<typeof createBotBodySchema>;

/** A bot as managers see it (never its token). */
export const botSchema = Type.Object({
  id: Uuid,
  username: Type.String(),
  name: Type.String(),
  avatarUrl: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String(),
  /** When the current token was made (creation or the last rotation). */
  tokenCreatedAt: Type.String(),
});
export type Bot = Static<typeof botSchema>;

export const botAnswerSchema = Type.Object({ bot: botSchema });

/** The answer to a creation or a rotation: the only time the token is shown. */
export const botWithTokenSchema = Type.Object({ bot: botSchema, token: Type.String() });
export type BotWithToken = Static<typeof botWithTokenSchema>;

/**
 * `PUT /api/bots/:id/avatar`, `PUT /api/channels/:channelId/webhooks/:id/avatar`:
 * an uploaded image (`POST /api/uploads`) of the caller's becomes the avatar,
 * or `null` removes it.
 */
export const avatarBodySchema = Type.Object(
  { avatarUploadId: Type.Union([Uuid, Type.Null()]) },
  { additionalProperties: false },
);
export type AvatarBody = Static<typeof avatarBodySchema>;

export const botListSchema = Type.Object({ bots: Type.Array(botSchema) });
export type BotList = Static<typeof botListSchema>;

/** `POST /api/channels/:channelId/webhooks` (manage channels there). */
export const createWebhookBodySchema = Type.Object(
  { name: botName, avatarUploadId: Type.Optional(Uuid) },
  { additionalProperties: false },
);
export type CreateWebhookBody = Static<typeof createWebhookBodySchema>;

/** An incoming webhook as managers see it (never its token). */
export const webhookSchema = Type.Object({
  id: Uuid,
  channelId: Uuid,
  /** The user row its messages are written as (`bot: 'webhook'`). */
  authorId: Uuid,
  name: Type.String(),
  avatarUrl: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String(),
});
export type Webhook = Static<typeof webhookSchema>;

/** Creation or rotation: `url` holds the token, shown this once. */
export const webhookWithTokenSchema = Type.Object({
  webhook: webhookSchema,
  token: Type.String(),
  /** The path to post to: `/api/webhooks/<id>/<token>`. */
  url: Type.String(),
});
export type WebhookWithToken = Static<typeof webhookWithTokenSchema>;

export const webhookAnswerSchema = Type.Object({ webhook: webhookSchema });

export const webhookListSchema = Type.Object({ webhooks: Type.Array(webhookSchema) });
export type WebhookList = Static<typeof webhookListSchema>;

/**
 * What `POST /api/webhooks/:id/:token` accepts: Slack's (`text`, `username`,
 * `icon_url`, `blocks`) and Discord's (`content`, `username`, `avatar_url`,
 * `embeds`) payloads. The text is `content` or else `text`; `blocks` and
 * `embeds` are accepted and ignored; `icon_url`/`avatar_url` are never
 * fetched (the webhook's own avatar is shown).
 */
export const webhookPostSchema = Type.Object(
  {
    content: Type.Optional(Type.String({ maxLength: 8000 })),
    text: Type.Optional(Type.String({ maxLength: 8000 })),
    username: Type.Optional(Type.String({ maxLength: 200 })),
    icon_url: Type.Optional(Type.String({ maxLength: 2048 })),
    avatar_url: Type.Optional(Type.String({ maxLength: 2048 })),
    blocks: Type.Optional(Type.Array(Type.Unknown(), { maxItems: 50 })),
    embeds: Type.Optional(Type.Array(Type.Unknown(), { maxItems: 10 })),
  },
  { additionalProperties: true },
);
export type WebhookPost = Static<typeof webhookPostSchema>;

/** `POST /api/mutations`: one mutation of the registry, as on the sync socket. */
export const httpMutationBodySchema = Type.Object(
  {
    name: Type.String({ maxLength: 64 }),
    args: Type.Unknown(),
  },
  { additionalProperties: false },
);
export type HttpMutationBody = Static<typeof httpMutationBodySchema>;

/** A mutation applied (or replayed): the scope and version it produced, if any. */
export const httpMutationResultSchema = Type.Object({
  ok: Type.Literal(true),
  scope: Type.Optional(Type.String()),
  version: Type.Optional(Type.Number()),
  /** True when the Idempotency-Key had been used: this is the recorded answer. */
  replayed: Type.Boolean(),
});
export type HttpMutationResult = Static<typeof httpMutationResultSchema>;

/** Bot tokens: `ebot_<user id>_<secret>`; `Authorization: Bot <token>`. */
export const BOT_TOKEN_PREFIX = 'ebot_';
