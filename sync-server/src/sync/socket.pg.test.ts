import { afterAll, beforeAll, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import WebSocket from 'ws';
import fc from 'fast-check';
import { CloseCode, Limits, newId, PROTOCOL_VERSION } from '@echora/shared';
import { describeEachDb } from '../../test/helpers/db.ts';
import { createTestApp, registerUser } from '../../test/helpers/app.ts';
import { SyncClient } from '../../test/helpers/sync-client.ts';
import { signAccessToken } from '../domain/auth/tokens.ts';

describeEachDb('sync socket: handshake and hostile frames', (getDb) => {
  let app: FastifyInstance;
  let url: string;
  let token: string;

  beforeAll(async () => {
    app = await createTestApp(getDb(), {
      sync: { authTimeoutMs: 300, frameRate: { capacity: 400, windowMs: 10_000 } },
    });
    url = await app.listen({ port: 0, host: '127.0.0.1' });
    token = (await registerUser(app, 'alice')).accessToken;
  });
  afterAll(async () => {
    await app?.close();
  });

  const auth = (over: Record<string, unknown> = {}) => ({
    type: 'auth',
    token,
    clientId: newId(),
    protocolVersion: PROTOCOL_VERSION,
    cursors: {},
    ...over,
  });

  async function closeCodeFor(first: unknown): Promise<number> {
    const c = await SyncClient.connect(url, { token, auth: false });
    if (first !== undefined) c.send(first);
    return (await c.closed).code;
  }

  it('closes with a named code for every bad handshake', async () => {
    const stranger = newId();
    await getDb().query(
      "INSERT INTO users (id, username, password_hash, display_name) VALUES ($1, $2, 'x', 'x')",
      [stranger, `stranger-${stranger.slice(0, 8)}`],
    );
    const notMember = await signAccessToken(app.config.jwtSecret, {
      userId: stranger,
      sessionId: newId(),
    });
    const expired = await signAccessToken(
      app.config.jwtSecret,
      { userId: stranger, sessionId: newId() },
      -10,
    );
    const cases: [string, unknown, number][] = [
      ['nothing sent', undefined, CloseCode.authTimeout],
      ['not JSON', '{nope', CloseCode.badHandshake],
      ['not auth first', { type: 'ping' }, CloseCode.badHandshake],
      ['bad auth shape', auth({ clientId: 'x' }), CloseCode.badHandshake],
      [
        'too many cursors',
        auth({
          cursors: Object.fromEntries(
            Array.from({ length: Limits.maxCursors + 1 }, (_, i) => [`s${i}`, 1]),
          ),
        }),
        CloseCode.badHandshake,
      ],
      ['old client', auth({ protocolVersion: PROTOCOL_VERSION - 1 }), CloseCode.clientTooOld],
      ['new client', auth({ protocolVersion: PROTOCOL_VERSION + 1 }), CloseCode.serverTooOld],
      ['forged token', auth({ token: 'abc.def.ghi' }), CloseCode.unauthorized],
      ['expired token', auth({ token: expired }), CloseCode.unauthorized],
      ['not a member', auth({ token: notMember }), CloseCode.forbidden],
    ];
    for (const [name, first, code] of cases) {
      expect([name, await closeCodeFor(first)]).toEqual([name, code]);
    }
  });

  it('closes a socket that sends a frame over the size cap with 1009', async () => {
    const c = await (await SyncClient.connect(url, { token })).synced();
    c.send({ type: 'ping', pad: 'x'.repeat(Limits.frameBytes + 10) });
    expect((await c.closed).code).toBe(CloseCode.tooLarge);
  });

  it('answers hostile frames after auth with typed errors and stays up', async () => {
    const c = await (await SyncClient.connect(url, { token })).synced();
    const hostile: unknown[] = [
      '{"type":',
      'null',
      '42',
      '[]',
      '"ping"',
      { type: 'nope' },
      { type: '__proto__' },
      { type: 'constructor' },
      { type: 'toString' },
      { type: 'auth', token, clientId: newId(), protocolVersion: 1, cursors: {} },
      { type: 'mutate', seq: 'one', name: 'message.send', args: {} },
      { type: 'mutate', seq: 1, name: 'drop.tables', args: {} },
      { type: 'history', requestId: 'r1', channelId: 5, before: null, limit: 10 },
      { type: 'history', requestId: 'r2', channelId: newId(), before: null, limit: 100_000 },
      '{"type":"mutate","seq":1,"name":"message.send","args":{"__proto__":{"polluted":1},"id":"x"}}',
      '{"__proto__":{"polluted":1},"type":"ping"}',
      { type: 'presence', status: 'offline' },
    ];
    for (const frame of hostile) c.send(frame);
    c.send({ type: 'ping' });
    await c.waitFor((f) => f.type === 'pong');
    const errors = c.frames.filter((f) => f.type === 'error' || f.type === 'reject');
    // Every hostile frame got exactly one typed answer (the polluted ping is a valid ping).
    expect(errors.length + c.frames.filter((f) => f.type === 'pong').length).toBe(
      hostile.length + 1,
    );
    for (const e of errors) {
      if (e.type === 'error' || e.type === 'reject')
        expect(['invalid', 'protocol']).toContain(e.error.kind);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(c.ws.readyState).toBe(WebSocket.OPEN);
    await c.close();
  });

  it('survives random frames (property)', async () => {
    const c = await (await SyncClient.connect(url, { token })).synced();
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string(),
          fc.json(),
          fc.record({
            type: fc.constantFrom('mutate', 'history', 'presence', 'ping'),
            seq: fc.anything(),
            args: fc.anything(),
          }),
        ),
        async (frame) => {
          const n = c.frames.length;
          c.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
          c.send({ type: 'ping' });
          await c.next((f) => f.type === 'pong');
          expect(c.frames.length).toBeGreaterThan(n);
        },
      ),
      { numRuns: 60 },
    );
    expect(c.ws.readyState).toBe(WebSocket.OPEN);
    await c.close();
  });

  it('closes a flooding client with rateLimited, and the server keeps serving', async () => {
    const c = await (await SyncClient.connect(url, { token })).synced();
    for (let i = 0; i < 500; i++) c.send({ type: 'ping' });
    expect((await c.closed).code).toBe(CloseCode.rateLimited);
    const d = await (await SyncClient.connect(url, { token })).synced();
    await d.close();
  });
});
