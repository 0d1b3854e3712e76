/**
 * A hostile member against a real server process (`src/server.ts`), on PGlite
 * and on Postgres, with raw `ws` clients:
 *
 * (a) a socket that stops reading while it floods `history` requests: the
 *     server stops answering once a few hundred KB wait, closes the socket
 *     with `slowConsumer` at the next unanswered ping, and its RSS (VmRSS
 *     from /proc) grows by a bounded amount, not by every page asked for;
 * (b) edits, reactions and typing past the per-user rate: `rate_limited`;
 * (c) NUL in an edit or a send: `invalid`, and nothing logged at error level;
 * (d) another account's client id: refused at the handshake.
 *
 * Every wait is on an event (a frame, a close, a log line); the RSS is only
 * sampled while the attack runs.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloseCode, newId, type AckDown, type RejectDown } from '@echora/shared';
import { createPgTestDatabase } from '../helpers/db.ts';
import { SyncClient, until } from '../helpers/sync-client.ts';
import { nodeEnv } from '../faults/processes.ts';
import { register, startServer, type TestServer } from '@echora/testkit';

/** Tokens per user per minute: the seeding fits, the floods do not. */
const RATE = 80;
/** The server pings this often; a socket that has not answered by the next ping is closed. */
const PING_MS = 2000;
/**
 * Messages of 4000 three-byte characters (12 KB) in the channel: uncapped, a
 * page of them weighs 770 KB; capped by bytes, 256 KB.
 */
const SEEDED = 64;
const HISTORY_REQUESTS = 400;
/** Without backpressure 400 such pages grew the server by hundreds of MB; with it, by under 10. */
const RSS_BOUND_MB = 48;

const rssMb = (pid: number): number =>
  Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;

describe.each(['pglite', 'pg'] as const)('a hostile member against a real server (%s)', (kind) => {
  let node: TestServer;
  let dataDir = '';
  let database: { url: string; drop(): Promise<void> } | undefined;
  let watcher: SyncClient;
  let channelId = '';

  beforeAll(async () => {
    database = kind === 'pg' ? await createPgTestDatabase() : undefined;
    const env = nodeEnv({
      SEND_RATE_PER_MINUTE: String(RATE),
      SOCKET_PING_MS: String(PING_MS),
      ...(database ? { DATABASE_URL: database.url } : {}),
    });
    dataDir = env.DATA_DIR ?? '';
    node = await startServer({ env });
    const owner = await register(node.url, 'owner');
    watcher = await (await SyncClient.connect(node.url, { token: owner.accessToken })).synced();
    channelId = [...watcher.replica.channels.values()].find((c) => c.kind === 'text')?.id ?? '';
    const seeded = await watcher.mutateMany(
      'message.send',
      Array.from({ length: SEEDED }, (_, i) => ({
        id: newId(),
        channelId,
        content: `${i} ${'€'.repeat(3990)}`,
      })),
    );
    expect(seeded.filter((a) => a.type !== 'ack')).toEqual([]);
  }, 120_000);

  afterAll(async () => {
    await watcher?.close();
    await node?.stop();
    await database?.drop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  async function member(name: string): Promise<{ id: string; client: SyncClient }> {
    const {
      user: { id },
      accessToken: token,
    } = await register(node.url, `${name}-${kind}`);
    return { id, client: await (await SyncClient.connect(node.url, { token })).synced() };
  }

  it('a socket that stops reading while it floods history is closed as a slow consumer; RSS stays bounded', async () => {
    const pid = node.child.pid ?? 0;
    const { id: attackerId, client: attacker } = await member('reader');
    const gone = watcher.next(
      (f) => f.type === 'presence' && f.userId === attackerId && f.status === 'offline',
      60_000,
    );
    const before = rssMb(pid);
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, rssMb(pid))), 25);
    try {
      attacker.ws.pause();
      for (let i = 0; i < HISTORY_REQUESTS; i++) {
        attacker.send({ type: 'history', requestId: `h${i}`, channelId, before: null, limit: 100 });
      }
      // The server gave up on the socket: the member went offline for everyone else.
      await gone;
      attacker.ws.resume();
      expect((await attacker.closed).code).toBe(CloseCode.slowConsumer);
    } finally {
      clearInterval(sampler);
    }
    peak = Math.max(peak, rssMb(pid));
    const pages = attacker.frames.filter((f) => f.type === 'history').length;
    console.log(
      `${kind}: ${HISTORY_REQUESTS} history requests without reading: ${pages} pages sent, ` +
        `RSS ${before.toFixed(0)} -> peak ${peak.toFixed(0)} MB (+${(peak - before).toFixed(1)})`,
    );
    expect(pages).toBeLessThan(HISTORY_REQUESTS / 4);
    expect(peak - before).toBeLessThan(RSS_BOUND_MB);

    // The server serves the same member's next socket, which reads.
    const again = await member('reader-again');
    again.client.send({ type: 'history', requestId: 'next', channelId, before: null, limit: 100 });
    const page = await again.client.waitFor((f) => f.type === 'history' && f.requestId === 'next');
    expect(page.type === 'history' && page.messages.length).toBeGreaterThan(0);
    await again.client.close();
  });

  it('edits, reactions and typing past the rate get rate_limited', async () => {
    const { client: flooder } = await member('flooder');
    const started = Date.now();
    const id = newId();
    expect(await flooder.mutate('message.send', { id, channelId, content: 'mine' })).toMatchObject({
      type: 'ack',
    });
    const edits = await flooder.mutateMany(
      'message.edit',
      Array.from({ length: 2 * RATE }, (_, i) => ({ id, content: `${i} ${'e'.repeat(3990)}` })),
    );
    const reactions = await flooder.mutateMany(
      'reaction.toggle',
      Array.from({ length: RATE }, (_, i) => ({ messageId: id, emoji: '👍', on: i % 2 === 0 })),
    );
    const typing: (AckDown | RejectDown)[] = [];
    for (let i = 0; i < 20; i++)
      typing.push(await flooder.mutate('typing.start', { channelId }, 1));
    const minutes = (Date.now() - started) / 60_000;

    const acked = (answers: (AckDown | RejectDown)[]) => answers.filter((a) => a.type === 'ack');
    const refused = [...edits, ...reactions, ...typing].filter((a) => a.type === 'reject');
    expect(refused.filter((a) => a.type === 'reject' && a.error.kind !== 'rate_limited')).toEqual(
      [],
    );
    for (const r of refused) {
      if (r.type === 'reject') expect(r.error.retryAfterMs).toBeGreaterThan(0);
    }
    // What was let through fits the bucket plus what refilled while the flood ran.
    const spent = 1 + acked(edits).length + acked(reactions).length + acked(typing).length / 4;
    expect(spent).toBeLessThanOrEqual(RATE * (1 + minutes) + 1e-9);
    expect(acked(edits).length).toBeLessThan(edits.length);
    expect(acked(reactions).length).toBeLessThan(reactions.length / 2);
    expect(acked(typing).length).toBeLessThan(typing.length);
    await flooder.close();
  });

  it('NUL in an edit or a send is invalid, and nothing is logged at error level', async () => {
    const { client: writer } = await member('nul');
    const id = newId();
    expect(await writer.mutate('message.send', { id, channelId, content: 'clean' })).toMatchObject({
      type: 'ack',
    });
    const refusals = [
      await writer.mutate('message.edit', { id, content: 'a\u0000b' }),
      await writer.mutate('message.edit', { id, content: '\u001b[2J' }),
      await writer.mutate('message.send', { id: newId(), channelId, content: 'x\u0000' }),
    ];
    for (const r of refusals) {
      expect(r).toMatchObject({
        type: 'reject',
        error: { kind: 'invalid', message: 'content: must not contain control characters' },
      });
    }
    // A request logged after the refusals: once its line is out, theirs would be too.
    const mark = randomUUID();
    await fetch(`${node.url}/healthz?mark=${mark}`);
    await until(() => node.output().includes(mark), 10_000, 'the marked request in the log');
    expect(node.output()).not.toMatch(/"level":(50|60)/);
    await writer.close();
  });

  it("another account's client id is refused, so its recorded answers and seqs stay its owner's", async () => {
    const { client: victim } = await member('victim');
    const first = newId();
    expect(
      await victim.mutate('message.send', { id: first, channelId, content: 'mine' }),
    ).toMatchObject({ type: 'ack' });
    const { accessToken: token } = await register(node.url, `thief-${kind}`);
    const thief = await SyncClient.connect(node.url, { token, clientId: victim.clientId });
    expect(await thief.closed).toMatchObject({ code: CloseCode.badHandshake });
    // The owner's next send is applied, not answered from someone else's record.
    const second = newId();
    expect(
      await victim.mutate('message.send', { id: second, channelId, content: 'still mine' }),
    ).toMatchObject({ type: 'ack' });
    await until(() => watcher.replica.messages.has(second), 10_000, 'the second message');
    await victim.close();
  });
});
