import { afterAll, beforeAll, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import * as Y from 'yjs';
import { Permission } from '@echora/shared';
import { describeEachDb } from '../../../test/helpers/db.ts';
import { createTestApp, registerUser } from '../../../test/helpers/app.ts';
import { SyncClient, until } from '../../../test/helpers/sync-client.ts';
import { NotesPeer } from '../../../test/helpers/notes-peer.ts';
import { defaultNotesOptions } from './rooms.ts';

/** A deterministic pseudo-random sequence, so a failure replays. */
function rng(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
}

/** One random edit: mostly inserts, some deletes. */
function edit(peer: NotesPeer, rand: () => number, tag: string): void {
  const len = peer.text.length;
  if (len > 5 && rand() < 0.25) peer.text.delete(Math.floor(rand() * (len - 2)), 2);
  else peer.text.insert(Math.floor(rand() * (len + 1)), tag);
}

describeEachDb('notes: Yjs documents over the sync socket', (getDb) => {
  let app: FastifyInstance;
  let url: string;
  let alice: { id: string; token: string };
  let bob: { id: string; token: string };
  let carol: { id: string; token: string };
  let general: string;
  const clients: SyncClient[] = [];

  const connect = async (token: string) => {
    const c = await (await SyncClient.connect(url, { token })).synced();
    clients.push(c);
    return c;
  };
  /** A text channel of its own for one test (Alice made it; everyone sees it). */
  const channel = async (name: string) => {
    const c = await connect(alice.token);
    const answer = await c.mutate('channel.create', {
      id: crypto.randomUUID(),
      name,
      kind: 'text',
    });
    expect(answer).toMatchObject({ type: 'ack' });
    await until(() => [...c.replica.channels.values()].some((ch) => ch.name === name));
    return [...c.replica.channels.values()].find((ch) => ch.name === name)?.id ?? '';
  };
  const peer = async (token: string, channelId = general) => {
    const p = new NotesPeer(channelId);
    await p.attach(await connect(token));
    return p;
  };
  const count = async (sql: string, channelId: string) =>
    Number((await getDb().query<{ n: string }>(sql, [channelId])).rows[0]?.n);

  beforeAll(async () => {
    app = await createTestApp(getDb(), {
      sync: {
        sendRate: { capacity: 10_000, windowMs: 1000 },
        notes: { ...defaultNotesOptions, compactEvery: 50, idleMs: 60_000, keepSnapshots: 3 },
      },
    });
    url = await app.listen({ port: 0, host: '127.0.0.1' });
    const users = [];
    for (const name of ['alice', 'bob', 'carol']) users.push(await registerUser(app, name));
    [alice, bob, carol] = users.map((u) => ({ id: u.user.id, token: u.accessToken })) as [
      typeof alice,
      typeof alice,
      typeof alice,
    ];
    const c = await connect(alice.token);
    general = [...c.replica.channels.values()].find((ch) => ch.name === 'general')?.id ?? '';
    // Carol may read #general but not send there.
    const denied = await c.mutate('channel.overrides', {
      channelId: general,
      targetType: 'member',
      targetId: carol.id,
      allow: 0,
      deny: Permission.sendMessages,
    });
    expect(denied).toMatchObject({ type: 'ack' });
  });
  afterAll(async () => {
    for (const c of clients) await c.close();
    await app?.close();
  });

  it('two clients editing at once converge', async () => {
    const [a, b] = [await peer(alice.token), await peer(bob.token)];
    const [ra, rb] = [rng(1), rng(2)];
    for (let i = 0; i < 100; i++) {
      edit(a, ra, 'a');
      edit(b, rb, 'b');
    }
    await until(() => a.value === b.value && a.value.length > 0, 10_000, 'convergence');
    expect(a.value.includes('a') && a.value.includes('b')).toBe(true);
    // A third client loading from the server sees the same document.
    const c = await peer(carol.token);
    await until(() => c.value === a.value, 10_000, 'a late reader to catch up');
    await Promise.all([a.detach(), b.detach(), c.detach()]);
  });

  it('a client offline for 200 edits converges when it reconnects', async () => {
    const id = await channel('offline-notes');
    const [a, b] = [await peer(alice.token, id), await peer(bob.token, id)];
    a.text.insert(0, 'base ');
    await until(() => b.value === 'base ');
    await b.detach();
    const [ra, rb] = [rng(3), rng(4)];
    for (let i = 0; i < 200; i++) edit(b, rb, 'B');
    for (let i = 0; i < 50; i++) edit(a, ra, 'A');
    // A's edits reached the server while B was away; B still has only its own.
    expect(b.value).not.toBe(a.value);
    await b.attach(await connect(bob.token));
    await until(() => a.value === b.value, 10_000, 'convergence after reconnect');
    expect(a.value).toContain('B');
    const fresh = await peer(carol.token, id);
    await until(() => fresh.value === a.value, 10_000, 'the stored document to match');
    await Promise.all([a.detach(), b.detach(), fresh.detach()]);
  });

  it("refuses a reader's update with forbidden and keeps it out of the document", async () => {
    const a = await peer(alice.token);
    const reader = new NotesPeer(general);
    const opened = await reader.attach(await connect(carol.token));
    expect(opened).toMatchObject({ canWrite: false });
    await until(() => reader.value === a.value);
    const before = a.value;
    reader.text.insert(0, 'READER WAS HERE ');
    await until(() => reader.refused('forbidden').length > 0, 10_000, 'the refusal');
    // A later write by a writer arrives; the reader's never did.
    a.text.insert(0, 'marker ');
    await until(() => reader.value.includes('marker'));
    expect(a.value).toBe(`marker ${before}`);
    const fresh = await peer(bob.token);
    await until(() => fresh.value === a.value);
    expect(fresh.value).not.toContain('READER');
    await Promise.all([a.detach(), reader.detach(), fresh.detach()]);
  });

  it('stops sending to a user who loses sight of the channel', async () => {
    const id = await channel('secret-notes');
    const ac = await connect(alice.token);
    const a = new NotesPeer(id);
    await a.attach(ac);
    const b = await peer(bob.token, id);
    a.text.insert(0, 'visible ');
    await until(() => b.value === 'visible ');
    const hidden = await ac.mutate('channel.overrides', {
      channelId: id,
      targetType: 'member',
      targetId: bob.id,
      allow: 0,
      deny: Permission.viewChannel,
    });
    expect(hidden).toMatchObject({ type: 'ack' });
    await until(() => b.frames.some((f) => f.type === 'notes.closed'), 10_000, 'notes.closed');
    a.text.insert(0, 'after ');
    // Bob's socket still gets Alice's own echo-free traffic; wait for a frame that follows the edit.
    await ac.mutate('message.send', {
      id: crypto.randomUUID(),
      channelId: general,
      content: 'sync point',
    });
    await until(
      () =>
        b.client?.replica.channelMessages(general).some((m) => m.content === 'sync point') ?? false,
    );
    expect(b.value).toBe('visible ');
    // Opening it again is refused as if the channel did not exist.
    b.client?.send({ type: 'notes.open', channelId: id });
    await until(() => b.refused('not_found').length > 0);
    await Promise.all([a.detach(), b.detach()]);
  });

  it('compaction keeps the document identical and bounded, with the last versions kept', async () => {
    const id = await channel('compacted-notes');
    const a = await peer(alice.token, id);
    const rand = rng(5);
    // Much typing and deleting: the compacted state holds what is left, not the history.
    for (let i = 0; i < 400; i++) {
      a.text.insert(a.text.length, 'some words to be removed later ');
      if (i % 2 === 1) a.text.delete(Math.floor(rand() * 10), 60);
    }
    // Every edit is stored before it is applied and published: once the last has
    // come back to another client, compaction has run (every 50 updates) at least 7 times.
    const b = await peer(bob.token, id);
    await until(() => b.value === a.value);
    await a.detach();
    await b.detach();
    // The last socket out compacts what is left.
    await expect
      .poll(() => count('SELECT count(*) AS n FROM note_updates WHERE channel_id = $1', id), {
        timeout: 10_000,
      })
      .toBe(0);
    const { rows } = await getDb().query<{ state: Uint8Array; state_bytes: number }>(
      'SELECT state, state_bytes FROM notes WHERE channel_id = $1',
      [id],
    );
    const doc = new Y.Doc();
    Y.applyUpdate(doc, new Uint8Array(rows[0]?.state ?? []));
    expect(doc.getText('content').toJSON()).toBe(a.value);
    const written = 400 * 'some words to be removed later '.length;
    // Deleted text is garbage-collected: the state is about the size of the text left.
    expect(rows[0]?.state_bytes).toBeLessThan(a.value.length + 4096);
    expect(a.value.length).toBeLessThan(written / 2);
    expect(await count('SELECT count(*) AS n FROM note_snapshots WHERE channel_id = $1', id)).toBe(
      3,
    );
  });

  it('restores a kept version as one edit everyone receives; a reader may not', async () => {
    const id = await channel('restored-notes');
    const [a, b] = [await peer(alice.token, id), await peer(bob.token, id)];
    a.text.insert(0, 'first draft');
    await until(() => b.value === 'first draft');
    // Leaving compacts: the first draft becomes a kept version.
    await Promise.all([a.detach(), b.detach()]);
    await expect
      .poll(() => count('SELECT count(*) AS n FROM note_snapshots WHERE channel_id = $1', id))
      .toBe(1);
    const [c, d] = [await peer(alice.token, id), await peer(bob.token, id)];
    await until(() => c.value === 'first draft' && d.value === 'first draft');
    c.text.delete(0, c.text.length);
    c.text.insert(0, 'rewritten');
    await until(() => d.value === 'rewritten');

    const denied = await c.client?.mutate('channel.overrides', {
      channelId: id,
      targetType: 'member',
      targetId: carol.id,
      allow: 0,
      deny: Permission.sendMessages,
    });
    expect(denied).toMatchObject({ type: 'ack' });
    const reader = await peer(carol.token, id);
    expect(reader.frames.find((f) => f.type === 'notes.opened')).toMatchObject({ canWrite: false });
    reader.client?.send({ type: 'notes.versions', channelId: id });
    const listed = await reader.client?.waitFor((f) => f.type === 'notes.versions');
    const versions = listed?.type === 'notes.versions' ? listed.versions : [];
    expect(versions.map((v) => v.preview)).toEqual(['first draft']);
    const versionId = versions[0]?.id ?? '';
    reader.client?.send({ type: 'notes.restore', channelId: id, versionId });
    await until(() => reader.refused('forbidden').length > 0);
    // Another channel's version id finds nothing here.
    c.client?.send({ type: 'notes.restore', channelId: general, versionId });
    c.client?.send({ type: 'notes.open', channelId: general });
    await until(() => c.refused('not_found').length > 0 || c.frames.length > 0);

    d.client?.send({ type: 'notes.restore', channelId: id, versionId });
    await until(() => c.value === 'first draft' && d.value === 'first draft', 10_000, 'restore');
    await until(() => reader.value === 'first draft');
    await Promise.all([c.detach(), d.detach(), reader.detach()]);
  });
});

describeEachDb('notes: size cap and rate limit', (getDb) => {
  let app: FastifyInstance;
  let url: string;
  let token: string;
  let general: string;
  const clients: SyncClient[] = [];

  beforeAll(async () => {
    app = await createTestApp(getDb(), {
      sync: {
        sendRate: { capacity: 30, windowMs: 60_000 },
        notes: { ...defaultNotesOptions, maxBytes: 4096 },
      },
    });
    url = await app.listen({ port: 0, host: '127.0.0.1' });
    token = (await registerUser(app, 'dora')).accessToken;
    const c = await (await SyncClient.connect(url, { token })).synced();
    clients.push(c);
    general = [...c.replica.channels.values()].find((ch) => ch.name === 'general')?.id ?? '';
  });
  afterAll(async () => {
    for (const c of clients) await c.close();
    await app?.close();
  });

  it('refuses a document past its cap with too_large', async () => {
    const a = new NotesPeer(general);
    const client = await (await SyncClient.connect(url, { token })).synced();
    clients.push(client);
    expect(await a.attach(client)).toMatchObject({ canWrite: true, maxBytes: 4096 });
    a.text.insert(0, 'x'.repeat(3000));
    a.text.insert(0, 'y'.repeat(3000));
    await until(() => a.refused('too_large').length === 1, 10_000, 'too_large');
    const fresh = new NotesPeer(general);
    const other = await (await SyncClient.connect(url, { token })).synced();
    clients.push(other);
    await fresh.attach(other);
    await until(() => fresh.value.length === 3000);
    expect(fresh.value).toBe('x'.repeat(3000));
  });

  it('counts updates against the durable-write rate limit', async () => {
    const a = new NotesPeer(general);
    const client = await (await SyncClient.connect(url, { token })).synced();
    clients.push(client);
    await a.attach(client);
    for (let i = 0; i < 40; i++) a.text.insert(0, 'z');
    await until(() => a.refused('rate_limited').length > 0, 10_000, 'rate_limited');
    const refusal = a.refused('rate_limited')[0];
    expect(refusal?.type === 'notes.refused' && refusal.error.retryAfterMs).toBeGreaterThan(0);
  });
});
