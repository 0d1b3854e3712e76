/**
 * The baseline for notes: y-websocket's own server (`setupWSConnection` from
 * `y-websocket/bin/utils`, what its `y-websocket` binary runs): y-protocols
 * sync and awareness over binary frames, one in-memory Y.Doc per path, no
 * auth, no storage, no permission checks. Prints `listening <port>`.
 */
import { createServer, type IncomingMessage } from 'node:http';
import { createRequire } from 'node:module';
import { WebSocketServer, type WebSocket } from 'ws';

const require = createRequire(import.meta.url);
const { setupWSConnection } = require('y-websocket/bin/utils') as {
  setupWSConnection: (conn: WebSocket, req: IncomingMessage) => void;
};

const server = createServer((_req, res) => res.writeHead(404).end());
const wss = new WebSocketServer({ server, perMessageDeflate: false });
wss.on('connection', (ws, req) => setupWSConnection(ws, req));
server.listen(0, '127.0.0.1', () => {
  const addr = server.address();
  if (addr && typeof addr === 'object') process.stdout.write(`listening ${addr.port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
