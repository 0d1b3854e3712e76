import type { FastifyInstance, FastifyRequest } from 'fastify';
import fastifyHelmet from '@fastify/helmet';
import { toWsUrl } from '../domain/voice/nodes.ts';

/** HSTS for a year, sent only over TLS (browsers ignore it on plain http anyway). */
const HSTS = 'max-age=31536000; includeSubDomains';

/**
 * Features the app may use: the microphone, camera and screen capture for
 * voice and video (in this origin only); nothing else a page could ask for.
 */
export const PERMISSIONS_POLICY = [
  'microphone=(self)',
  'camera=(self)',
  'display-capture=(self)',
  'geolocation=()',
  'payment=()',
  'usb=()',
  'serial=()',
  'hid=()',
  'bluetooth=()',
  'midi=()',
  'interest-cohort=()',
].join(', ');

/** A Host header's name as a CSP source may carry it; anything else is dropped. */
function sourceHost(hostname: string): string | undefined {
  if (/^[A-Za-z0-9.-]+$/.test(hostname)) return hostname;
  const bare = hostname.replace(/^\[|\]$/g, '');
  return /^[0-9A-Fa-f:.]+$/.test(bare) && bare.includes(':') ? `[${bare}]` : undefined;
}

/**
 * The Content-Security-Policy of every response. Scripts come only from this
 * origin's files: the built client has no inline script (Vite emits modules,
 * the service worker is registered from the bundle, not by an injected tag).
 * Styles are this origin's stylesheet; Svelte sets dynamic styles through the
 * CSSOM (`element.style`), which CSP does not govern, and its transitions use
 * the Web Animations API, so no `'unsafe-inline'` is needed for them either.
 * connect-src adds the voice servers: `SFU_URLS`, else the SFU beside this
 * server on the host the page was loaded from.
 */
export function contentSecurityPolicy(
  config: { sfuUrls: readonly string[]; sfuPort: number },
  hostname: string,
): string {
  const sfu =
    config.sfuUrls.length > 0 ? config.sfuUrls.map(sfuOrigin) : localSfu(config, hostname);
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    // data: and blob: for avatar crops and image previews made in the page.
    "img-src 'self' data: blob:",
    "media-src 'self' blob:",
    "font-src 'self'",
    `connect-src 'self' ${sfu.join(' ')}`.trim(),
    "worker-src 'self'",
    "manifest-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** The ws(s) origin of an `SFU_URLS` entry: a CSP source with a path would match that path only. */
function sfuOrigin(url: string): string {
  const parsed = new URL(toWsUrl(url));
  return `${parsed.protocol}//${parsed.host}`;
}

function localSfu(config: { sfuPort: number }, hostname: string): string[] {
  const host = sourceHost(hostname);
  if (!host) return [];
  // Either scheme: the page may sit behind a TLS proxy that this server cannot see.
  return [`ws://${host}:${config.sfuPort}`, `wss://${host}:${config.sfuPort}`];
}

/**
 * Security headers on every response: helmet's set (nosniff, Referrer-Policy
 * `no-referrer`, X-Frame-Options `DENY`, Cross-Origin-Opener-Policy
 * `same-origin`, Cross-Origin-Resource-Policy `same-site` ...), plus a CSP,
 * Permissions-Policy, and HSTS when the request came over TLS (directly, or
 * through a proxy trusted with `TRUST_PROXY`). Routes that serve user files
 * set a stricter CSP of their own, which replaces this one.
 */
export async function registerSecurityHeaders(app: FastifyInstance): Promise<void> {
  await app.register(fastifyHelmet, {
    // Built per request below: connect-src depends on the host.
    contentSecurityPolicy: false,
    strictTransportSecurity: false,
    referrerPolicy: { policy: 'no-referrer' },
    xFrameOptions: { action: 'deny' },
    // same-site, not same-origin: a client on a sibling host (CORS_ORIGINS) still loads media.
    crossOriginResourcePolicy: { policy: 'same-site' },
  });
  app.addHook('onRequest', async (request: FastifyRequest, reply) => {
    reply.header('content-security-policy', contentSecurityPolicy(app.config, request.hostname));
    reply.header('permissions-policy', PERMISSIONS_POLICY);
    if (request.protocol === 'https') reply.header('strict-transport-security', HSTS);
  });
}
