/** Limits shared by client (to say no early) and server (the final word). */
export const Limits = {
  messageLength: 4000,
  channelNameLength: 100,
  channelTopicLength: 1024,
  /** Largest sync socket frame the server reads, in bytes. */
  frameBytes: 64 * 1024,
  /** Messages per `history` page at most (the `limit` a client may ask for). */
  historyPage: 100,
  /**
   * Bytes of messages (as JSON) per `history` page at most: a page of large
   * messages holds fewer than `limit`, with `hasMore`; never fewer than one.
   */
  historyPageBytes: 256 * 1024,
  /**
   * Bytes the server lets wait for one socket that does not read them. Past
   * this it closes the socket with `CloseCode.slowConsumer`; from a fraction of
   * it, it stops handling the socket's frames until the client catches up.
   */
  socketBufferBytes: 4 * 1024 * 1024,
  /** Messages per channel sent in a reset (too-old cursor or first sight of a channel). */
  resetWindow: 100,
  /** A cursor further behind than this many versions gets a reset instead of a replay. */
  replayLimit: 1000,
  maxCursors: 2000,
  typingMs: 8000,
  /** Largest a channel's notes document may grow (its compacted Yjs state), in bytes. */
  noteBytes: 512 * 1024,
  /** People in one direct conversation at most (a group DM), its creator included. */
  dmParticipants: 10,
  /** A group DM's name. */
  dmNameLength: 100,
  /** A poll's question. */
  pollQuestionLength: 300,
  /** One answer of a poll. */
  pollOptionLength: 100,
  /** Answers a poll offers: at least two, at most ten. */
  pollOptionsMin: 2,
  pollOptionsMax: 10,
  /** The longest a poll may stay open, in minutes (30 days). */
  pollMaxMinutes: 30 * 24 * 60,
  /** Links of one message the server unfurls (the first ones, outside code). */
  previewLinks: 3,
  /** A link preview's title, description and site name, in characters. */
  previewTitleLength: 200,
  previewDescriptionLength: 500,
  previewSiteLength: 100,
  /** The longest URL the server unfurls. */
  previewUrlLength: 2048,
} as const;
