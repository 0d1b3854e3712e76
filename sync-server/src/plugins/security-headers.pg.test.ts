import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, registerUser } from '../../test/helpers/app.ts';
import { describeEachDb } from '../../test/helpers/db.ts';
import { contentSecurityPolicy } from './security-headers.ts';

/** The directives of a CSP header, by name. */
function directives(csp: unknown): Map<string, string[]> {
  return new Map(
    String(csp)
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((parts) => parts[0])
      .map(([name, ...values]) => [name ?? '', values]),
  );
}

describe('contentSecurityPolicy', () => {
  it('lists the SFU_URLS origins, else the SFU beside the server on the page host', () => {
    const listed = directives(
      contentSecurityPolicy(
        { sfuUrls: ['https://sfu1.example.com/', 'http://10.0.0.5:3001/path'], sfuPort: 3001 },
        'chat.example.com',
      ),
    );
    expect(listed.get('connect-src')).toEqual([
      "'self'",
      'wss://sfu1.example.com',
      'ws://10.0.0.5:3001',
    ]);
    const local = directives(contentSecurityPolicy({ sfuUrls: [], sfuPort: 4001 }, '::1'));
    expect(local.get('connect-src')).toEqual(["'self'", 'ws://[::1]:4001', 'wss://[::1]:4001']);
  });

  it('never carries a hostile Host header into the policy', () => {
    const csp = contentSecurityPolicy(
      { sfuUrls: [], sfuPort: 3001 },
      "evil.example; script-src * 'unsafe-inline'",
    );
    expect(csp).not.toContain('evil');
    expect(directives(csp).get('script-src')).toEqual(["'self'"]);
  });
});

describeEachDb('security headers', (getDb) => {
  let app: FastifyInstance;
  let dist: string;

  beforeAll(async () => {
    dist = await mkdtemp(join(tmpdir(), 'echora-dist-'));
    await mkdir(join(dist, 'assets'));
    await writeFile(
      join(dist, 'index.html'),
      '<!doctype html><script type="module" src="/assets/a.js"></script>',
    );
    await writeFile(join(dist, 'assets/a.js'), 'console.log(1)');
    app = await createTestApp(getDb(), {
      config: { clientDist: dist, sfuPort: 3901, trustProxy: true },
    });
  });
  afterAll(async () => {
    await app.close();
    await rm(dist, { recursive: true, force: true });
  });

  it.each(['/', '/assets/a.js', '/api/me', '/healthz', '/invite/abc'])(
    'sends the security headers with %s',
    async (url) => {
      const response = await app.inject({ url, headers: { host: 'chat.example.com:3000' } });
      const headers = response.headers;
      const csp = directives(headers['content-security-policy']);
      expect(csp.get('script-src')).toEqual(["'self'"]);
      expect(csp.get('style-src')).toEqual(["'self'"]);
      expect(csp.get('object-src')).toEqual(["'none'"]);
      expect(csp.get('frame-ancestors')).toEqual(["'none'"]);
      expect(csp.get('base-uri')).toEqual(["'none'"]);
      expect(csp.get('connect-src')).toEqual([
        "'self'",
        'ws://chat.example.com:3901',
        'wss://chat.example.com:3901',
      ]);
      expect(String(headers['content-security-policy'])).not.toContain('unsafe');
      expect(headers['x-content-type-options']).toBe('nosniff');
      expect(headers['referrer-policy']).toBe('no-referrer');
      expect(headers['x-frame-options']).toBe('DENY');
      expect(headers['cross-origin-opener-policy']).toBe('same-origin');
      expect(headers['cross-origin-resource-policy']).toBe('same-site');
      expect(headers['permissions-policy']).toMatch(
        /^microphone=\(self\), camera=\(self\), display-capture=\(self\), geolocation=\(\)/,
      );
      // Plain http: no HSTS (a LAN install without TLS must stay reachable).
      expect(headers['strict-transport-security']).toBeUndefined();
    },
  );

  it('sends HSTS behind TLS (a trusted proxy says https)', async () => {
    const response = await app.inject({
      url: '/',
      headers: { host: 'chat.example.com', 'x-forwarded-proto': 'https' },
    });
    expect(response.headers['strict-transport-security']).toBe(
      'max-age=31536000; includeSubDomains',
    );
  });

  it("keeps the file routes' own sandboxing policy", async () => {
    const { accessToken } = await registerUser(app, 'headers');
    const form = new FormData();
    form.append('file', new Blob(['<html><script>alert(1)</script>']), 'x.html');
    const url = await app.listen({ port: 0, host: '127.0.0.1' });
    const upload = await fetch(`${url}/api/uploads`, {
      method: 'POST',
      body: form,
      headers: { authorization: `Bearer ${accessToken}` },
    });
    const { file } = (await upload.json()) as { file: { url: string } };
    const served = await app.inject({
      url: file.url,
      headers: { authorization: `Bearer ${accessToken}` },
    });
    expect(served.statusCode).toBe(200);
    expect(served.headers['content-security-policy']).toBe("default-src 'none'; sandbox");
    expect(served.headers['x-content-type-options']).toBe('nosniff');
  });
});
