import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { describeEachDb } from '../../../test/helpers/db.ts';
import { createTestApp, registerUser } from '../../../test/helpers/app.ts';
import { SyncClient, until } from '../../../test/helpers/sync-client.ts';
import { NotesPeer } from '../../../test/helpers/notes-peer.ts';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

describeEachDb('notes: two nodes on one database and Redis', (getDb) => {
  const apps: FastifyInstance[] = [];
  const urls: string[] = [];
  const clients: SyncClient[] = [];
  let alice: string;
  let bob: string;
  let general: string;

  const connect = async (node: number, token: string) => {
    const c = await (await SyncClient.connect(urls[node] ?? '', { token })).synced();
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    const redisPrefix = `echora_t_${randomUUID()}:`;
    for (let i = 0; i < 2; i++) {
      const app = await createTestApp(getDb(), {
        config: { redisUrl: REDIS_URL, redisPrefix },
        sync: { sendRate: { capacity: 10_000, windowMs: 1000 } },
      });
      apps.push(app);
      urls.push(await app.listen({ port: 0, host: '127.0.0.1' }));
    }
    alice = (await registerUser(apps[0] as FastifyInstance, 'alice')).accessToken;
    bob = (await registerUser(apps[1] as FastifyInstance, 'bob')).accessToken;
    const c = await connect(0, alice);
    general = [...c.replica.channels.values()].find((ch) => ch.name === 'general')?.id ?? '';
  });
  afterAll(async () => {
    for (const c of clients) await c.close();
    for (const app of apps) await app.close();
  });

  it('edits and cursors on one node reach an editor on the other, and both converge', async () => {
    const a = new NotesPeer(general);
    const b = new NotesPeer(general);
    await a.attach(await connect(0, alice));
    await b.attach(await connect(1, bob));
    a.awareness.setLocalStateField('cursor', { anchor: 1 });
    await until(
      () => [...b.awareness.getStates().values()].some((s) => 'cursor' in s),
      10_000,
      'cursor',
    );
    const remote = [...b.awareness.getStates().values()].find((s) => 'cursor' in s);
    // The server stamps the author's real id on every cursor.
    expect((remote?.user as { id?: string } | undefined)?.id).toMatch(/^[0-9a-f-]{36}$/);
    for (let i = 0; i < 100; i++) {
      a.text.insert(Math.floor(a.text.length / 2), 'a');
      b.text.insert(0, 'b');
    }
    await until(() => a.value === b.value && a.value.length === 200, 10_000, 'convergence');
    // Each node keeps the document; a third client on either node loads the same text.
    await a.detach();
    const late = new NotesPeer(general);
    await late.attach(await connect(0, alice));
    await until(() => late.value === b.value, 10_000, 'the late client');
    await Promise.all([b.detach(), late.detach()]);
  });

  it('a client that reopens the document on its node sees at once the cursors held on the other node', async () => {
    const a = new NotesPeer(general);
    const b = new NotesPeer(general);
    await a.attach(await connect(0, alice));
    await b.attach(await connect(1, bob));
    b.awareness.setLocalStateField('cursor', { anchor: 1 });
    const sees = (p: NotesPeer, anchor: number) =>
      [...p.awareness.getStates().entries()].some(
        ([id, s]) => id === b.doc.clientID && (s.cursor as { anchor?: number })?.anchor === anchor,
      );
    await until(() => sees(a, 1), 10_000, 'the first cursor');
    // The last socket on node 0 leaves: its copy of the document goes, cursors with it.
    await a.detach();
    const again = new NotesPeer(general);
    await again.attach(await connect(0, alice));
    // Bob's cursor has not moved (clients renew it only every 15 s): node 0 asks the others.
    await until(() => sees(again, 1), 5000, 'the cursor from node 1 after the reconnect');
    b.awareness.setLocalStateField('cursor', { anchor: 2 });
    await until(() => sees(again, 2), 5000, 'the moved cursor');
    await Promise.all([b.detach(), again.detach()]);
  });
});
