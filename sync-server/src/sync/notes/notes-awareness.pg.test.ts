import { afterAll, beforeAll, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import * as encoding from 'lib0/encoding';
import { describeEachDb } from '../../../test/helpers/db.ts';
import { createTestApp, registerUser } from '../../../test/helpers/app.ts';
import { SyncClient, until } from '../../../test/helpers/sync-client.ts';
import { NotesPeer } from '../../../test/helpers/notes-peer.ts';
import { MAX_AWARENESS_BYTES } from './rooms.ts';

/** An awareness update as a hostile client would write it: any ids, clocks and states. */
function awarenessFrame(entries: { id: number; clock: number; state: unknown }[]): string {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, entries.length);
  for (const e of entries) {
    encoding.writeVarUint(encoder, e.id);
    encoding.writeVarUint(encoder, e.clock);
    encoding.writeVarString(encoder, JSON.stringify(e.state));
  }
  return Buffer.from(encoding.toUint8Array(encoder)).toString('base64');
}

/** Hostile awareness: bounded in size, in cursors per socket, in rate, and nobody else's cursor. */
describeEachDb('notes: awareness from a hostile socket', (getDb) => {
  let app: FastifyInstance;
  let url: string;
  let alice: string;
  let mallory: string;
  let general: string;
  const clients: SyncClient[] = [];

  const peer = async (token: string) => {
    const p = new NotesPeer(general);
    const c = await (await SyncClient.connect(url, { token })).synced();
    clients.push(c);
    await p.attach(c);
    return p;
  };
  const send = (p: NotesPeer, data: string) =>
    p.client?.send({ type: 'notes.awareness', channelId: general, data });
  const stateOf = (p: NotesPeer, id: number) => p.awareness.getStates().get(id);
  /**
   * Waits until `p` has received a marker cursor that `from` sent after
   * everything before it: what was refused by then never went out.
   */
  const drained = async (from: NotesPeer, p: NotesPeer, id: number) => {
    const marker = crypto.randomUUID();
    send(from, awarenessFrame([{ id, clock: 1_000_000, state: { marker } }]));
    await until(() => stateOf(p, id)?.marker === marker, 10_000, 'the marker');
  };

  beforeAll(async () => {
    app = await createTestApp(getDb());
    url = await app.listen({ port: 0, host: '127.0.0.1' });
    alice = (await registerUser(app, 'alice')).accessToken;
    mallory = (await registerUser(app, 'mallory')).accessToken;
    const c = await (await SyncClient.connect(url, { token: alice })).synced();
    clients.push(c);
    general = [...c.replica.channels.values()].find((ch) => ch.name === 'general')?.id ?? '';
  });
  afterAll(async () => {
    for (const c of clients) await c.close();
    await app?.close();
  });

  it('refuses a frame past the size cap and a fifth cursor per socket; passes nothing of them on', async () => {
    const [a, m] = [await peer(alice), await peer(mallory)];
    send(
      m,
      awarenessFrame([{ id: 7001, clock: 1, state: { pad: 'x'.repeat(MAX_AWARENESS_BYTES) } }]),
    );
    await until(() => m.refused('too_large').length === 1, 10_000, 'too_large');
    // Four cursors are fine; a fifth is one too many.
    for (const id of [7002, 7003, 7004, 7005]) {
      send(m, awarenessFrame([{ id, clock: 1, state: { cursor: null } }]));
    }
    send(m, awarenessFrame([{ id: 7006, clock: 1, state: { cursor: null } }]));
    await until(() => m.refused('too_large').length === 2, 10_000, 'the fifth cursor refused');
    await drained(m, a, 7005);
    expect(stateOf(a, 7001)).toBeUndefined();
    expect(stateOf(a, 7006)).toBeUndefined();
    expect(stateOf(a, 7002)).toMatchObject({ user: { id: expect.any(String) as unknown } });
    await Promise.all([a.detach(), m.detach()]);
  });

  it("may neither move nor remove another user's cursor, on a later socket either", async () => {
    const [a, m] = [await peer(alice), await peer(mallory)];
    a.awareness.setLocalStateField('cursor', { anchor: 3 });
    const victim = a.doc.clientID;
    await until(() => stateOf(m, victim) !== undefined, 10_000, "alice's cursor");
    const clock = (a.awareness.meta.get(victim)?.clock ?? 0) + 10;
    send(m, awarenessFrame([{ id: victim, clock, state: { cursor: { anchor: 99 } } }]));
    send(m, awarenessFrame([{ id: victim, clock: clock + 1, state: null }]));
    await until(() => m.refused('invalid').length === 2, 10_000, 'both refused');
    // Mallory's own cursor is still welcome, and arrives after the refused ones would have.
    const other = await peer(alice);
    await drained(m, other, 7100);
    expect(stateOf(other, victim)).toMatchObject({ cursor: { anchor: 3 } });
    await Promise.all([a.detach(), m.detach(), other.detach()]);
  });

  it('refuses cursor moves past 40 at once with rate_limited', async () => {
    const [a, m] = [await peer(alice), await peer(mallory)];
    let received = 0;
    a.client?.ws.on('message', (data: Buffer) => {
      if (data.toString().includes('"notes.awareness"')) received += 1;
    });
    for (let i = 1; i <= 200; i++) {
      send(m, awarenessFrame([{ id: 7200, clock: i, state: { cursor: { anchor: i } } }]));
    }
    await until(() => m.refused('rate_limited').length > 0, 10_000, 'rate_limited');
    await until(
      () => m.refused('rate_limited').length + received >= 200,
      10_000,
      'every frame answered or passed on',
    );
    expect(received).toBeLessThan(200);
    expect(m.refused('rate_limited')[0]).toMatchObject({
      error: { retryAfterMs: expect.any(Number) as unknown },
    });
    await Promise.all([a.detach(), m.detach()]);
  });
});
