import WebSocket from 'ws';
import type { SignalDown } from '@echora/shared/voice/index';

// The SFU process comes from the test kit; these names stay for the tests that use them.
export { freePort, startSfu as startSfuProcess, type TestSfu as SfuProcess } from '@echora/testkit';

/**
 * The SFU's signaling socket without media: it joins with a grant and records
 * what the SFU says. Enough to be a participant (in the room, in reports) and
 * to see the session changed or ended.
 */
export class VoiceSocket {
  readonly frames: SignalDown[] = [];
  readonly closed: Promise<{ code: number; reason: string; at: number }>;
  private readonly ws: WebSocket;

  private constructor(url: string) {
    this.ws = new WebSocket(url);
    this.ws.on('error', () => undefined);
    this.ws.on('message', (data: Buffer) => {
      this.frames.push(JSON.parse(data.toString('utf8')) as SignalDown);
    });
    this.closed = new Promise((resolve) =>
      this.ws.once('close', (code, reason) =>
        resolve({ code, reason: reason.toString('utf8'), at: performance.now() }),
      ),
    );
  }

  /** Opens the socket and sends `join` with `grant`. */
  static async join(url: string, grant: string): Promise<VoiceSocket> {
    const socket = new VoiceSocket(url);
    await new Promise<void>((resolve, reject) => {
      socket.ws.once('open', () => resolve());
      socket.ws.once('error', reject);
    });
    socket.send({ type: 'join', grant });
    return socket;
  }

  /** The close, or a rejection after `timeoutMs`. */
  closedWithin(timeoutMs: number): Promise<{ code: number; reason: string; at: number }> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`the SFU socket stayed open for ${timeoutMs} ms`)),
        timeoutMs,
      );
      void this.closed.then((closed) => {
        clearTimeout(timer);
        resolve(closed);
      });
    });
  }

  send(frame: unknown): void {
    this.ws.send(JSON.stringify(frame));
  }

  get isOpen(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  close(): void {
    this.ws.close();
  }
}
