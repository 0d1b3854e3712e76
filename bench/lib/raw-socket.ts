import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import type { Socket } from 'node:net';

/** What a receiving socket is told about each text frame: the buffer and the payload's bounds. */
export type OnText = (buf: Buffer, start: number, end: number) => void;

/**
 * A WebSocket client that does as little as a benchmark's receiver may: it
 * parses frame headers, answers pings and hands text payloads on as byte
 * ranges of the received buffer (no UTF-8 decoding, no JSON, no event per
 * frame). Server frames are never masked and never fragmented by `ws`; our
 * own frames carry the all-zero mask (the server requires the bit, not a key).
 */
export class RawSocket {
  private pending: Buffer | undefined;

  private constructor(
    readonly socket: Socket,
    private readonly onText: OnText,
    head: Buffer,
  ) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('error', () => undefined);
    if (head.length > 0) this.receive(head);
  }

  /** Opens a socket to `url` (`ws://host:port/path`) and resolves once upgraded. */
  static open(url: string, onText: OnText): Promise<RawSocket> {
    const u = new URL(url);
    return new Promise((resolve, reject) => {
      const req = request({
        host: u.hostname,
        port: u.port,
        path: u.pathname + u.search,
        headers: {
          Connection: 'Upgrade',
          Upgrade: 'websocket',
          'Sec-WebSocket-Version': '13',
          'Sec-WebSocket-Key': randomBytes(16).toString('base64'),
        },
      });
      req.on('upgrade', (_res, socket, head) => resolve(new RawSocket(socket, onText, head)));
      req.on('response', (res) => reject(new Error(`no upgrade: HTTP ${res.statusCode}`)));
      req.on('error', reject);
      req.end();
    });
  }

  /** Sends a text frame. */
  sendText(text: string): void {
    this.frame(0x1, Buffer.from(text, 'utf8'));
  }

  close(): void {
    this.socket.destroy();
  }

  private frame(opcode: number, payload: Buffer): void {
    const n = payload.length;
    const size = n < 126 ? 2 : n < 65536 ? 4 : 10;
    const head = Buffer.alloc(size + 4); // the mask key stays 0: XOR with it leaves the payload as is
    head[0] = 0x80 | opcode;
    if (n < 126) head[1] = 0x80 | n;
    else if (n < 65536) {
      head[1] = 0x80 | 126;
      head.writeUInt16BE(n, 2);
    } else {
      head[1] = 0x80 | 127;
      head.writeUInt32BE(n, 6);
    }
    this.socket.write(Buffer.concat([head, payload]));
  }

  private receive(chunk: Buffer): void {
    const buf = this.pending ? Buffer.concat([this.pending, chunk]) : chunk;
    let at = 0;
    while (buf.length - at >= 2) {
      const b0 = buf[at] ?? 0;
      const b1 = (buf[at + 1] ?? 0) & 0x7f;
      let start = at + 2;
      let n = b1;
      if (b1 === 126) {
        if (buf.length - at < 4) break;
        n = buf.readUInt16BE(at + 2);
        start = at + 4;
      } else if (b1 === 127) {
        if (buf.length - at < 10) break;
        n = buf.readUInt32BE(at + 6);
        start = at + 10;
      }
      const end = start + n;
      if (end > buf.length) break;
      const opcode = b0 & 0x0f;
      if (opcode === 0x1) this.onText(buf, start, end);
      else if (opcode === 0x9) this.frame(0xa, buf.subarray(start, end));
      else if (opcode === 0x8) this.socket.end();
      at = end;
    }
    this.pending = at < buf.length ? buf.subarray(at) : undefined;
  }
}
