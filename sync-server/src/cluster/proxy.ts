import { createServer, request, type IncomingMessage } from 'node:http';
import { connect, type Socket } from 'node:net';

/** A small load balancer for `npm run cluster` and the rolling-restart test. */
export interface Proxy {
  url: string;
  /** Replaces the nodes behind it (a restarted node comes back on a new port). */
  setUpstreams(urls: string[]): void;
  close(): Promise<void>;
}

export interface ProxyOptions {
  host: string;
  port: number;
  upstreams: string[];
  /** How often each node's `/readyz` is polled; a node answering 503 (draining) gets no new traffic. */
  checkMs?: number;
}

/**
 * Round-robin HTTP and WebSocket proxy over the nodes whose `/readyz`
 * answered 200 at the last poll (all of them when none did), as a load
 * balancer in front of several sync nodes would be. Adds X-Forwarded-For.
 */
export async function startProxy(options: ProxyOptions): Promise<Proxy> {
  let upstreams = [...options.upstreams];
  const ready = new Map<string, boolean>();
  let turn = 0;
  const pick = (): URL => {
    const healthy = upstreams.filter((url) => ready.get(url) !== false);
    const pool = healthy.length > 0 ? healthy : upstreams;
    const url = pool[turn++ % pool.length];
    if (!url) throw new Error('no upstreams');
    return new URL(url);
  };
  const check = async (url: string) => {
    try {
      const response = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(1000) });
      await response.body?.cancel();
      ready.set(url, response.ok);
    } catch {
      ready.set(url, false);
    }
  };
  const poll = setInterval(() => {
    for (const url of upstreams) void check(url);
  }, options.checkMs ?? 250);
  poll.unref();

  const sockets = new Set<Socket>();
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  };
  const forwardedFor = (req: IncomingMessage) =>
    [req.headers['x-forwarded-for'], req.socket.remoteAddress].filter(Boolean).join(', ');

  const server = createServer((req, res) => {
    const target = pick();
    const upstream = request(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, 'x-forwarded-for': forwardedFor(req) },
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502).end();
      else res.destroy();
    });
    req.pipe(upstream);
  });
  server.on('connection', track);
  server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    const target = pick();
    const upstream = connect(Number(target.port), target.hostname, () => {
      const lines = [`${req.method} ${req.url} HTTP/${req.httpVersion}`];
      for (let i = 0; i < req.rawHeaders.length; i += 2) {
        const name = req.rawHeaders[i] ?? '';
        if (name.toLowerCase() !== 'x-forwarded-for')
          lines.push(`${name}: ${req.rawHeaders[i + 1]}`);
      }
      lines.push(`X-Forwarded-For: ${forwardedFor(req)}`);
      upstream.write(`${lines.join('\r\n')}\r\n\r\n`);
      if (head.length > 0) upstream.write(head);
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
    track(upstream);
    upstream.on('error', () => socket.destroy());
    socket.on('error', () => upstream.destroy());
    upstream.on('close', () => socket.destroy());
    socket.on('close', () => upstream.destroy());
  });

  await new Promise<void>((resolve) => server.listen(options.port, options.host, resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  await Promise.all(upstreams.map(check));
  return {
    url: `http://${options.host}:${port}`,
    setUpstreams(urls) {
      upstreams = [...urls];
      for (const url of urls) void check(url);
    },
    async close() {
      clearInterval(poll);
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
