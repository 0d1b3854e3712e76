import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  channelScope,
  CloseCode,
  Limits,
  newId,
  type HistoryDown,
  type Message,
} from '@echora/shared';
import { createTestApp, registerUser } from '../../test/helpers/app.ts';
import { describeEachDb } from '../../test/helpers/db.ts';
import { SyncClient, until } from '../../test/helpers/sync-client.ts';

/** Messages of 4000 characters: more than one history page's worth of bytes. */
const BIG = 90;

const bigMessages = (channelId: string) =>
  Array.from({ length: BIG }, (_, i) => ({
    id: newId(),
    channelId,
    content: `${i} ${'y'.repeat(3990)}`,
  }));

/**
 * What one socket may cost the server: sockets per user, the heartbeat that
 * closes a socket that stopped reading, history pages capped in bytes, and
 * backpressure that still answers a client that reads.
 */
describeEachDb('sync socket limits', (getDb) => {
  let app: FastifyInstance;
  let url = '';
  let ownerToken = '';
  let general = '';
  /** Two more channels of big messages, so a bootstrap weighs about 1 MB. */
  const others = [newId(), newId()];

  beforeAll(async () => {
    app = await createTestApp(getDb(), {
      sync: {
        sendRate: { capacity: 10_000, windowMs: 1000 },
        maxSocketsPerUser: 2,
        // Small, so a reader that is a page behind already makes the server wait.
        socketPauseBytes: 16 * 1024,
      },
    });
    url = await app.listen({ port: 0, host: '127.0.0.1' });
    ownerToken = (await registerUser(app, 'owner')).accessToken;
    const owner = await (await SyncClient.connect(url, { token: ownerToken })).synced();
    general = [...owner.replica.channels.values()].find((c) => c.kind === 'text')?.id ?? '';
    for (const [i, id] of others.entries()) {
      await owner.mutate('channel.create', { id, kind: 'text', name: `big-${i}` });
    }
    // A writer per channel: their sends share group-commit batches.
    const writers = await Promise.all(
      others.map(async (_, i) => {
        const { accessToken } = await registerUser(app, `writer-${i}`);
        return (await SyncClient.connect(url, { token: accessToken })).synced();
      }),
    );
    const sent = (
      await Promise.all([
        owner.mutateMany('message.send', bigMessages(general)),
        ...others.map((id, i) => writers[i]?.mutateMany('message.send', bigMessages(id)) ?? []),
      ])
    ).flat();
    expect(sent.filter((a) => a.type !== 'ack')).toEqual([]);
    await Promise.all([owner.close(), ...writers.map((w) => w.close())]);
  });
  afterAll(async () => {
    await app?.close();
  });

  const history = (c: SyncClient, requestId: string, before: number | null) => {
    c.send({ type: 'history', requestId, channelId: general, before, limit: Limits.historyPage });
    return c.waitFor((f): f is HistoryDown => f.type === 'history' && f.requestId === requestId);
  };

  it('closes a user’s socket past the cap with tooManySockets; a freed place can be taken', async () => {
    const { accessToken } = await registerUser(app, 'tabs');
    const first = await (await SyncClient.connect(url, { token: accessToken })).synced();
    const second = await (await SyncClient.connect(url, { token: accessToken })).synced();
    const third = await SyncClient.connect(url, { token: accessToken });
    expect((await third.closed).code).toBe(CloseCode.tooManySockets);
    await first.close();
    const again = await (await SyncClient.connect(url, { token: accessToken })).synced();
    await Promise.all([second.close(), again.close()]);
  });

  it('pings every socket: one that answers stays, one that stopped reading is closed with slowConsumer', async () => {
    // A node of its own with a fast heartbeat, on the same database and secret.
    const fast = await createTestApp(getDb(), {
      config: { jwtSecret: app.config.jwtSecret },
      sync: { pingMs: 1000 },
    });
    const fastUrl = await fast.listen({ port: 0, host: '127.0.0.1' });
    const watcher = await (await SyncClient.connect(fastUrl, { token: ownerToken })).synced();
    const quiet = await registerUser(app, 'quiet');
    const client = await (await SyncClient.connect(fastUrl, { token: quiet.accessToken })).synced();
    let pings = 0;
    const thirdPing = new Promise<void>((resolve) =>
      client.ws.on('ping', () => {
        if (++pings === 3) resolve();
      }),
    );
    await thirdPing;
    expect(client.ws.readyState).toBe(client.ws.OPEN);

    const offline = watcher.next(
      (f) => f.type === 'presence' && f.userId === quiet.user.id && f.status === 'offline',
    );
    client.ws.pause();
    await offline;
    client.ws.resume();
    expect((await client.closed).code).toBe(CloseCode.slowConsumer);
    await watcher.close();
    await fast.close();
  });

  it('a client whose frames wait on a slow database is not taken for a slow consumer', async () => {
    const busy = await createTestApp(getDb(), {
      config: { jwtSecret: app.config.jwtSecret },
      sync: { pingMs: 300, framesInFlight: 4, sendRate: { capacity: 10_000, windowMs: 1000 } },
    });
    const busyUrl = await busy.listen({ port: 0, host: '127.0.0.1' });
    const c = await (await SyncClient.connect(busyUrl, { token: ownerToken })).synced();
    // A channel of its own: the other tests count the messages of theirs.
    const quiet = newId();
    expect(
      await c.mutate('channel.create', { id: quiet, kind: 'text', name: 'quiet' }),
    ).toMatchObject({ type: 'ack' });
    // Its first message makes its version row, which the stall below holds.
    expect(
      await c.mutate('message.send', { id: newId(), channelId: quiet, content: 'first' }),
    ).toMatchObject({ type: 'ack' });
    let release = () => {};
    const released = new Promise<void>((resolve) => (release = resolve));
    let locked = () => {};
    const isLocked = new Promise<void>((resolve) => (locked = resolve));
    // The channel's version row held (on PGlite, the one connection): every send waits.
    const stall = getDb().transaction(async (tx) => {
      await tx.query('SELECT version FROM scopes WHERE scope = $1 FOR UPDATE', [
        channelScope(quiet),
      ]);
      locked();
      await released;
    });
    await isLocked;
    const answers = c.mutateMany(
      'message.send',
      Array.from({ length: 20 }, (_, i) => ({ id: newId(), channelId: quiet, content: `${i}` })),
    );
    // Awaited below; a close meanwhile must fail the test there, not as an unhandled rejection.
    answers.catch(() => undefined);
    // The stall is the scenario: the server reads none of the client's frames (its pongs
    // included) for several ping intervals, then catches up.
    const acksBefore = c.frames.filter((f) => f.type === 'ack').length;
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect(c.frames.filter((f) => f.type === 'ack')).toHaveLength(acksBefore);
    release();
    await stall;
    expect((await answers).filter((a) => a.type !== 'ack')).toEqual([]);
    expect(c.ws.readyState).toBe(c.ws.OPEN);
    await c.close();
    await busy.close();
  });

  it('caps a history page in bytes and pages on with hasMore', async () => {
    const c = await (await SyncClient.connect(url, { token: ownerToken })).synced();
    const first = await history(c, 'p1', null);
    expect(first.messages.length).toBeGreaterThan(0);
    expect(first.messages.length).toBeLessThan(BIG);
    expect(first.hasMore).toBe(true);
    expect(Buffer.byteLength(JSON.stringify(first.messages))).toBeLessThanOrEqual(
      Limits.historyPageBytes,
    );
    const got: Message[] = [...first.messages];
    for (let page = first; page.hasMore;) {
      page = await history(c, `p${got.length}`, got.at(-1)?.seq ?? null);
      got.push(...page.messages);
    }
    const seqs = got.map((m) => m.seq);
    expect(new Set(seqs).size).toBe(seqs.length);
    expect(seqs).toEqual([...seqs].sort((a, b) => b - a));
    expect(got.filter((m) => m.content.length > 3990)).toHaveLength(BIG);
    await c.close();
  });

  it('a bootstrap larger than the bound goes at the pace the client reads, not into a close', async () => {
    // A Unix socket: the kernel holds about 200 KB for a reader that stops, not 4 MB as on
    // loopback TCP, so a bootstrap of 1 MB is well past what this node lets wait.
    const path = join(tmpdir(), `echora-pace-${newId()}.sock`);
    const paced = await createTestApp(getDb(), {
      config: { jwtSecret: app.config.jwtSecret },
      sync: { socketPauseBytes: 32 * 1024, socketBufferBytes: 512 * 1024 },
    });
    // The node's end of the connection, to see when it has more waiting than the kernel took.
    const sockets: Duplex[] = [];
    paced.server.on('upgrade', (_request, socket: Duplex) => sockets.push(socket));
    await paced.listen({ path });
    try {
      const c = await SyncClient.connect(`http+unix://${path}:`, { token: ownerToken });
      c.ws.pause();
      await until(
        () => sockets.some((s) => s.writableLength > 32 * 1024),
        20_000,
        'the node backed up',
      );
      c.ws.resume();
      await c.synced();
      for (const channelId of [general, ...others]) {
        expect(c.replica.channelMessages(channelId)).toHaveLength(BIG);
      }
      expect(c.ws.readyState).toBe(c.ws.OPEN);
      await c.close();
    } finally {
      await paced.close();
      rmSync(path, { force: true });
    }
  });

  it('a client that reads gets every answer, in order, however far behind it falls', async () => {
    const c = await (await SyncClient.connect(url, { token: ownerToken })).synced();
    const asked = 60;
    // Not read until all are asked: the server is backed up, then catches up as the client reads.
    c.ws.pause();
    for (let i = 0; i < asked; i++) {
      c.send({ type: 'history', requestId: `r${i}`, channelId: general, before: null, limit: 100 });
    }
    c.send({ type: 'ping' });
    c.ws.resume();
    await c.waitFor((f) => f.type === 'pong', 60_000);
    const ids = c.frames.flatMap((f) => (f.type === 'history' ? [f.requestId] : []));
    expect(ids).toEqual(Array.from({ length: asked }, (_, i) => `r${i}`));
    expect(c.ws.readyState).toBe(c.ws.OPEN);
    await c.close();
  });
});
