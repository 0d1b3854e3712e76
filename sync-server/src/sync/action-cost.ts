import type { MutationName } from '@echora/shared';

/**
 * What a user's actions cost from their one bucket (`SEND_RATE_PER_MINUTE`
 * tokens, refilled over a minute). Every durable mutation writes rows and a
 * feed entry, and most fan out to every watcher of a scope: one token each.
 * The cheap ones are those an honest client sends by itself: a read mark as
 * messages arrive in the open channel (at most every 400 ms), typing every
 * 3 s while the user types, presence when they go idle. They still cost, so
 * none of them can be flooded, but a busy channel does not eat the budget of
 * the user's own messages (150 read marks a minute cost 37.5). A notes update
 * is durable (a row, fanned out to every editor): one token; clients send
 * their keystrokes merged, about one update a second while typing.
 */
const CHEAP: ReadonlySet<string> = new Set<MutationName | 'presence'>([
  'read.mark',
  'typing.start',
  'presence',
]);

/** Tokens one action takes: 1, or a quarter for the cheap ones above. */
export function actionCost(action: MutationName | 'presence' | 'notes.update'): number {
  return CHEAP.has(action) ? 0.25 : 1;
}

/** The refusal's text; `retryAfterMs` says when to try again. */
export const RATE_LIMITED_MESSAGE = 'Too many changes at once; wait a moment.';
