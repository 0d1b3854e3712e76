import http from 'node:http';
import type { AddressInfo } from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';
import { TcpProxy } from './fixtures/proxy.ts';
import { expect, test } from './fixtures/test.ts';

// The harness itself: if these fail, every other spec's verdict means nothing.

test('the proxy cut kills an open browser WebSocket and refuses new connections until restored', async ({
  page,
}) => {
  const site = http.createServer((_req, res) => {
    res.setHeader('content-type', 'text/html');
    res.end('<!doctype html><title>echo</title>');
  });
  const wss = new WebSocketServer({ server: site });
  wss.on('connection', (socket) =>
    socket.on('message', (data: Buffer) => socket.send(data.toString())),
  );
  await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
  const proxy = await TcpProxy.start({
    host: '127.0.0.1',
    port: (site.address() as AddressInfo).port,
  });
  try {
    await page.goto(proxy.url);
    await page.evaluate(
      (url) =>
        new Promise<void>((resolve, reject) => {
          const socket = new WebSocket(url);
          const events: string[] = [];
          Object.assign(window, { testSocket: socket, socketEvents: events });
          socket.onopen = () => socket.send('hello');
          socket.onmessage = (e) => {
            events.push(`message:${e.data as string}`);
            resolve();
          };
          socket.onclose = () => events.push('close');
          socket.onerror = () => reject(new Error('socket error'));
        }),
      proxy.url.replace('http', 'ws'),
    );

    proxy.cut();
    await expect
      .poll(() =>
        page.evaluate(() => (window as unknown as { socketEvents: string[] }).socketEvents),
      )
      .toEqual(['message:hello', 'close']);

    const refused = await page.evaluate(
      (url) =>
        fetch(url).then(
          () => 'ok',
          () => 'refused',
        ),
      proxy.url,
    );
    expect(refused).toBe('refused');

    proxy.restore();
    const text = await page.evaluate((url) => fetch(url).then((r) => r.text()), proxy.url);
    expect(text).toContain('<title>echo</title>');
  } finally {
    await proxy.close();
    for (const client of wss.clients) client.terminate();
    wss.close();
    site.closeAllConnections();
    await new Promise<void>((resolve) => site.close(() => resolve()));
  }
});

test('a Node WebSocket through the proxy is closed by cut, and a reconnect is refused', async () => {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await new Promise<void>((resolve) => wss.once('listening', resolve));
  const proxy = await TcpProxy.start({
    host: '127.0.0.1',
    port: (wss.address() as AddressInfo).port,
  });
  try {
    const socket = new WebSocket(proxy.url.replace('http', 'ws'));
    await new Promise((resolve) => socket.once('open', resolve));
    const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
    socket.on('error', () => undefined);
    proxy.cut();
    // 1006: closed without a close frame, i.e. the connection was really lost.
    expect(await closed).toBe(1006);

    const again = new WebSocket(proxy.url.replace('http', 'ws'));
    const outcome = await new Promise<string>((resolve) => {
      again.once('open', () => resolve('open'));
      again.once('error', () => resolve('error'));
    });
    expect(outcome).toBe('error');
  } finally {
    await proxy.close();
    wss.close();
  }
});

test('the server fixture starts a real sync-server that answers /healthz through a proxy', async ({
  openUser,
  server,
}) => {
  const alice = await openUser('alice');
  const response = await alice.page.request.get('/healthz');
  expect(response.status()).toBe(200);
  expect(alice.proxy.accepted).toBeGreaterThan(0);
  expect(server.owner.accessToken.length).toBeGreaterThan(0);

  await alice.goOffline();
  const whileCut = await alice.page.request.get('/healthz').then(
    (r) => r.status(),
    () => 'refused',
  );
  expect(whileCut).toBe('refused');
  await alice.goOnline();
  expect((await alice.page.request.get('/healthz')).status()).toBe(200);
});
