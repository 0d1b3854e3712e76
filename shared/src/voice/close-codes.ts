/**
 * Close codes of the SFU signaling socket. The reason string is the key
 * (`GRANT_EXPIRED`...), so a client can tell why without parsing text.
 */
export const VoiceCloseCode = {
  normal: 1000,
  goingAway: 1001,
  tooLarge: 1009,
  /** The first frame was not a `join`, or a later frame was not valid. */
  BAD_HANDSHAKE: 4000,
  /** The grant's signature, audience or claims are wrong. Do not retry with it. */
  GRANT_INVALID: 4001,
  /**
   * The grant expired (or lived longer than allowed), or a session's grant was
   * not renewed (a `grant` frame) before it expired. Ask the sync server for a new one.
   */
  GRANT_EXPIRED: 4002,
  /** The grant names another SFU node. */
  WRONG_NODE: 4003,
  /** No `join` within the deadline, or the peer stopped answering pings. */
  TIMEOUT: 4004,
  /** Removed by a moderator. */
  FORBIDDEN: 4005,
  /** The same user joined again from elsewhere; this connection is replaced. */
  REPLACED: 4006,
  /** Media could not connect (ICE/DTLS failed). Reconnect with a new grant. */
  MEDIA_FAILED: 4007,
  /**
   * The sync server ended this user's session: banned, kicked, timed out, or a
   * role or override change took the channel away. The reason follows the key
   * (`ACCESS_REVOKED: banned`, see `VoiceRevokeReason`). Do not reconnect.
   */
  ACCESS_REVOKED: 4008,
} as const;
export type VoiceCloseReason = Exclude<
  keyof typeof VoiceCloseCode,
  'normal' | 'goingAway' | 'tooLarge'
>;
