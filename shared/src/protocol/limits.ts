/** Limits shared by client (to say no early) and server (the final word). */
export const Limits = {
  messageLength: 4000,
  channelNameLength: 100,
  channelTopicLength: 1024,
  /** Largest sync socket frame the server reads, in bytes. */
  frameBytes: 64 * 1024,
  historyPage: 100,
  /** Messages per channel sent in a reset (too-old cursor or first sight of a channel). */
  resetWindow: 100,
  /** A cursor further behind than this many versions gets a reset instead of a replay. */
  replayLimit: 1000,
  maxCursors: 2000,
  typingMs: 8000,
} as const;
