import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dmId, newId } from '@echora/shared';
import { createPgTestDatabase } from '../../test/helpers/db.ts';
import { SyncClient, until } from '../../test/helpers/sync-client.ts';

const SERVER = fileURLToPath(new URL('../server.ts', import.meta.url));
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const PRESENCE_TTL_MS = 1500;

interface Node {
  proc: ChildProcess;
  url: string;
}

/** Starts `sync-server/src/server.ts` as its own process and waits for "Server listening at". */
function startNode(env: Record<string, string>): Promise<Node> {
  // node --import tsx (not npx tsx) so the pid is the server itself and kill -9 really kills it.
  const proc = spawn(process.execPath, ['--import', 'tsx', SERVER], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`node did not start:\n${out}`)), 60_000);
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const m = /Server listening at (http:\/\/[\d.]+:\d+)/.exec(out);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve({ proc, url: m[1] });
      }
    };
    proc.stdout.on('data', onData);
    proc.stderr.on('data', onData);
    proc.once('exit', (code) => reject(new Error(`node exited with ${code}:\n${out}`)));
  });
}

async function register(url: string, username: string): Promise<{ id: string; token: string }> {
  const res = await fetch(`${url}/api/auth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: 'correct horse battery' }),
  });
  const body = (await res.json()) as { user: { id: string }; accessToken: string };
  return { id: body.user.id, token: body.accessToken };
}

describe('two sync-server processes on one Postgres and Redis', () => {
  let database: { url: string; drop(): Promise<void> };
  const nodes: Node[] = [];

  beforeAll(async () => {
    database = await createPgTestDatabase();
    const env = {
      PORT: '0',
      DATABASE_URL: database.url,
      REDIS_URL,
      REDIS_PREFIX: `echora_t_${randomUUID()}:`,
      JWT_SECRET: randomBytes(32).toString('hex'),
      DATA_DIR: join(tmpdir(), `echora-multi-${randomBytes(4).toString('hex')}`),
      PRESENCE_TTL_MS: String(PRESENCE_TTL_MS),
      LOG_LEVEL: 'info',
      NODE_ENV: 'test',
    };
    // Both at once: migrations and the default channels must be made exactly once.
    nodes.push(...(await Promise.all([startNode(env), startNode(env)])));
  }, 120_000);

  afterAll(async () => {
    for (const n of nodes) {
      if (n.proc.exitCode === null && n.proc.signalCode === null) {
        const exited = new Promise((r) => n.proc.once('exit', r));
        n.proc.kill('SIGTERM');
        await exited;
      }
    }
    await database.drop();
  });

  it('a conversation made or changed on one node is writable at once on the other', async () => {
    const [n1, n2] = nodes as [Node, Node];
    const dana = await register(n1.url, 'dana');
    const eve = await register(n2.url, 'eve');
    const finn = await register(n2.url, 'finn');
    const d = await (await SyncClient.connect(n1.url, { token: dana.token })).synced();
    const e = await (await SyncClient.connect(n2.url, { token: eve.token })).synced();
    const f = await (await SyncClient.connect(n2.url, { token: finn.token })).synced();
    /** The user's own scope brought conversation `id` (as the app learns of it). */
    const arrived = (c: SyncClient, userId: string, id: string) =>
      c.waitFor(
        (frame) =>
          frame.type === 'changes' &&
          frame.scope === `user:${userId}` &&
          frame.changes.some((ch) => ch.op === 'upsert' && ch.data.id === id),
      );
    const post = (c: SyncClient, channelId: string) =>
      c.mutate('message.send', { id: newId(), channelId, content: 'hello' });

    // Made on node 1, written to from node 2 as soon as it arrives there.
    const pair = dmId(dana.id, eve.id);
    expect(await d.mutate('dm.open', { userId: eve.id })).toMatchObject({ type: 'ack' });
    await arrived(e, eve.id, pair);
    expect(await post(e, pair)).toMatchObject({ type: 'ack' });

    // Made on node 2, so node 2's permissions know it; Finn is added on node 1:
    // node 2 must learn that he takes part before he writes there.
    const group = newId();
    expect(await e.mutate('dm.create', { id: group, userIds: [dana.id] })).toMatchObject({
      type: 'ack',
    });
    await arrived(d, dana.id, group);
    expect(await post(d, group)).toMatchObject({ type: 'ack' });
    expect(await d.mutate('dm.add', { id: group, userIds: [finn.id] })).toMatchObject({
      type: 'ack',
    });
    await arrived(f, finn.id, group);
    await f.waitFor((frame) => frame.type === 'reset' && frame.scope === `channel:${group}`);
    expect(await post(f, group)).toMatchObject({ type: 'ack' });
    for (const c of [d, e, f]) await c.close();
  }, 60_000);

  it("clients on different nodes chat, see each other online, and a killed node's users go offline", async () => {
    const [n1, n2] = nodes as [Node, Node];
    const alice = await register(n1.url, 'alice');
    const bob = await register(n2.url, 'bob');
    const a = await (await SyncClient.connect(n1.url, { token: alice.token })).synced();
    const b = await (await SyncClient.connect(n2.url, { token: bob.token })).synced();
    expect([...a.replica.channels.values()].map((c) => c.name).sort()).toEqual([
      'General',
      'general',
    ]);
    const general = [...a.replica.channels.values()].find((c) => c.kind === 'text')?.id as string;

    const fromA = newId();
    await a.mutate('message.send', { id: fromA, channelId: general, content: 'hi from node 1' });
    await b.waitFor(
      (f) =>
        f.type === 'changes' && f.changes.some((c) => c.op === 'upsert' && c.data.id === fromA),
    );
    const fromB = newId();
    await b.mutate('message.send', { id: fromB, channelId: general, content: 'hi from node 2' });
    await a.waitFor(
      (f) =>
        f.type === 'changes' && f.changes.some((c) => c.op === 'upsert' && c.data.id === fromB),
    );
    // Across nodes the sender's own change comes back through Redis, after its ack.
    const ids = (c: SyncClient) => c.replica.channelMessages(general).map((m) => m.id);
    await until(() => ids(a).length === 2 && ids(b).length === 2, 10_000, 'both messages on both');
    expect(ids(a)).toEqual([fromA, fromB]);
    expect(ids(b)).toEqual([fromA, fromB]);

    const online = (c: SyncClient, userId: string) =>
      c.waitFor(
        (f) =>
          (f.type === 'presence' && f.userId === userId && f.status === 'online') ||
          (f.type === 'presence.snapshot' &&
            f.users.some((u) => u.userId === userId && u.status === 'online')),
      );
    await online(a, bob.id);
    await online(b, alice.id);

    n1.proc.kill('SIGKILL');
    const killedAt = Date.now();
    await b.next(
      (f) => f.type === 'presence' && f.userId === alice.id && f.status === 'offline',
      10_000,
    );
    expect(Date.now() - killedAt).toBeLessThan(PRESENCE_TTL_MS * 3);
    await b.close();
  }, 60_000);
});
