/**
 * Fuzzes every sync socket frame kind (auth, mutate with every mutation name,
 * history, presence, ping, unknown) with random and adversarial payloads: the
 * answer is a typed `error`/`reject` frame or a named close code, never an
 * internal error; refused frames change no durable row; the process stays up.
 */
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  CloseCode,
  PROTOCOL_VERSION,
  mutationNames,
  newId,
  type DownMessage,
} from '@echora/shared';
import { createTestApp, registerUser } from '../helpers/app.ts';
import { describeEachDb } from '../helpers/db.ts';
import { SyncClient } from '../helpers/sync-client.ts';
import { fingerprint } from './fingerprint.ts';
import {
  fuzzParams,
  hostileString,
  hostileText,
  hostileValue,
  mangled,
  prototypeClean,
} from './hostile.ts';

/** Codes a hostile frame may earn; 1011 (internal error) is a bug. */
const namedCloses = new Set<number>([
  CloseCode.tooLarge,
  CloseCode.badHandshake,
  CloseCode.unauthorized,
  CloseCode.clientTooOld,
  CloseCode.serverTooOld,
  CloseCode.rateLimited,
]);
const NEXT_SEQ = -424242;

describeEachDb('sync socket fuzz', (getDb) => {
  let app: FastifyInstance;
  let url: string;
  let token: string;
  // Filled in beforeAll; arbitraries read it when they generate, not when built.
  const ids = { channel: '', message: '', others: newId() };

  beforeAll(async () => {
    app = await createTestApp(getDb(), {
      // Fuzzing is not flooding: lift the frame and send limits so every run reaches the handlers.
      sync: {
        frameRate: { capacity: 1_000_000, windowMs: 60_000 },
        sendRate: { capacity: 1_000_000, windowMs: 60_000 },
      },
    });
    url = await app.listen({ port: 0, host: '127.0.0.1' });
    const owner = await registerUser(app, 'owner');
    const member = await registerUser(app, 'member');
    token = member.accessToken;
    const o = await (await SyncClient.connect(url, { token: owner.accessToken })).synced();
    const channel = [...o.replica.channels.values()].find((c) => c.kind === 'text')?.id ?? '';
    const message = newId();
    await o.mutate('message.send', { id: message, channelId: channel, content: 'owned by owner' });
    await o.close();
    Object.assign(ids, { channel, message });
  });
  afterAll(async () => {
    await app.close();
  });

  const uuidish = () =>
    fc.oneof(
      fc.constantFrom('channel', 'message', 'others').map((k: keyof typeof ids) => ids[k]),
      fc.uuid(),
      hostileValue,
    );
  const mutate = fc.record({
    type: fc.constant('mutate'),
    seq: fc.oneof(fc.constant(NEXT_SEQ), fc.integer({ min: 1, max: 5 }), hostileValue),
    name: fc.oneof(fc.constantFrom(...mutationNames), hostileString),
    args: fc.oneof(
      mangled(
        fc.record({
          id: uuidish(),
          channelId: uuidish(),
          content: fc.oneof(hostileString, fc.string()),
          name: fc.oneof(hostileString, fc.string()),
          kind: fc.constantFrom('text', 'voice'),
          topic: hostileString,
          ids: fc.array(uuidish(), { maxLength: 5 }),
        }),
      ),
      mangled(
        fc.record({ id: fc.constant(newId()), channelId: uuidish(), content: hostileString }),
      ),
      hostileValue,
    ),
  });
  const frame = fc.oneof(
    mangled(mutate),
    mangled(
      fc.record({
        type: fc.constant('history'),
        requestId: hostileString,
        channelId: uuidish(),
        before: fc.oneof(fc.constant(null), fc.integer()),
        limit: fc.integer({ min: -5, max: 500 }),
      }),
    ),
    mangled(
      fc.record({ type: fc.constant('presence'), status: fc.constantFrom('online', 'idle') }),
    ),
    mangled(fc.record({ type: fc.constant('ping') })),
    mangled(fc.record({ type: fc.constant('auth'), token: hostileString })),
    mangled(fc.record({ type: hostileString })),
  );
  const wire = fc.oneof(
    { weight: 8, arbitrary: frame.map((f) => JSON.stringify(f)) },
    { weight: 2, arbitrary: hostileText },
    {
      weight: 1,
      arbitrary: fc.constant(JSON.stringify({ type: 'ping', pad: 'x'.repeat(70_000) })),
    },
  );

  it('answers live frames with typed errors or named closes and changes nothing it refuses', async () => {
    let client = await (await SyncClient.connect(url, { token })).synced();
    await fc.assert(
      fc.asyncProperty(wire, async (text) => {
        const before = await fingerprint(getDb());
        const { rows } = await getDb().query<{ max: number | null }>(
          'SELECT max(seq) AS max FROM client_mutations WHERE client_id = $1',
          [client.clientId],
        );
        const next = Number(rows[0]?.max ?? 0) + 1;
        const seen = client.frames.length;
        const pong = client.next((f) => f.type === 'pong', 15_000).catch(() => undefined);
        client.send(text.replace(String(NEXT_SEQ), String(next)));
        client.send({ type: 'ping' });
        const answered = await pong;
        const replies: DownMessage[] = client.frames.slice(seen);
        for (const r of replies) {
          if (r.type === 'error' || r.type === 'reject') {
            expect(r.error.kind).not.toBe('internal');
            expect(typeof r.error.message).toBe('string');
          }
        }
        if (!answered) {
          const { code } = await client.closed;
          expect(namedCloses.has(code), `close code ${code}`).toBe(true);
          client = await (await SyncClient.connect(url, { token })).synced();
        }
        const durableAck = replies.some((r) => r.type === 'ack' && r.scope !== undefined);
        if (!durableAck) expect(await fingerprint(getDb())).toBe(before);
        expect(prototypeClean()).toBe(true);
      }),
      fuzzParams(60),
    );
    await client.close();
    // Still healthy: answers HTTP and serves a fresh client a real send.
    expect((await app.inject({ url: '/healthz' })).statusCode).toBe(200);
    const fresh = await (await SyncClient.connect(url, { token })).synced();
    const answer = await fresh.mutate('message.send', {
      id: newId(),
      channelId: ids.channel,
      content: 'still alive',
    });
    expect(answer.type).toBe('ack');
    await fresh.close();
  }, 120_000);

  const authFrame = fc.oneof(
    mangled(
      fc.record({
        type: fc.constant('auth'),
        token: fc.oneof(fc.constant('TOKEN'), hostileString),
        clientId: fc.oneof(fc.constant(randomUUID()), hostileValue),
        protocolVersion: fc.oneof(fc.constant(PROTOCOL_VERSION), fc.integer(), hostileValue),
        cursors: fc.oneof(fc.dictionary(hostileString, fc.integer()), hostileValue),
      }),
    ).map((f) => JSON.stringify(f)),
    hostileText,
  );

  it('answers hostile handshakes with a named close code (or ready when valid)', async () => {
    await fc.assert(
      fc.asyncProperty(authFrame, async (text) => {
        const client = await SyncClient.connect(url, { token, auth: false });
        const ready = client.next((f) => f.type === 'ready', 15_000).catch(() => undefined);
        client.send(text.replace('"TOKEN"', JSON.stringify(token)));
        if (await ready) {
          await client.close();
          return;
        }
        const { code } = await client.closed;
        expect(namedCloses.has(code), `close code ${code}`).toBe(true);
        expect(prototypeClean()).toBe(true);
      }),
      fuzzParams(40),
    );
    expect((await app.inject({ url: '/healthz' })).statusCode).toBe(200);
  }, 120_000);
});
