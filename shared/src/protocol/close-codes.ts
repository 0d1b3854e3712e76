/** Named close codes of the sync socket (4000-4999 are ours). */
export const CloseCode = {
  /** Normal close by either side. */
  normal: 1000,
  /** A frame over `Limits.frameBytes`. */
  tooLarge: 1009,
  /** The first message was not a valid `auth`. */
  badHandshake: 4000,
  /** The access token is missing, invalid or expired. Refresh, then reconnect. */
  unauthorized: 4001,
  /** The client's protocol version is older than the server's. Reload the app. */
  clientTooOld: 4002,
  /** The client's protocol version is newer than the server's. Try again later. */
  serverTooOld: 4003,
  /** No `auth` within the deadline. */
  authTimeout: 4004,
  /** Kicked, banned, or the session was revoked. Do not reconnect with this token. */
  forbidden: 4005,
  /** Too many frames; reconnect after a pause. */
  rateLimited: 4008,
  /**
   * The client did not read what the server sent: more than
   * `Limits.socketBufferBytes` waited for it, or it did not answer a protocol
   * ping before the next one (`SOCKET_PING_MS`). Reconnect with backoff;
   * catch-up resumes from the cursors.
   */
  slowConsumer: 4009,
  /**
   * The user already has as many sync sockets open on this server as it allows
   * (`MAX_SOCKETS_PER_USER`). Reconnect with backoff; one may close meanwhile.
   */
  tooManySockets: 4010,
  /** The server is shutting down; reconnect elsewhere. */
  goingAway: 1001,
} as const;
export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];
