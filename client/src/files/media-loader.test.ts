import { resolveObjectURL } from 'node:buffer';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MediaLoader, MediaLoadError } from './media-loader.ts';

/**
 * A media server on loopback: `/files/<name>/<bytes>` answers that many
 * bytes (each the name's first letter) to `Authorization: Bearer <valid>`,
 * 401 to anything else; `/missing` is 404.
 */
class MediaServer {
  valid = 'token-1';
  readonly requests: {
    url: string;
    authorization: string | undefined;
    cookie: string | undefined;
  }[] = [];
  #server: Server | undefined;
  base = '';

  async start(): Promise<void> {
    this.#server = createServer((req, res) => this.#answer(req, res));
    await new Promise<void>((resolve) => this.#server?.listen(0, '127.0.0.1', resolve));
    this.base = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.#server?.close(() => resolve()));
  }

  url(name: string, bytes: number): string {
    return `${this.base}/files/${name}/${bytes}`;
  }

  /** How many requests reached `/files/<name>/…`. */
  hits(name: string): number {
    return this.requests.filter((r) => r.url.startsWith(`/files/${name}/`)).length;
  }

  #answer(req: IncomingMessage, res: ServerResponse): void {
    const url = req.url ?? '';
    this.requests.push({
      url,
      authorization: req.headers.authorization,
      cookie: req.headers.cookie,
    });
    if (req.headers.authorization !== `Bearer ${this.valid}`) {
      res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"unauthorized"}');
      return;
    }
    const match = /^\/files\/([a-z0-9-]+)\/(\d+)$/.exec(url);
    if (!match) {
      res.writeHead(404).end();
      return;
    }
    const [, name = '', bytes = '0'] = match;
    res
      .writeHead(200, { 'content-type': 'image/png' })
      .end(Buffer.alloc(Number(bytes), name.charCodeAt(0)));
  }
}

/** The token the app holds, and the refreshes the loader asked for. */
class Tokens {
  current = 'token-1';
  refreshes = 0;
  constructor(private readonly server: MediaServer) {}
  token = () => Promise.resolve(this.current);
  refresh = async () => {
    this.refreshes++;
    // The server issues the token it accepts, as /api/auth/refresh does.
    this.current = await Promise.resolve(this.server.valid);
    return this.current;
  };
}

/** The bytes behind a `blob:` URL, or undefined once it was revoked. */
async function blobBytes(objectUrl: string): Promise<Buffer | undefined> {
  const blob = resolveObjectURL(objectUrl);
  return blob ? Buffer.from(await blob.arrayBuffer()) : undefined;
}

describe('the media loader (phone apps)', () => {
  const server = new MediaServer();
  let tokens: Tokens;

  beforeAll(() => server.start());
  afterAll(() => server.stop());
  beforeEach(() => {
    server.requests.length = 0;
    server.valid = 'token-1';
    tokens = new Tokens(server);
  });

  const loader = (limits: { maxFiles?: number; maxBytes?: number } = {}) =>
    new MediaLoader({ token: tokens.token, refresh: tokens.refresh, ...limits });

  it('loads with the token in the Authorization header, never the URL or a cookie', async () => {
    const media = loader();
    const objectUrl = await media.load(server.url('avatar', 10));
    expect(objectUrl).toMatch(/^blob:/);
    expect(await blobBytes(objectUrl)).toEqual(Buffer.alloc(10, 'a'));
    expect(server.requests).toEqual([
      { url: '/files/avatar/10', authorization: 'Bearer token-1', cookie: undefined },
    ]);
    expect(media.held).toEqual({ files: 1, bytes: 10 });
  });

  it('keeps at most maxFiles, evicting the least recently used and revoking its URL', async () => {
    const media = loader({ maxFiles: 3 });
    const a = await media.load(server.url('a', 4));
    const b = await media.load(server.url('b', 4));
    await media.load(server.url('c', 4));
    // Using `a` again makes `b` the oldest; no request for a file held.
    expect(await media.load(server.url('a', 4))).toBe(a);
    expect(server.hits('a')).toBe(1);
    await media.load(server.url('d', 4));

    expect(media.held).toEqual({ files: 3, bytes: 12 });
    expect(await blobBytes(b)).toBeUndefined();
    expect(await blobBytes(a)).toEqual(Buffer.alloc(4, 'a'));
    // An evicted file is fetched again when shown again.
    const again = await media.load(server.url('b', 4));
    expect(again).not.toBe(b);
    expect(server.hits('b')).toBe(2);
  });

  it('keeps at most maxBytes, evicting oldest first, and refuses a file larger than all of it', async () => {
    const media = loader({ maxBytes: 1000 });
    const a = await media.load(server.url('a', 400));
    const b = await media.load(server.url('b', 400));
    const c = await media.load(server.url('c', 400));
    expect(media.held).toEqual({ files: 2, bytes: 800 });
    expect(await blobBytes(a)).toBeUndefined();
    expect((await blobBytes(b))?.length).toBe(400);

    await expect(media.load(server.url('huge', 1001))).rejects.toBeInstanceOf(MediaLoadError);
    // Refused before anything was evicted for it.
    expect(media.held).toEqual({ files: 2, bytes: 800 });
    expect((await blobBytes(c))?.length).toBe(400);
  });

  it('shares one request between loads of the same file in flight', async () => {
    const media = loader();
    const url = server.url('shared', 64);
    const [first, second, third] = await Promise.all([
      media.load(url),
      media.load(url),
      media.load(url),
    ]);
    expect(second).toBe(first);
    expect(third).toBe(first);
    expect(server.hits('shared')).toBe(1);
    expect(media.held.files).toBe(1);
  });

  it('after a 401 refreshes the token once, for every load refused meanwhile, and retries', async () => {
    const media = loader();
    server.valid = 'token-2';
    const [x, y] = await Promise.all([
      media.load(server.url('x', 8)),
      media.load(server.url('y', 8)),
    ]);
    expect(await blobBytes(x)).toEqual(Buffer.alloc(8, 'x'));
    expect(await blobBytes(y)).toEqual(Buffer.alloc(8, 'y'));
    expect(tokens.refreshes).toBe(1);
    expect(server.requests.map((r) => r.authorization).sort()).toEqual([
      'Bearer token-1',
      'Bearer token-1',
      'Bearer token-2',
      'Bearer token-2',
    ]);
  });

  it('gives up after one retry, and keeps nothing of a failed load', async () => {
    // The refresh gives a token this server does not take either.
    const media = new MediaLoader({
      token: tokens.token,
      refresh: () => Promise.resolve((tokens.current = 'token-2')),
    });
    server.valid = 'not-any-token-the-app-gets';
    const refused = media.load(server.url('z', 8));
    await expect(refused).rejects.toMatchObject({ status: 401 });
    expect(server.hits('z')).toBe(2);

    server.valid = 'token-2';
    await expect(media.load(`${server.base}/missing`)).rejects.toMatchObject({ status: 404 });
    expect(media.held.files).toBe(0);
    // A failed file is asked for again next time, not remembered as failed.
    expect(await blobBytes(await media.load(server.url('z', 8)))).toEqual(Buffer.alloc(8, 'z'));
  });

  it('clear() revokes every URL, and a load in flight during it keeps nothing', async () => {
    const media = loader();
    const a = await media.load(server.url('a', 5));
    const late = media.load(server.url('b', 5));
    media.clear();
    expect(await blobBytes(a)).toBeUndefined();
    await expect(late).rejects.toBeInstanceOf(MediaLoadError);
    expect(media.held).toEqual({ files: 0, bytes: 0 });
  });
});
