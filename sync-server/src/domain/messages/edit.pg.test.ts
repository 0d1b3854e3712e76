import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { newId, Permission as P } from '@echora/shared';
import { createTestApp, registerUser } from '../../../test/helpers/app.ts';
import { describeEachDb } from '../../../test/helpers/db.ts';
import { SyncClient, until } from '../../../test/helpers/sync-client.ts';

/**
 * An edit is a new text with new mentions: only an author who may still send
 * in the channel edits. A timed-out member, or one whose send was taken away
 * there, is refused, and the mention in the refused text reaches nobody.
 */
describeEachDb('message.edit needs send permission and no timeout', (getDb) => {
  let app: FastifyInstance;
  let owner: SyncClient;
  let bob: SyncClient;
  let ownerToken = '';
  let ownerId = '';
  let bobId = '';
  let general = '';

  beforeAll(async () => {
    app = await createTestApp(getDb());
    const url = await app.listen({ port: 0, host: '127.0.0.1' });
    const o = await registerUser(app, 'owner');
    const b = await registerUser(app, 'bob');
    [ownerToken, ownerId, bobId] = [o.accessToken, o.user.id, b.user.id];
    owner = await (await SyncClient.connect(url, { token: ownerToken })).synced();
    bob = await (await SyncClient.connect(url, { token: b.accessToken })).synced();
    general = [...owner.replica.channels.values()].find((c) => c.name === 'general')?.id ?? '';
  });
  afterAll(async () => {
    await owner?.close();
    await bob?.close();
    await app?.close();
  });

  const timeout = async (minutes: number) => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/moderation/timeout',
      headers: { authorization: `Bearer ${ownerToken}` },
      payload: { userId: bobId, minutes },
    });
    expect(res.statusCode).toBe(200);
    const timedOutUntil = res.json<{ timedOutUntil: string | null }>().timedOutUntil;
    // The server checks with the cache the member row came from: wait until it replicated.
    await until(
      () => bob.replica.memberRows.get(bobId)?.timedOutUntil === timedOutUntil,
      10_000,
      'timeout replicated',
    );
  };

  /** Bob's message, as the owner holds it once it arrived. */
  async function bobSays(content: string): Promise<string> {
    const id = newId();
    expect(await bob.mutate('message.send', { id, channelId: general, content })).toMatchObject({
      type: 'ack',
    });
    await until(() => owner.replica.messages.has(id), 10_000, 'message arrives');
    return id;
  }

  /** Every frame the owner got after `from` that carries the message `id`. */
  const framesAbout = (from: number, id: string) =>
    owner.frames.slice(from).filter((f) => JSON.stringify(f).includes(id));

  /** Resolves once the owner has everything the channel published until now. */
  async function ownerCaughtUp(): Promise<void> {
    const marker = newId();
    await owner.mutate('message.send', { id: marker, channelId: general, content: 'marker' });
    await until(() => owner.replica.messages.has(marker), 10_000, 'marker arrives');
  }

  it('a timed-out author cannot edit, and the re-mention reaches nobody', async () => {
    const id = await bobSays('hello');
    await timeout(10);
    const from = owner.frames.length;
    const edit = await bob.mutate('message.edit', { id, content: `hello <@${ownerId}>` });
    expect(edit).toMatchObject({ type: 'reject', error: { kind: 'forbidden' } });
    await ownerCaughtUp();
    expect(framesAbout(from, id)).toEqual([]);
    expect(owner.replica.messages.get(id)).toMatchObject({
      content: 'hello',
      editedAt: null,
      mentions: { users: [] },
    });
    const { rows } = await getDb().query<{ content: string; mentions: unknown }>(
      'SELECT content, mentions FROM messages WHERE id = $1',
      [id],
    );
    expect(rows[0]).toMatchObject({ content: 'hello', mentions: { users: [] } });

    await timeout(0);
    expect(await bob.mutate('message.edit', { id, content: 'hello again' })).toMatchObject({
      type: 'ack',
    });
  });

  it('an author whose send was denied in the channel cannot edit there', async () => {
    const id = await bobSays('before the override');
    const deny = (bits: number) =>
      owner.mutate('channel.overrides', {
        channelId: general,
        targetType: 'member',
        targetId: bobId,
        allow: 0,
        deny: bits,
      });
    expect(await deny(P.sendMessages)).toMatchObject({ type: 'ack' });
    const edit = await bob.mutate('message.edit', { id, content: 'after the override' });
    expect(edit).toMatchObject({ type: 'reject', error: { kind: 'forbidden' } });
    expect(await deny(0)).toMatchObject({ type: 'ack' });
    expect(await bob.mutate('message.edit', { id, content: 'allowed again' })).toMatchObject({
      type: 'ack',
    });
  });
});
