import http, { type IncomingHttpHeaders } from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import type { AddressPolicy } from './address-policy.ts';
import { OutboundRefused, type ResolvedAddress } from './address-policy.ts';

export { OutboundRefused } from './address-policy.ts';

/** One outbound HTTP request. */
export interface OutboundRequest {
  method?: 'GET' | 'POST' | 'HEAD' | undefined;
  headers?: Record<string, string>;
  body?: string | Uint8Array | undefined;
  /** Bytes of response body read at most; more aborts the request. */
  maxBytes?: number;
  /** For the whole exchange, redirects included. */
  timeoutMs?: number;
  /** Redirects followed (each hop vetted again); 0 returns the 3xx itself. */
  maxRedirects?: number;
}

/** What came back, after any redirects. */
export interface OutboundResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** The URL that answered (the last hop). */
  url: string;
}

/** The request went out but failed: network error, time cap, size cap, too many redirects. */
export class OutboundFailed extends Error {
  constructor(
    readonly reason: 'network' | 'timeout' | 'too-large' | 'redirects',
    detail = '',
  ) {
    super(`outbound request failed: ${reason}${detail ? ` (${detail})` : ''}`);
    this.name = 'OutboundFailed';
  }
}

export const outboundDefaults = {
  maxBytes: 1024 * 1024,
  timeoutMs: 10_000,
  maxRedirects: 3,
} as const;

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/**
 * HTTP(S) on someone else's say-so, guarded against SSRF: every hop's host is
 * resolved here and vetted by the {@link AddressPolicy}, and the socket
 * connects to that vetted address (the request's `lookup` answers with it),
 * so a name that re-resolves elsewhere between check and connect (DNS
 * rebinding) cannot switch it. Redirects are followed by hand, each hop
 * vetted; the body is streamed and cut at `maxBytes`; one deadline covers
 * the whole exchange. Throws {@link OutboundRefused} or {@link OutboundFailed}.
 */
export class SafeFetch {
  constructor(readonly policy: AddressPolicy) {}

  async fetch(target: string, request: OutboundRequest = {}): Promise<OutboundResponse> {
    const options = { ...outboundDefaults, ...request };
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), options.timeoutMs);
    try {
      let url = parseTarget(target);
      let { method, body } = request;
      for (let hop = 0; ; hop++) {
        const addresses = await this.policy.vet(url.hostname);
        if (controller.signal.aborted) throw new OutboundFailed('timeout');
        const response = await send(
          url,
          addresses,
          { ...options, method, body },
          controller.signal,
        );
        const location = response.headers.location;
        if (!REDIRECTS.has(response.status) || !location || options.maxRedirects === 0) {
          return response;
        }
        if (hop >= options.maxRedirects) throw new OutboundFailed('redirects');
        url = parseTarget(new URL(location, url).toString());
        // As browsers do: 303, and 301/302 after a POST, continue as a GET without a body.
        if (response.status === 303 || (method === 'POST' && response.status < 303)) {
          method = 'GET';
          body = undefined;
        }
      }
    } finally {
      clearTimeout(timer);
    }
  }
}

function parseTarget(target: string): URL {
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    throw new OutboundRefused('not a URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new OutboundRefused(`${url.protocol} is not http or https`);
  }
  if (url.username || url.password) throw new OutboundRefused('URL carries credentials');
  return url;
}

/** A `lookup` that answers only with the addresses vetted for this hop. */
function pinned(addresses: readonly ResolvedAddress[]): LookupFunction {
  return (_hostname, options, callback) => {
    if (options.all) {
      callback(
        null,
        addresses.map((a) => ({ address: a.address, family: a.family })),
      );
    } else {
      const first = addresses.find((a) => !options.family || a.family === options.family);
      if (first) callback(null, first.address, first.family);
      else callback(new Error('no vetted address of that family'), '', 0);
    }
  };
}

function send(
  url: URL,
  addresses: readonly ResolvedAddress[],
  options: OutboundRequest & { maxBytes: number },
  signal: AbortSignal,
): Promise<OutboundResponse> {
  const client = url.protocol === 'https:' ? https : http;
  const body = typeof options.body === 'string' ? Buffer.from(options.body) : options.body;
  return new Promise((resolve, reject) => {
    const req = client.request(url, {
      method: options.method ?? 'GET',
      headers: {
        'user-agent': 'Echora (+https://github.com/echora)',
        ...options.headers,
        ...(body ? { 'content-length': String(body.byteLength) } : {}),
      },
      lookup: pinned(addresses),
      // A fresh connection per request: a pooled one could have been vetted for another name.
      agent: false,
      signal,
    });
    req.on('error', (err) => {
      reject(signal.aborted ? new OutboundFailed('timeout') : asFailure(err));
    });
    req.on('response', (res) => {
      const declared = Number(res.headers['content-length']);
      if (Number.isFinite(declared) && declared > options.maxBytes) {
        res.destroy();
        reject(new OutboundFailed('too-large'));
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.byteLength;
        if (size > options.maxBytes) {
          res.destroy();
          reject(new OutboundFailed('too-large'));
          return;
        }
        chunks.push(chunk);
      });
      res.on('error', (err) => {
        reject(signal.aborted ? new OutboundFailed('timeout') : asFailure(err));
      });
      res.on('end', () => {
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks),
          url: url.toString(),
        });
      });
    });
    req.end(body);
  });
}

function asFailure(err: unknown): OutboundFailed {
  const code = (err as { code?: string }).code;
  return new OutboundFailed('network', code ?? (err instanceof Error ? err.message : ''));
}
