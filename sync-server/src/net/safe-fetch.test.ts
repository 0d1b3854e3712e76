import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AddressPolicy, type Resolver } from './address-policy.ts';
import { OutboundFailed, OutboundRefused, SafeFetch } from './safe-fetch.ts';

/*
 * Servers on loopback that this file runs stand in for internal services.
 * Each records the requests it got, so "refused" means refused before any
 * byte left, not a request that happened to fail. 10.0.0.1 and
 * 169.254.169.254 are refused before connecting (nothing listens there on a
 * test machine): the error says it was the guard.
 */
interface Target {
  server: Server;
  port: number;
  hits: string[];
}

type Handler = (path: string, res: ServerResponse) => void;

async function serve(host: string, handler: Handler): Promise<Target> {
  const hits: string[] = [];
  const server = createServer((req, res) => {
    hits.push(req.url ?? '');
    handler(req.url ?? '', res);
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  return { server, port: (server.address() as AddressInfo).port, hits };
}

/** A hosts-file resolver: names map to fixed addresses. */
const hosts =
  (table: Record<string, string[]>): Resolver =>
  (name) => {
    const addresses = table[name];
    if (!addresses) return Promise.reject(new Error('ENOTFOUND'));
    return Promise.resolve(
      addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })),
    );
  };

const refusal = async (promise: Promise<unknown>): Promise<string> => {
  const error: unknown = await promise.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(error).toBeInstanceOf(OutboundRefused);
  return (error as OutboundRefused).reason;
};

describe('safe fetch: the SSRF guard', () => {
  let v4: Target;
  let v6: Target;
  let other: Target;
  const hitsBefore = () => v4.hits.length + v6.hits.length + other.hits.length;

  const handler: Handler = (path, res) => {
    const redirect = /^\/to\/(.*)$/.exec(path);
    if (redirect?.[1]) {
      res.writeHead(302, { location: decodeURIComponent(redirect[1]) }).end();
    } else if (path === '/loop') {
      res.writeHead(307, { location: '/loop' }).end();
    } else if (path === '/big') {
      res.writeHead(200);
      res.write(Buffer.alloc(64 * 1024, 'a'));
      res.end(Buffer.alloc(64 * 1024, 'a'));
    } else if (path === '/hang') {
      res.flushHeaders();
    } else {
      res.writeHead(200, { 'content-type': 'text/plain' }).end(`hello from ${path}`);
    }
  };

  beforeAll(async () => {
    v4 = await serve('127.0.0.1', handler);
    v6 = await serve('::1', handler);
    other = await serve('127.0.0.2', handler);
  });
  afterAll(async () => {
    for (const t of [v4, v6, other]) {
      t.server.closeAllConnections();
      await new Promise((resolve) => t.server.close(resolve));
    }
  });

  describe('with no allow-list', () => {
    const guard = new SafeFetch(
      new AddressPolicy(
        [],
        hosts({
          'internal.example': ['127.0.0.1'],
          'metadata.example': ['169.254.169.254'],
          'mixed.example': ['8.8.8.8', '10.0.0.1'],
          'mapped.example': ['::ffff:127.0.0.1'],
          'v6.example': ['::1'],
        }),
      ),
    );

    it('refuses loopback, private, link-local, metadata and unspecified addresses', async () => {
      const before = hitsBefore();
      expect(await refusal(guard.fetch(`http://127.0.0.1:${v4.port}/`))).toMatch(/loopback/);
      expect(await refusal(guard.fetch(`http://[::1]:${v6.port}/`))).toMatch(/loopback/);
      expect(await refusal(guard.fetch(`http://127.0.0.2:${other.port}/`))).toMatch(/loopback/);
      expect(await refusal(guard.fetch(`http://[::ffff:127.0.0.1]:${v4.port}/`))).toMatch(
        /loopback/,
      );
      expect(await refusal(guard.fetch('http://10.0.0.1/'))).toMatch(/private/);
      expect(await refusal(guard.fetch('http://192.168.1.1/'))).toMatch(/private/);
      expect(await refusal(guard.fetch('http://100.64.0.1/'))).toMatch(/carrierGradeNat/);
      expect(await refusal(guard.fetch('http://169.254.169.254/latest/meta-data/'))).toMatch(
        /linkLocal/,
      );
      expect(await refusal(guard.fetch('http://[fd00:ec2::254]/'))).toMatch(/uniqueLocal/);
      expect(await refusal(guard.fetch('http://[fe80::1]/'))).toMatch(/linkLocal/);
      expect(await refusal(guard.fetch(`http://0.0.0.0:${v4.port}/`))).toMatch(/unspecified/);
      expect(await refusal(guard.fetch('http://224.0.0.1/'))).toMatch(/multicast/);
      expect(hitsBefore()).toBe(before);
    });

    it('refuses host names that resolve to them', async () => {
      const before = hitsBefore();
      expect(await refusal(guard.fetch(`http://internal.example:${v4.port}/`))).toMatch(
        /internal\.example resolves to 127\.0\.0\.1 is loopback/,
      );
      expect(await refusal(guard.fetch('http://metadata.example/'))).toMatch(/linkLocal/);
      expect(await refusal(guard.fetch(`http://mapped.example:${v4.port}/`))).toMatch(/loopback/);
      expect(await refusal(guard.fetch(`http://v6.example:${v6.port}/`))).toMatch(/loopback/);
      // One private address among public ones is enough: a later lookup could pick it.
      expect(await refusal(guard.fetch('http://mixed.example/'))).toMatch(/10\.0\.0\.1/);
      expect(await refusal(guard.fetch('http://nowhere.example/'))).toMatch(/does not resolve/);
      expect(hitsBefore()).toBe(before);
    });

    it('refuses localhost through the system resolver', async () => {
      const system = new SafeFetch(new AddressPolicy([]));
      expect(await refusal(system.fetch(`http://localhost:${v4.port}/`))).toMatch(/loopback/);
      expect(v4.hits).not.toContain('/');
    });

    it('refuses other schemes and URLs with credentials', async () => {
      expect(await refusal(guard.fetch('file:///etc/passwd'))).toMatch(/not http/);
      expect(await refusal(guard.fetch('http://user:pw@8.8.8.8/'))).toMatch(/credentials/);
      expect(await refusal(guard.fetch('not a url'))).toMatch(/not a URL/);
    });
  });

  describe('with the allow-list switch', () => {
    it('lets allowed addresses, ranges and host names through', async () => {
      const guard = new SafeFetch(
        new AddressPolicy(
          ['127.0.0.1', '::1', 'preview.test'],
          hosts({ 'preview.test': ['127.0.0.2'] }),
        ),
      );
      const a = await guard.fetch(`http://127.0.0.1:${v4.port}/a`);
      expect([a.status, a.body.toString()]).toEqual([200, 'hello from /a']);
      const b = await guard.fetch(`http://[::1]:${v6.port}/b`);
      expect(b.body.toString()).toBe('hello from /b');
      const c = await guard.fetch(`http://preview.test:${other.port}/c`);
      expect(c.body.toString()).toBe('hello from /c');
      // Allowing 127.0.0.1 does not allow the rest of loopback.
      expect(await refusal(guard.fetch(`http://127.0.0.2:${other.port}/`))).toMatch(/loopback/);
      const cidr = new SafeFetch(new AddressPolicy(['127.0.0.0/8']));
      const d = await cidr.fetch(`http://127.0.0.2:${other.port}/d`);
      expect(d.body.toString()).toBe('hello from /d');
    });

    it('vets every redirect hop, and follows at most three', async () => {
      const guard = new SafeFetch(
        new AddressPolicy(['127.0.0.1'], hosts({ 'rebound.example': ['::1'] })),
      );
      const via = (target: string) =>
        `http://127.0.0.1:${v4.port}/to/${encodeURIComponent(target)}`;
      const hits = v6.hits.length + other.hits.length;
      expect(await refusal(guard.fetch(via(`http://127.0.0.2:${other.port}/x`)))).toMatch(
        /loopback/,
      );
      expect(await refusal(guard.fetch(via(`http://[::1]:${v6.port}/x`)))).toMatch(/loopback/);
      expect(await refusal(guard.fetch(via('http://169.254.169.254/')))).toMatch(/linkLocal/);
      expect(await refusal(guard.fetch(via('http://10.0.0.1/')))).toMatch(/private/);
      expect(await refusal(guard.fetch(via(`http://rebound.example:${v6.port}/`)))).toMatch(
        /loopback/,
      );
      expect(v6.hits.length + other.hits.length).toBe(hits);
      // A redirect within allowed addresses is followed.
      const ok = await guard.fetch(via(`http://127.0.0.1:${v4.port}/landed`));
      expect([ok.status, ok.body.toString()]).toEqual([200, 'hello from /landed']);
      const loop = await guard.fetch(`http://127.0.0.1:${v4.port}/loop`).catch((e: unknown) => e);
      expect(loop).toBeInstanceOf(OutboundFailed);
      expect((loop as OutboundFailed).reason).toBe('redirects');
    });

    it('connects to the address it vetted, not a second lookup (DNS rebinding)', async () => {
      let lookups = 0;
      // The first answer is allowed; any later one points at a refused address.
      const rebinding: Resolver = () => {
        lookups++;
        return Promise.resolve([{ address: lookups === 1 ? '127.0.0.1' : '127.0.0.2', family: 4 }]);
      };
      const guard = new SafeFetch(new AddressPolicy(['127.0.0.1'], rebinding));
      const before = other.hits.length;
      const response = await guard.fetch(`http://rebind.example:${v4.port}/pinned`);
      expect(response.body.toString()).toBe('hello from /pinned');
      expect(lookups).toBe(1);
      expect(other.hits.length).toBe(before);
    });

    it('caps the body size and the time', async () => {
      const guard = new SafeFetch(new AddressPolicy(['127.0.0.1']));
      const big = await guard
        .fetch(`http://127.0.0.1:${v4.port}/big`, { maxBytes: 100_000 })
        .catch((e: unknown) => e);
      expect((big as OutboundFailed).reason).toBe('too-large');
      const small = await guard.fetch(`http://127.0.0.1:${v4.port}/big`, { maxBytes: 200_000 });
      expect(small.body.byteLength).toBe(128 * 1024);
      // The server sends headers and never a body: only the deadline ends it.
      const hang = await guard
        .fetch(`http://127.0.0.1:${v4.port}/hang`, { timeoutMs: 50 })
        .catch((e: unknown) => e);
      expect((hang as OutboundFailed).reason).toBe('timeout');
    });
  });
});
