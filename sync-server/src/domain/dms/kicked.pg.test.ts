import { afterAll, beforeAll, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { CloseCode, dmId, newId } from '@echora/shared';
import { describeEachDb } from '../../../test/helpers/db.ts';
import { createTestApp, registerUser } from '../../../test/helpers/app.ts';
import { SyncClient } from '../../../test/helpers/sync-client.ts';

/**
 * Issue 19's decision for kicked members: a kick is not a ban. While Alice
 * is not a member, her 1:1 conversation with Bob stays, read-only, for Bob;
 * when she joins again she finds it as it was and both can write again
 * (conversations belong to the people, as on Discord). Her device learns it
 * from her own scope, as any conversation.
 */
describeEachDb('a kicked member and their conversations', (getDb) => {
  let app: FastifyInstance;
  let url: string;
  let owner = '';

  beforeAll(async () => {
    app = await createTestApp(getDb());
    url = await app.listen({ port: 0, host: '127.0.0.1' });
    owner = (await registerUser(app, 'owner')).accessToken;
  });
  afterAll(async () => {
    await app?.close();
  });

  const connect = async (token: string) => (await SyncClient.connect(url, { token })).synced();
  const send = (c: SyncClient, channelId: string, content: string) =>
    c.mutate('message.send', { id: newId(), channelId, content });

  it('stay read-only for the other side while they are out, and usable again when they rejoin', async () => {
    const alice = await registerUser(app, 'alice');
    const bob = await registerUser(app, 'bob');
    const a = await connect(alice.accessToken);
    const b = await connect(bob.accessToken);
    const id = dmId(alice.user.id, bob.user.id);
    expect(await a.mutate('dm.open', { userId: bob.user.id })).toMatchObject({ type: 'ack' });
    expect(await send(a, id, 'before the kick')).toMatchObject({ type: 'ack' });

    const kicked = await app.inject({
      method: 'POST',
      url: '/api/moderation/kick',
      headers: { authorization: `Bearer ${owner}` },
      payload: { userId: alice.user.id },
    });
    expect(kicked.statusCode).toBe(204);
    expect((await a.closed).code).toBe(CloseCode.forbidden);
    // Bob keeps it, history included, and cannot write there.
    const bobLater = await connect(bob.accessToken);
    expect(bobLater.replica.channels.get(id)?.kind).toBe('dm');
    expect(bobLater.replica.channelMessages(id).map((m) => m.content)).toEqual(['before the kick']);
    expect(await send(b, id, 'are you there?')).toMatchObject({
      type: 'reject',
      error: { kind: 'forbidden' },
    });

    // Alice joins again (registration is open): a fresh device finds the conversation.
    const login = await app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { username: 'alice', password: 'correct horse battery', tokenDelivery: 'body' },
    });
    expect(login.statusCode).toBe(200);
    const back = await connect(login.json<{ accessToken: string }>().accessToken);
    expect(back.replica.channels.get(id)?.dm?.participants.toSorted()).toEqual(
      [alice.user.id, bob.user.id].toSorted(),
    );
    expect(back.replica.channelMessages(id).map((m) => m.content)).toEqual(['before the kick']);
    expect(await send(back, id, 'I am back')).toMatchObject({ type: 'ack' });
    expect(await send(b, id, 'welcome back')).toMatchObject({ type: 'ack' });
    for (const c of [b, bobLater, back]) await c.close();
  });
});
