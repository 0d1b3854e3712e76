import { newId } from '@echora/shared';

const HISTORY_TIMEOUT_MS = 15_000;

/**
 * `history` requests on the wire, each waiting for its page's `hasMore`.
 * An answer that never comes (a lost socket, a slow server) settles as
 * undefined: the caller falls back to what it knew.
 */
export class HistoryRequests {
  readonly #waiting = new Map<string, (hasMore: boolean | undefined) => void>();

  /**
   * Sends a request through `send` (false when it could not go out) and
   * answers its page's `hasMore`, or undefined.
   */
  async ask(send: (requestId: string) => boolean): Promise<boolean | undefined> {
    const requestId = newId();
    const answered = new Promise<boolean | undefined>((resolve) => {
      this.#waiting.set(requestId, resolve);
      setTimeout(() => resolve(undefined), HISTORY_TIMEOUT_MS);
    });
    if (!send(requestId)) {
      this.#waiting.delete(requestId);
      return undefined;
    }
    const hasMore = await answered;
    this.#waiting.delete(requestId);
    return hasMore;
  }

  /** A page arrived for `requestId`. */
  answer(requestId: string, hasMore: boolean): void {
    this.#waiting.get(requestId)?.(hasMore);
  }

  /** The socket closed: every request still waiting settles now. */
  abandonAll(): void {
    for (const resolve of this.#waiting.values()) resolve(undefined);
    this.#waiting.clear();
  }
}
