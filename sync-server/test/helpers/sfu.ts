import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import type { SignalDown } from '@echora/shared/voice/index';

const SFU_SERVER = fileURLToPath(new URL('../../../sfu/src/server.ts', import.meta.url));

/** A real SFU process, as `npm start` runs it beside the sync server. */
export interface SfuProcess {
  /** Its signaling URL, as `SFU_URLS` lists it (`ws://127.0.0.1:<port>`). */
  url: string;
  stop(): Promise<void>;
}

/** A free TCP port on loopback (the SFU must know its port before the sync server's config). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/**
 * Starts `sfu/src/server.ts` as its own process on `port`, reporting to
 * `syncUrl` with `secret`, and waits until it listens.
 */
export function startSfuProcess(options: {
  port: number;
  secret: string;
  syncUrl: string;
}): Promise<SfuProcess> {
  const url = `ws://127.0.0.1:${options.port}`;
  // node --import tsx (not npx tsx): the pid is the SFU itself.
  const proc: ChildProcess = spawn(process.execPath, ['--import', 'tsx', SFU_SERVER], {
    env: {
      ...process.env,
      SFU_PORT: String(options.port),
      BIND_ADDR: '127.0.0.1',
      SFU_PUBLIC_URL: url,
      VOICE_GRANT_SECRET: options.secret,
      SYNC_URL: options.syncUrl,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`the SFU did not start:\n${out}`)), 60_000);
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      if (!out.includes('sfu: listening')) return;
      clearTimeout(timer);
      resolve({
        url,
        async stop() {
          if (proc.exitCode !== null || proc.signalCode !== null) return;
          const exited = new Promise((r) => proc.once('exit', r));
          proc.kill('SIGTERM');
          await exited;
        },
      });
    };
    proc.stdout?.on('data', onData);
    proc.stderr?.on('data', onData);
    proc.once('exit', (code) => reject(new Error(`the SFU exited with ${code}:\n${out}`)));
  });
}

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
