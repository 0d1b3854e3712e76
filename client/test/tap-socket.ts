import WebSocket from 'ws';
import type { DownMessage } from '@echora/shared';
import type { SocketLike } from '../src/sync/connection.ts';

/**
 * A `ws` socket for the engine that records every frame it receives and, when
 * told, loses the answer to the next mutation: it stops delivering frames
 * once that mutation is sent and closes a moment later, as a dropped network
 * would after the server applied it.
 */
export class TapSocket implements SocketLike {
  static received: DownMessage[] = [];
  static loseNextAck = false;
  onopen: SocketLike['onopen'] = null;
  onmessage: SocketLike['onmessage'] = null;
  onclose: SocketLike['onclose'] = null;
  onerror: SocketLike['onerror'] = null;
  readonly #ws: WebSocket;
  #deaf = false;

  constructor(url: string) {
    this.#ws = new WebSocket(url);
    this.#ws.onopen = (event) => this.onopen?.(event);
    this.#ws.onerror = (event) => this.onerror?.(event);
    this.#ws.onclose = (event) => this.onclose?.({ code: event.code, reason: event.reason });
    this.#ws.onmessage = (event) => {
      // The server sends text frames, which `ws` hands over as strings.
      if (typeof event.data === 'string')
        TapSocket.received.push(JSON.parse(event.data) as DownMessage);
      if (!this.#deaf) this.onmessage?.({ data: event.data });
    };
  }

  get readyState(): number {
    return this.#ws.readyState;
  }

  send(data: string): void {
    this.#ws.send(data);
    if (TapSocket.loseNextAck && (JSON.parse(data) as { type: string }).type === 'mutate') {
      TapSocket.loseNextAck = false;
      this.#deaf = true;
      setTimeout(() => this.#ws.close(), 500);
    }
  }

  close(code?: number, reason?: string): void {
    this.#ws.close(code, reason);
  }
}
