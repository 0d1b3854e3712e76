/**
 * P2's receiving clients, run in a worker thread (`lib/p2-receivers.ts`
 * starts them): this thread holds its share of the sockets, finds message
 * numbers in the raw frames (`"content":"p2 <i> `) and tells the measuring
 * thread when all its sockets have message i, with the time on the machine's
 * monotonic clock (`process.hrtime`, the same in every thread).
 */
import { randomUUID } from 'node:crypto';
import { parentPort, workerData } from 'node:worker_threads';
import { PROTOCOL_VERSION } from '@echora/shared';
import { WebSocket } from 'ws';
import { MARKER, nowMs, type ReceiverReport, type ReceiverSetup } from './p2-receivers.ts';

const SYNCED = Buffer.from('{"type":"synced"');
const SPACE = 0x20;
const ZERO = 0x30;

const setup = workerData as ReceiverSetup;
const port = parentPort;
const share = typeof setup.sockets === 'number' ? setup.sockets : setup.sockets.length;
const counts = new Uint32Array(setup.total);

/** Counts every message number in a text payload. */
function scan(buf: Buffer, at: () => number): void {
  const end = buf.length;
  let m = buf.indexOf(MARKER);
  let time = -1;
  while (m !== -1 && m < end) {
    let i = 0;
    let p = m + MARKER.length;
    for (let c = buf[p]; c !== undefined && c !== SPACE && p < end; c = buf[++p])
      i = i * 10 + c - ZERO;
    const n = (counts[i] ?? share) + 1;
    if (i < counts.length) counts[i] = n;
    if (n === share) {
      if (time < 0) time = at();
      port?.postMessage({ type: 'done', i, at: time } satisfies ReceiverReport);
    }
    m = buf.indexOf(MARKER, p);
  }
}

/**
 * Opens one socket; Echora's resolves at `synced`. `ws` hands each text frame
 * on as its bytes (no UTF-8 check, no decoding): the scan reads them as they are.
 */
function open(token: string | undefined): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    let synced = token === undefined;
    const socket = new WebSocket(setup.url, { skipUTF8Validation: true, perMessageDeflate: false });
    socket.on('message', (data: Buffer) => {
      if (synced) return scan(data, nowMs);
      if (data.subarray(0, SYNCED.length).equals(SYNCED)) {
        synced = true;
        resolve(socket);
      }
    });
    socket.once('open', () => {
      socket.on('close', () => {
        if (!synced) reject(new Error('socket closed before synced'));
      });
      if (token === undefined) return resolve(socket);
      socket.send(
        JSON.stringify({
          type: 'auth',
          token,
          clientId: randomUUID(),
          protocolVersion: PROTOCOL_VERSION,
          cursors: {},
        }),
      );
    });
    socket.once('error', reject);
  });
}

async function main(): Promise<void> {
  const tokens =
    typeof setup.sockets === 'number'
      ? Array.from({ length: setup.sockets }, () => undefined)
      : setup.sockets;
  const sockets: WebSocket[] = [];
  for (let k = 0; k < tokens.length; k += setup.concurrency)
    sockets.push(...(await Promise.all(tokens.slice(k, k + setup.concurrency).map(open))));
  port?.postMessage({ type: 'ready' } satisfies ReceiverReport);
  port?.on('message', () => {
    for (const s of sockets) s.terminate();
    port.close();
  });
}

main().catch((err: unknown) =>
  port?.postMessage({ type: 'error', message: String(err) } satisfies ReceiverReport),
);
