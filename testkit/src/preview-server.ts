import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { crc32, deflateSync } from 'node:zlib';

/** A solid-colour RGB PNG of `width`×`height` (encoded here: the kit has no image library). */
export function solidPng(width: number, height: number, rgb: [number, number, number]): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const out = Buffer.alloc(body.length + 8);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc32(body), body.length + 4);
    return out;
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit RGB, no interlace
  const row = Buffer.alloc(1 + width * 3);
  for (let x = 0; x < width; x++) row.set(rgb, 1 + x * 3);
  const pixels = Buffer.concat(Array.from({ length: height }, () => row));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(pixels)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** What `/oembed` answers: a card's text, a thumbnail, and `html` no one may use. */
export const OEMBED_ANSWER = {
  type: 'video',
  version: '1.0',
  title: 'A talk & its demo',
  author_name: 'Speaker Name',
  provider_name: 'Video Site',
  thumbnail_url: '/card.png',
  html: '<iframe src="http://169.254.169.254/"></iframe><script>alert(1)</script>',
};

/**
 * A web site on loopback for link preview tests: a page with a card, its
 * image, an oEmbed endpoint (`/oembed?url=…`, as providers publish) and a page
 * without card meta that names it (`/discover`), and hostile pages (huge, never-ending, not HTML, script in its
 * meta, an image on a metadata address, redirects to refused addresses).
 * Records every path asked for, so "not fetched" is checked, not assumed.
 */
export class PreviewServer {
  readonly hits: string[] = [];
  url = '';
  readonly #image = solidPng(1200, 600, [40, 90, 200]);
  readonly #server: Server;

  private constructor() {
    this.#server = createServer((req, res) => {
      const path = req.url ?? '';
      this.hits.push(path);
      const html = (head: string) =>
        res
          .writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
          .end(`<!doctype html><html><head>${head}</head><body><p>body</p></body></html>`);
      const redirect = /^\/to\/(.*)$/.exec(path);
      if (redirect?.[1]) {
        res.writeHead(302, { location: decodeURIComponent(redirect[1]) }).end();
      } else if (path.startsWith('/article')) {
        html(`<title>ignored</title>
          <meta property="og:title" content="Release notes &amp; more">
          <meta property="og:description" content="What changed in this release.">
          <meta property="og:site_name" content="Preview Site">
          <meta property="og:image" content="/card.png">`);
      } else if (path.startsWith('/oembed?')) {
        // The thumbnail is absolute, as providers send it.
        const answer = { ...OEMBED_ANSWER, thumbnail_url: `${this.url}/card.png` };
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
      } else if (path.startsWith('/discover')) {
        const page = encodeURIComponent(`${this.url}${path}`);
        html(`<title></title>
          <link rel="alternate" type="text/xml+oembed" href="/oembed.xml?url=${page}">
          <link rel="alternate" type="application/json+oembed" href="/oembed?url=${page}&amp;format=json">`);
      } else if (path === '/card.png') {
        res.writeHead(200, { 'content-type': 'image/png' }).end(this.#image);
      } else if (path === '/twitter') {
        html(`<meta name="twitter:title" content="Tweet card">
          <meta name="twitter:description" content="From twitter meta">`);
      } else if (path === '/hostile') {
        html(`<meta property="og:title" content="<script>alert(1)</script><img src=x onerror=alert(2)>">
          <meta property="og:description" content="${'x'.repeat(20_000)}">
          <meta property="og:image" content="http://169.254.169.254/latest/meta-data/">`);
      } else if (path === '/svg-image') {
        html(`<meta property="og:title" content="SVG card">
          <meta property="og:image" content="/image.svg">`);
      } else if (path === '/image.svg') {
        res
          .writeHead(200, { 'content-type': 'image/png' })
          .end('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>');
      } else if (path === '/huge') {
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end(`<html><head><title>${'a'.repeat(2 * 1024 * 1024)}</title></head></html>`);
      } else if (path === '/slow') {
        // Headers, then nothing: only the time cap ends it.
        res.writeHead(200, { 'content-type': 'text/html' });
        res.flushHeaders();
      } else if (path === '/json') {
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"title":"no"}');
      } else {
        res.writeHead(404, { 'content-type': 'text/html' }).end('<title>Not found</title>');
      }
    });
  }

  /** Starts on 127.0.0.1 at a free port. */
  static async start(): Promise<PreviewServer> {
    const site = new PreviewServer();
    await new Promise<void>((resolve) => site.#server.listen(0, '127.0.0.1', resolve));
    site.url = `http://127.0.0.1:${(site.#server.address() as AddressInfo).port}`;
    return site;
  }

  /** How many times `path` was asked for. */
  count(path: string): number {
    return this.hits.filter((h) => h === path).length;
  }

  close(): Promise<void> {
    this.#server.closeAllConnections();
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }
}
