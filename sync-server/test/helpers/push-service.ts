import {
  createECDH,
  createDecipheriv,
  createPublicKey,
  hkdfSync,
  randomBytes,
  verify,
} from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the push service received. */
export interface ReceivedPush {
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/**
 * A browser's side of a subscription: an ECDH P-256 key pair and an auth
 * secret, made as a browser makes them, and the decryption a browser does
 * (RFC 8291 key derivation, RFC 8188 aes128gcm), written from the RFCs with
 * node:crypto, not with the library the server encrypts with.
 */
export class FakeDevice {
  readonly #ecdh = createECDH('prime256v1');
  readonly #auth = randomBytes(16);
  readonly publicKey: Buffer;

  constructor(readonly endpoint: string) {
    this.publicKey = this.#ecdh.generateKeys();
  }

  /** What `PushSubscription.toJSON()` gives, for `POST /api/push/subscriptions`. */
  subscription(): { endpoint: string; keys: { p256dh: string; auth: string } } {
    return {
      endpoint: this.endpoint,
      keys: {
        p256dh: this.publicKey.toString('base64url'),
        auth: this.#auth.toString('base64url'),
      },
    };
  }

  /** The plaintext of an aes128gcm body encrypted to this device (one record). */
  decrypt(body: Buffer): string {
    const salt = body.subarray(0, 16);
    const idLength = body.readUInt8(20);
    const serverKey = body.subarray(21, 21 + idLength);
    const record = body.subarray(21 + idLength);
    const shared = this.#ecdh.computeSecret(serverKey);
    const keyInfo = Buffer.concat([Buffer.from('WebPush: info\0'), this.publicKey, serverKey]);
    const ikm = Buffer.from(hkdfSync('sha256', shared, this.#auth, keyInfo, 32));
    const derive = (info: string, length: number) =>
      Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from(info), length));
    const key = derive('Content-Encoding: aes128gcm\0', 16);
    const nonce = derive('Content-Encoding: nonce\0', 12);
    const decipher = createDecipheriv('aes-128-gcm', key, nonce);
    decipher.setAuthTag(record.subarray(record.length - 16));
    const padded = Buffer.concat([
      decipher.update(record.subarray(0, record.length - 16)),
      decipher.final(),
    ]);
    // The last record ends with the delimiter 0x02, then zero padding.
    const end = padded.lastIndexOf(2);
    return padded.subarray(0, end).toString('utf8');
  }
}

/**
 * Checks a push's VAPID `Authorization: vapid t=<jwt>, k=<key>` header: signed
 * (ES256) by `publicKey`, for the push service's origin, not expired.
 * Returns the JWT's claims.
 */
export function verifyVapid(
  header: string | string[] | undefined,
  publicKey: string,
): { aud: string; exp: number; sub: string } {
  const match = /^vapid t=([^,\s]+),\s*k=(\S+)$/.exec(String(header));
  if (!match?.[1] || match[2] !== publicKey)
    throw new Error(`not our VAPID header: ${String(header)}`);
  const [head, claims, signature] = match[1].split('.');
  const point = Buffer.from(publicKey, 'base64url');
  const key = createPublicKey({
    key: {
      kty: 'EC',
      crv: 'P-256',
      x: point.subarray(1, 33).toString('base64url'),
      y: point.subarray(33, 65).toString('base64url'),
    },
    format: 'jwk',
  });
  const signed = verify(
    'sha256',
    Buffer.from(`${head}.${claims}`),
    { key, dsaEncoding: 'ieee-p1363' },
    Buffer.from(signature ?? '', 'base64url'),
  );
  if (!signed) throw new Error('VAPID signature does not verify');
  return JSON.parse(Buffer.from(claims ?? '', 'base64url').toString('utf8')) as {
    aud: string;
    exp: number;
    sub: string;
  };
}

/**
 * A push service on loopback: records every request, answers each path with
 * the statuses queued for it (then 201), and resolves waiters by count.
 */
export class FakePushService {
  readonly received: ReceivedPush[] = [];
  readonly #answers = new Map<string, number[]>();
  readonly #server: Server;
  url = '';

  private constructor() {
    this.#server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const path = req.url ?? '/';
        this.received.push({ path, headers: req.headers, body: Buffer.concat(chunks) });
        res.statusCode = this.#answers.get(path)?.shift() ?? 201;
        res.end();
      });
    });
  }

  static async start(): Promise<FakePushService> {
    const service = new FakePushService();
    await new Promise<void>((resolve) => service.#server.listen(0, '127.0.0.1', resolve));
    service.url = `http://127.0.0.1:${(service.#server.address() as AddressInfo).port}`;
    return service;
  }

  /** A new device whose endpoint is on this service. */
  device(name: string): FakeDevice {
    return new FakeDevice(`${this.url}/push/${name}`);
  }

  /** The next requests to `device` are answered with `statuses`, in order. */
  answer(device: FakeDevice, ...statuses: number[]): void {
    this.#answers.set(new URL(device.endpoint).pathname, statuses);
  }

  /** Requests received for `device`. */
  to(device: FakeDevice): ReceivedPush[] {
    const path = new URL(device.endpoint).pathname;
    return this.received.filter((r) => r.path === path);
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise((resolve) => this.#server.close(resolve));
  }
}
