import { Type, type Static } from 'typebox';
import { Uuid } from '../protocol/entities.ts';

/** A voice grant lives this long at most; the SFU refuses one whose `exp - iat` is longer. */
export const VOICE_GRANT_TTL_S = 60;

/** JWT audience of voice grants, so no other token signed with the same secret passes. */
export const VOICE_GRANT_AUDIENCE = 'echora-sfu';
/** JWT issuer of voice grants. */
export const VOICE_GRANT_ISSUER = 'echora-sync';

/** What a grant lets its holder do in the channel. The SFU enforces each bit. */
export const voicePermsSchema = Type.Object({
  /** Audio from this client is forwarded. Without it, the SFU drops every audio packet. */
  speak: Type.Boolean(),
  /** Camera and screen video from this client is forwarded. */
  stream: Type.Boolean(),
  /** May mute others server-side (a hook for the roles issue). */
  moderate: Type.Boolean(),
});
export type VoicePerms = Static<typeof voicePermsSchema>;

/** Claims of a voice grant (HS256 JWT signed with `VOICE_GRANT_SECRET`). */
export const voiceGrantClaimsSchema = Type.Object({
  /** The user id. */
  sub: Uuid,
  /** The voice channel id. */
  ch: Uuid,
  /** The SFU node URL the grant is for; another node refuses it. */
  node: Type.String({ maxLength: 2048 }),
  perms: voicePermsSchema,
  /**
   * A moderator's standing server mute/deafen of this user, as the sync server
   * last saw it, so it follows them to another SFU node; absent when none.
   */
  mod: Type.Optional(Type.Object({ mute: Type.Boolean(), deafen: Type.Boolean() })),
  iat: Type.Number(),
  exp: Type.Number(),
  /**
   * Epoch ms the grant was signed at (`iat` to the millisecond), so the SFU
   * can tell it from an access command of the same second: a grant signed
   * just after a timeout was lifted must not be held to the timeout.
   */
  iatMs: Type.Optional(Type.Number()),
});

/**
 * When a grant was signed, in epoch ms: `iatMs` when it agrees with `iat`,
 * else the start of `iat`'s second.
 */
export function grantIssuedMs(claims: Pick<VoiceGrantClaims, 'iat' | 'iatMs'>): number {
  const { iat, iatMs } = claims;
  return iatMs !== undefined && Math.floor(iatMs / 1000) === iat ? iatMs : iat * 1000;
}
export type VoiceGrantClaims = Static<typeof voiceGrantClaimsSchema>;

/** Body of `POST /api/voice/grant`. */
export const voiceGrantRequestSchema = Type.Object(
  { channelId: Uuid },
  { additionalProperties: false },
);
export type VoiceGrantRequest = Static<typeof voiceGrantRequestSchema>;

/** An ICE server for browsers (STUN or TURN), as `RTCIceServer`. */
export const iceServerSchema = Type.Object({
  urls: Type.Union([Type.String(), Type.Array(Type.String())]),
  username: Type.Optional(Type.String()),
  credential: Type.Optional(Type.String()),
});
export type IceServer = Static<typeof iceServerSchema>;

/** Answer of `POST /api/voice/grant`. */
export const voiceGrantResponseSchema = Type.Object({
  /** The SFU signaling WebSocket URL. The token goes in the first frame, never in this URL. */
  url: Type.String(),
  token: Type.String(),
  iceServers: Type.Array(iceServerSchema),
  /** Epoch ms after which the SFU refuses the token; ask again to reconnect. */
  expiresAt: Type.Number(),
  perms: voicePermsSchema,
});
export type VoiceGrantResponse = Static<typeof voiceGrantResponseSchema>;
