/**
 * The baseline for fan-out: a bare `ws` server that sends every frame it
 * receives to every other connected socket, with no auth, no storage and no
 * validation. Echora's figures are divided by this one's in the same run.
 * Prints `listening <port>` on stdout.
 */
import { WebSocketServer, type WebSocket } from 'ws';

const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
const clients = new Set<WebSocket>();
wss.on('connection', (ws) => {
  clients.add(ws);
  ws.on('close', () => clients.delete(ws));
  ws.on('message', (data, isBinary) => {
    for (const c of clients)
      if (c !== ws && c.readyState === c.OPEN) c.send(data, { binary: isBinary });
  });
});
wss.on('listening', () => {
  const addr = wss.address();
  if (addr && typeof addr === 'object') process.stdout.write(`listening ${addr.port}\n`);
});
process.on('SIGTERM', () => wss.close(() => process.exit(0)));
