import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CloseCode, newId, type Change, type DownMessage } from '@echora/shared';
import { createTestApp, registerUser } from '../../../test/helpers/app.ts';
import { describeEachDb } from '../../../test/helpers/db.ts';
import { SyncClient } from '../../../test/helpers/sync-client.ts';

/** The `formerMember` upserts among frames of the community scope. */
const formerRows = (frames: DownMessage[]) =>
  frames.flatMap((f) =>
    (f.type === 'changes' || f.type === 'reset') && f.scope === 'community'
      ? f.changes.filter(
          (c): c is Extract<Change, { entity: 'formerMember'; op: 'upsert' }> =>
            c.op === 'upsert' && c.entity === 'formerMember',
        )
      : [],
  );

describeEachDb('kicked and banned: told why, named still, named in the audit log', (getDb) => {
  let app: FastifyInstance;
  let url = '';
  let owner = '';
  let general = '';

  const call = (method: 'GET' | 'POST', path: string, token?: string, payload?: object) =>
    app.inject({
      method,
      url: path,
      ...(token ? { headers: { authorization: `Bearer ${token}` } } : {}),
      ...(payload ? { payload } : {}),
    });

  beforeAll(async () => {
    app = await createTestApp(getDb());
    url = await app.listen({ port: 0, host: '127.0.0.1' });
    owner = (await registerUser(app, 'owner')).accessToken;
    const probe = await (await SyncClient.connect(url, { token: owner })).synced();
    general = [...probe.replica.channels.values()].find((c) => c.name === 'general')?.id ?? '';
    await probe.close();
  });
  afterAll(async () => {
    await app?.close();
  });

  /** A new member who wrote one message in #general, with a live socket. */
  async function author(username: string) {
    const account = await registerUser(app, username);
    const socket = await (await SyncClient.connect(url, { token: account.accessToken })).synced();
    const id = newId();
    expect(
      (await socket.mutate('message.send', { id, channelId: general, content: 'hi' })).type,
    ).toBe('ack');
    return { account, socket, messageId: id };
  }

  it('a ban: the socket hears why before it closes; refresh and reconnect say so too', async () => {
    const watcher = await (await SyncClient.connect(url, { token: owner })).synced();
    const bob = await author('bob');
    const named = watcher.next((f) =>
      formerRows([f]).some((c) => c.data.id === bob.account.user.id),
    );
    const banned = await call('POST', '/api/moderation/ban', owner, {
      userId: bob.account.user.id,
      reason: 'rude',
    });
    expect(banned.statusCode).toBe(204);
    expect((await bob.socket.closed).code).toBe(CloseCode.forbidden);
    const told = bob.socket.frames.filter((f) => f.type === 'removed');
    expect(told).toEqual([{ type: 'removed', reason: 'ban', community: 'Echora' }]);
    // The frame came last, right before the close.
    expect(bob.socket.frames.at(-1)).toEqual(told[0]);

    // Members still know who wrote bob's message: live, and in a fresh bootstrap.
    await named;
    expect(formerRows(watcher.frames).at(-1)?.data).toEqual({
      id: bob.account.user.id,
      username: 'bob',
      displayName: 'bob',
      avatarUrl: null,
    });
    const fresh = await (await SyncClient.connect(url, { token: owner })).synced();
    expect(formerRows(fresh.frames).map((c) => c.data.id)).toContain(bob.account.user.id);
    expect(fresh.replica.messages.get(bob.messageId)?.authorId).toBe(bob.account.user.id);

    // An app that was offline learns it from the refresh, or from the socket.
    const refresh = await call('POST', '/api/auth/refresh', undefined, {
      refreshToken: bob.account.refreshToken,
    });
    expect(refresh.statusCode).toBe(403);
    expect(refresh.json()).toEqual({
      error: {
        kind: 'forbidden',
        message: 'You were banned from Echora.',
        removal: { reason: 'ban', community: 'Echora' },
      },
    });
    const again = await SyncClient.connect(url, { token: bob.account.accessToken });
    expect((await again.closed).code).toBe(CloseCode.forbidden);
    expect(again.frames).toEqual([{ type: 'removed', reason: 'ban', community: 'Echora' }]);
    await Promise.all([watcher.close(), fresh.close()]);
  });

  it('a kick says "kick"; an ended session of a member who stays says nothing more', async () => {
    const carol = await author('carol');
    const kicked = await call('POST', '/api/moderation/kick', owner, {
      userId: carol.account.user.id,
    });
    expect(kicked.statusCode).toBe(204);
    expect((await carol.socket.closed).code).toBe(CloseCode.forbidden);
    expect(carol.socket.frames.filter((f) => f.type === 'removed')).toEqual([
      { type: 'removed', reason: 'kick', community: 'Echora' },
    ]);
    const refresh = await call('POST', '/api/auth/refresh', undefined, {
      refreshToken: carol.account.refreshToken,
    });
    expect(refresh.json()).toMatchObject({
      error: { kind: 'forbidden', removal: { reason: 'kick', community: 'Echora' } },
    });

    // A member who logged out: their old token is only unauthorized.
    const dave = await registerUser(app, 'dave');
    await call('POST', '/api/auth/logout', undefined, { refreshToken: dave.refreshToken });
    const stale = await call('POST', '/api/auth/refresh', undefined, {
      refreshToken: dave.refreshToken,
    });
    expect(stale.statusCode).toBe(401);
    expect(stale.json()).not.toHaveProperty('error.removal');
  });

  it('the audit log names the actor and the target, even once the target is gone', async () => {
    const erin = await author('erin');
    await call('POST', '/api/moderation/kick', owner, { userId: erin.account.user.id });
    await erin.socket.closed;
    // Logged in the kick's own transaction: there once the kick answered.
    const page = await call('GET', '/api/audit-log', owner);
    const entries = page.json<{
      entries: {
        action: string;
        targetId: string | null;
        actorName?: string | null;
        targetName?: string | null;
      }[];
    }>().entries;
    const kick = entries.find(
      (e) => e.action === 'member.kick' && e.targetId === erin.account.user.id,
    );
    expect(kick).toMatchObject({ actorName: 'owner', targetName: 'erin' });
  });
});
