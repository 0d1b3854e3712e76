import { afterEach, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { CloseCode, newId, PROTOCOL_VERSION, type WireError } from '@echora/shared';
import type { SocketConstructor } from '../src/sync/connection.ts';
import { SyncEngine } from '../src/sync/engine.ts';
import { memoryReplica } from '../src/sync/test-replica.ts';
import { until } from './helpers.ts';

/*
 * Close codes, bad frames and a silent network, from a plain `ws` server that
 * plays the part of a broken or outdated sync server (the real one never sends
 * these, so they cannot be provoked from it).
 */

const servers: WebSocketServer[] = [];
const engines: SyncEngine[] = [];

afterEach(async () => {
  for (const engine of engines.splice(0)) engine.stop();
  for (const server of servers.splice(0)) await new Promise((done) => server.close(done));
});

async function peer(
  onAuth: (socket: WebSocket) => void,
): Promise<{ url: string; connections: () => number }> {
  const server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  servers.push(server);
  await new Promise((done) => server.once('listening', done));
  let connections = 0;
  server.on('connection', (socket) => {
    connections++;
    socket.once('message', () => onAuth(socket));
  });
  const { port } = server.address() as { port: number };
  return { url: `ws://127.0.0.1:${port}/api/sync`, connections: () => connections };
}

function engine(url: string, timing = {}): SyncEngine {
  const made = new SyncEngine({
    replica: memoryReplica(),
    url,
    getToken: () => Promise.resolve('token'),
    WebSocket: WebSocket as unknown as SocketConstructor,
    timing: { backoff: { baseMs: 20, capMs: 50 }, ...timing },
  });
  engines.push(made);
  made.start();
  return made;
}

const ready = JSON.stringify({
  type: 'ready',
  userId: newId(),
  protocolVersion: PROTOCOL_VERSION,
  serverTime: new Date().toISOString(),
  nextSeq: 1,
});

it('stops and reports when the app is too old, without reconnecting', async () => {
  const server = await peer((socket) => socket.close(CloseCode.clientTooOld, 'reload'));
  const errors: WireError[] = [];
  const made = engine(server.url);
  made.onError((error) => errors.push(error));
  await until(() => Promise.resolve(errors.length > 0), 'the error');
  expect(errors[0]?.kind).toBe('protocol');
  await new Promise((done) => setTimeout(done, 300));
  expect(server.connections()).toBe(1);
  expect(made.state).toBe('offline');
});

it('drops malformed frames and keeps going', async () => {
  const server = await peer((socket) => {
    socket.send('not json');
    socket.send(JSON.stringify({ type: 'surprise' }));
    socket.send(JSON.stringify({ type: 'changes', scope: 'community', from: 'x' }));
    socket.send(ready);
  });
  const made = engine(server.url);
  await until(() => Promise.resolve(made.state === 'online'), 'online after the junk');
  expect(server.connections()).toBe(1);
});

it('notices a silent network and reconnects', async () => {
  // Answers auth, then never says anything again (pings go unanswered).
  const server = await peer((socket) => socket.send(ready));
  engine(server.url, { heartbeatMs: 100, deadMs: 100 });
  await until(() => Promise.resolve(server.connections() >= 2), 'a second connection');
});
