import WebSocket from 'ws';
import type { DownMessage } from '@echora/shared';
import type { SocketLike } from '../src/sync/connection.ts';

/**
 * A `ws` socket for the engine that, while `holding` is set, keeps back the
 * frames of one scope (`changes` and `reset`) and passes every other frame:
 * a test decides that the answer to a mutation arrives before the feed that
 * carries its row, as a busy server may send them. `release()` hands the
 * kept frames over in the order they came.
 */
export class HoldSocket implements SocketLike {
  static holding: string | undefined;
  static readonly #sockets = new Set<HoldSocket>();
  onopen: SocketLike['onopen'] = null;
  onmessage: SocketLike['onmessage'] = null;
  onclose: SocketLike['onclose'] = null;
  onerror: SocketLike['onerror'] = null;
  readonly #ws: WebSocket;
  readonly #held: string[] = [];

  constructor(url: string) {
    HoldSocket.#sockets.add(this);
    this.#ws = new WebSocket(url);
    this.#ws.onopen = (event) => this.onopen?.(event);
    this.#ws.onerror = (event) => this.onerror?.(event);
    this.#ws.onclose = (event) => {
      HoldSocket.#sockets.delete(this);
      this.onclose?.({ code: event.code, reason: event.reason });
    };
    this.#ws.onmessage = (event) => {
      const data = event.data as string;
      const frame = JSON.parse(data) as DownMessage;
      const held =
        (frame.type === 'changes' || frame.type === 'reset') && frame.scope === HoldSocket.holding;
      if (held) this.#held.push(data);
      else this.onmessage?.({ data });
    };
  }

  /** Stops holding and delivers what was kept, in order. */
  static release(): void {
    HoldSocket.holding = undefined;
    for (const socket of HoldSocket.#sockets) {
      for (const data of socket.#held.splice(0)) socket.onmessage?.({ data });
    }
  }

  get readyState(): number {
    return this.#ws.readyState;
  }

  send(data: string): void {
    this.#ws.send(data);
  }

  close(code?: number, reason?: string): void {
    this.#ws.close(code, reason);
  }
}
