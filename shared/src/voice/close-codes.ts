/**
 * Close codes of the SFU signaling socket, named in the casing of the sync
 * socket's `CloseCode`.
 */
export const VoiceCloseCode = {
  normal: 1000,
  goingAway: 1001,
  tooLarge: 1009,
  /** The first frame was not a `join`, or a later frame was not valid. */
  badHandshake: 4000,
  /** The grant's signature, audience or claims are wrong. Do not retry with it. */
  grantInvalid: 4001,
  /**
   * The grant expired (or lived longer than allowed), or a session's grant was
   * not renewed (a `grant` frame) before it expired. Ask the sync server for a new one.
   */
  grantExpired: 4002,
  /** The grant names another SFU node. */
  wrongNode: 4003,
  /** No `join` within the deadline, or the peer stopped answering pings. */
  timeout: 4004,
  /** Removed by a moderator. */
  forbidden: 4005,
  /** The same user joined again from elsewhere; this connection is replaced. */
  replaced: 4006,
  /** Media could not connect (ICE/DTLS failed). Reconnect with a new grant. */
  mediaFailed: 4007,
  /**
   * The sync server ended this user's session: banned, kicked, timed out, or a
   * role or override change took the channel away. The reason follows the key
   * (`ACCESS_REVOKED: banned`, see `VoiceRevokeReason`). Do not reconnect.
   */
  accessRevoked: 4008,
} as const;

/** A close of the SFU socket by name (`grantExpired`…). */
export type VoiceCloseName = keyof typeof VoiceCloseCode;

/**
 * What the close reason of each code starts with on the wire
 * (`GRANT_EXPIRED: the voice grant expired`), so a client can tell why
 * without parsing text. These strings are the protocol: they keep their
 * spelling whatever the names above become.
 */
export const voiceCloseReason = {
  normal: 'normal',
  goingAway: 'goingAway',
  tooLarge: 'tooLarge',
  badHandshake: 'BAD_HANDSHAKE',
  grantInvalid: 'GRANT_INVALID',
  grantExpired: 'GRANT_EXPIRED',
  wrongNode: 'WRONG_NODE',
  timeout: 'TIMEOUT',
  forbidden: 'FORBIDDEN',
  replaced: 'REPLACED',
  mediaFailed: 'MEDIA_FAILED',
  accessRevoked: 'ACCESS_REVOKED',
} as const satisfies Record<VoiceCloseName, string>;

/** A reason key the SFU may send (`GRANT_EXPIRED`…), beyond the standard closes. */
export type VoiceCloseReason = (typeof voiceCloseReason)[Exclude<
  VoiceCloseName,
  'normal' | 'goingAway' | 'tooLarge'
>];
