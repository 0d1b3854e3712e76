import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { SIGNAL_FRAME_BYTES, type VoiceParticipant } from '@echora/shared/voice/index';
import type { SfuConfig } from './config.ts';
import type { MediaEngine } from './media/engine.ts';
import { createWeriftEngine } from './media/werift.ts';
import { AccessLedger } from './access.ts';
import { CONTROL_ROUTES, handleControl } from './control.ts';
import { VoiceReporter } from './reporter.ts';
import { Room, type Moderation } from './room.ts';
import { Session } from './session.ts';

/** A running SFU node. */
export interface Sfu {
  /** The bound port (useful with port 0). */
  readonly port: number;
  readonly rooms: ReadonlyMap<string, Room>;
  participants(): VoiceParticipant[];
  close(): Promise<void>;
}

/** Starts an SFU node: an HTTP server for health, a WebSocket for signaling, a media engine. */
export async function startSfu(
  config: SfuConfig,
  options: { engine?: MediaEngine; log?: (message: string) => void } = {},
): Promise<Sfu> {
  const log = options.log ?? ((message: string) => console.log(`sfu: ${message}`));
  const engine =
    options.engine ??
    createWeriftEngine({
      ...(config.portRange ? { portRange: config.portRange } : {}),
      ...(config.announcedIp ? { announcedIp: config.announcedIp } : {}),
    });
  const rooms = new Map<string, Room>();
  const sessions = new Set<Session>();
  const moderation = new Map<string, Moderation>();
  const ledger = new AccessLedger();
  const participants = () => [...rooms.values()].flatMap((r) => r.participants());
  const sessionOf = (userId: string, channelId: string) => {
    const member = rooms.get(channelId)?.byUser(userId);
    return member instanceof Session ? member : undefined;
  };
  let reporter: VoiceReporter | undefined;

  const http: Server = createServer((req, res) => {
    if (req.url === '/health') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ok: true, rooms: rooms.size, participants: sessions.size }));
      return;
    }
    if (CONTROL_ROUTES.some((route) => route === req.url)) {
      handleControl(req, res, {
        secret: config.secret,
        rooms,
        moderation,
        ledger,
        sessionOf,
      }).catch((error: unknown) => {
        log(`control command failed: ${String(error)}`);
        if (!res.headersSent) res.writeHead(500).end();
      });
      return;
    }
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: { kind: 'not_found', message: 'no such route' } }));
  });
  const wss = new WebSocketServer({ server: http, maxPayload: SIGNAL_FRAME_BYTES });
  wss.on('connection', (ws, req) => {
    const nodeHost = config.publicUrl ? new URL(config.publicUrl).host : req.headers.host;
    const session = new Session(ws, {
      engine,
      secret: config.secret,
      nodeHost,
      room: (channelId) => {
        let room = rooms.get(channelId);
        if (!room) {
          room = new Room(channelId, () => reporter?.changed());
          rooms.set(channelId, room);
        }
        return room;
      },
      moderation: (userId) => moderation.get(userId),
      ledger,
      onClosed: (room) => {
        sessions.delete(session);
        if (room.size === 0 && rooms.get(room.channelId) === room) rooms.delete(room.channelId);
      },
      log,
    });
    sessions.add(session);
    ws.on('close', () => sessions.delete(session));
  });

  // A peer whose page was killed may leave a half-open socket; pings find it.
  const alive = new WeakSet<object>();
  wss.on('connection', (ws) => {
    alive.add(ws);
    ws.on('pong', () => alive.add(ws));
  });
  const pinger = setInterval(() => {
    for (const ws of wss.clients) {
      if (!alive.has(ws)) {
        ws.terminate();
        continue;
      }
      alive.delete(ws);
      ws.ping();
    }
  }, 5_000);

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(config.port, config.host, () => resolve());
  });
  const port = (http.address() as AddressInfo).port;
  if (config.syncUrl)
    reporter = new VoiceReporter({
      syncUrl: config.syncUrl,
      secret: config.secret,
      node: config.publicUrl ?? `sfu:${config.host}:${port}`,
      control: controlUrl(config, port),
      participants,
      perms: () => [...rooms.values()].flatMap((r) => r.perms()),
      log,
    });

  return {
    port,
    rooms,
    participants,
    async close() {
      clearInterval(pinger);
      reporter?.stop();
      for (const s of sessions) s.close('goingAway', 'the SFU is shutting down');
      for (const ws of wss.clients) ws.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

/**
 * Where the sync server reaches this node's control routes: the public URL as
 * http(s) when set, else this host and port (loopback for a wildcard bind).
 */
export function controlUrl(config: SfuConfig, port: number): string {
  if (config.publicUrl)
    return config.publicUrl.replace(/^ws(s?):\/\//, 'http$1://').replace(/\/$/, '');
  const host = config.host === '0.0.0.0' ? '127.0.0.1' : config.host === '::' ? '::1' : config.host;
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}
