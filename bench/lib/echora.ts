import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { PROTOCOL_VERSION, newId } from '@echora/shared';
import { startTs, type Proc } from './proc.ts';

export interface EchoraServer {
  proc: Proc;
  http: string;
  ws: string;
  stop(): Promise<void>;
}

/** Starts a real sync-server process (PGlite in a temp dir unless `databaseUrl`). */
export async function startEchora(
  env: Record<string, string> = {},
  databaseUrl?: string,
): Promise<EchoraServer> {
  const base: Record<string, string> = {
    PORT: '0',
    BIND_ADDR: '127.0.0.1:0',
    LOG_LEVEL: 'warn',
    JWT_SECRET: randomBytes(32).toString('hex'),
    ECHORA_SKIP_BUILD: '1',
    DATA_DIR: mkdtempSync(join(tmpdir(), 'echora-bench-')),
    // Benchmarks measure throughput, not the abuse limits.
    SEND_RATE_PER_MINUTE: '100000000',
    AUTH_RATE_LIMIT: '1000000',
    ...env,
  };
  if (databaseUrl) base.DATABASE_URL = databaseUrl;
  // Fastify logs at info; keep the listening line by forcing info for that line only.
  // PGlite's first start (migrations) takes half a minute on a loaded machine.
  const proc = await startTs(
    'sync-server/src/server.ts',
    /listening at (http:\/\/[\d.:]+)/i,
    { ...base, LOG_LEVEL: 'info' },
    180_000,
  );
  const http = proc.match[1] ?? '';
  return { proc, http, ws: http.replace(/^http/, 'ws') + '/api/sync', stop: () => proc.stop() };
}

export async function register(
  http: string,
  username: string,
): Promise<{ id: string; token: string }> {
  const res = await fetch(`${http}/api/auth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: 'correct horse battery' }),
  });
  if (!res.ok) throw new Error(`register ${username}: ${res.status} ${await res.text()}`);
  const body = (await res.json()) as { user: { id: string }; accessToken: string };
  return { id: body.user.id, token: body.accessToken };
}

export interface SyncClient {
  ws: WebSocket;
  clientId: string;
  /** Channel ids by name, from the first community reset. */
  channels: Map<string, string>;
  nextSeq: number;
}

/** Opens an authenticated sync socket and resolves after `synced`. */
export function connect(
  wsUrl: string,
  token: string,
  onFrame?: (raw: string) => void,
): Promise<SyncClient> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(wsUrl, { perMessageDeflate: false });
    const client: SyncClient = { ws, clientId: newId(), channels: new Map(), nextSeq: 1 };
    let synced = false;
    ws.on('open', () => {
      ws.send(
        JSON.stringify({
          type: 'auth',
          token,
          clientId: client.clientId,
          protocolVersion: PROTOCOL_VERSION,
          cursors: {},
        }),
      );
    });
    ws.on('message', (data: Buffer) => {
      const raw = data.toString();
      if (synced) return onFrame?.(raw);
      const frame = JSON.parse(raw) as {
        type: string;
        nextSeq?: number;
        scope?: string;
        changes?: { entity: string; data?: { id: string; name: string; kind: string } }[];
      };
      if (frame.type === 'ready' && frame.nextSeq) client.nextSeq = frame.nextSeq;
      if (frame.type === 'reset' && frame.scope === 'community') {
        for (const c of frame.changes ?? [])
          if (c.entity === 'channel' && c.data)
            client.channels.set(`${c.data.kind}:${c.data.name}`, c.data.id);
      }
      if (frame.type === 'synced') {
        synced = true;
        resolve(client);
      }
    });
    ws.on('error', reject);
    ws.on('close', (code) => {
      if (!synced) reject(new Error(`closed before synced: ${code}`));
    });
  });
}

export function sendMessage(client: SyncClient, channelId: string, content: string): number {
  const seq = client.nextSeq++;
  client.ws.send(
    JSON.stringify({
      type: 'mutate',
      seq,
      name: 'message.send',
      args: { id: newId(), channelId, content },
    }),
  );
  return seq;
}
