import { Type, type Static } from 'typebox';
import { Uuid } from '../protocol/entities.ts';

/**
 * Body of `POST /api/voice/moderate`: server-mute and/or server-deafen a user
 * who is in a voice channel. Needs `muteMembers` in that channel. At least one
 * of `mute` and `deafen` is given; an absent one is left as it is.
 */
export const voiceModerateRequestSchema = Type.Object(
  {
    userId: Uuid,
    mute: Type.Optional(Type.Boolean()),
    deafen: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type VoiceModerateRequest = Static<typeof voiceModerateRequestSchema>;

/** Answer of `POST /api/voice/moderate`: the user's state as the SFU now holds it. */
export const voiceModerateResponseSchema = Type.Object({
  userId: Uuid,
  channelId: Uuid,
  serverMuted: Type.Boolean(),
  serverDeafened: Type.Boolean(),
});
export type VoiceModerateResponse = Static<typeof voiceModerateResponseSchema>;

/**
 * What the sync server posts to the SFU node hosting the user
 * (`POST <control>/internal/moderate`, `Authorization: Bearer <HS256 JWT, aud
 * echora-sfu-internal>` signed with the voice secret).
 */
export const sfuModerateCommandSchema = Type.Object(
  {
    userId: Uuid,
    channelId: Uuid,
    mute: Type.Optional(Type.Boolean()),
    deafen: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type SfuModerateCommand = Static<typeof sfuModerateCommandSchema>;

/** Audience of the sync server's command tokens to SFU nodes. */
export const VOICE_COMMAND_AUDIENCE = 'echora-sfu-internal';
