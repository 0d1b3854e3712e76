import type { AddressInfo } from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';

/** Both ends of one real WebSocket connection on loopback. */
export interface SocketPair {
  /** The end a server holds (what the sync server's socket code is given). */
  server: WebSocket;
  /** The end a client holds; `client.pause()` stops reading, so the server's sends back up. */
  client: WebSocket;
  /** Terminates both ends and closes the listening server. */
  close: () => Promise<void>;
}

/**
 * Opens a `ws` server on a free loopback port, connects one client to it and
 * resolves with both ends: for testing code that sits on a socket (buffers,
 * back-pressure, close handling) without a whole sync server around it.
 */
export async function openSocketPair(): Promise<SocketPair> {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await new Promise((resolve) => wss.once('listening', resolve));
  const { port } = wss.address() as AddressInfo;
  const accepted = new Promise<WebSocket>((resolve) => wss.once('connection', resolve));
  const client = new WebSocket(`ws://127.0.0.1:${port}`);
  await new Promise((resolve, reject) => {
    client.once('open', resolve);
    client.once('error', reject);
  });
  const server = await accepted;
  return {
    server,
    client,
    close: async () => {
      client.terminate();
      server.terminate();
      await new Promise((resolve) => wss.close(resolve));
    },
  };
}
