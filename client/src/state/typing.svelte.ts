import type { EnginePort, TypingEntry } from '../lib/engine-port.ts';
import { typingText } from '../lib/typing-text.ts';

/** Who is typing where, and the line to show under the composer. */
export class Typing {
  entries: TypingEntry[] = $state([]);
  /** Ticks so expired entries disappear even if the engine sends nothing. */
  now = $state(Date.now());
  #off: () => void;
  #timer: ReturnType<typeof setInterval>;

  constructor(engine: EnginePort) {
    this.#off = engine.onTyping((set) => {
      this.now = Date.now();
      this.entries = [...set];
    });
    this.#timer = setInterval(() => {
      if (this.entries.length > 0) this.now = Date.now();
    }, 1000);
  }

  /** The typing line for a channel, leaving out the signed-in user. */
  textFor(channelId: string, selfId: string | undefined, nameOf: (id: string) => string): string {
    const names = this.entries
      .filter((e) => e.channelId === channelId && e.userId !== selfId && e.expiresAt > this.now)
      .map((e) => nameOf(e.userId));
    return typingText(names.filter((name, i) => names.indexOf(name) === i));
  }

  dispose(): void {
    this.#off();
    clearInterval(this.#timer);
  }
}
