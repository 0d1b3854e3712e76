import { afterAll, beforeAll, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { COMMUNITY_INFO_ID, COMMUNITY_SCOPE, newId, type DownMessage } from '@echora/shared';
import { describeEachDb } from '../../../test/helpers/db.ts';
import { createTestApp, registerUser } from '../../../test/helpers/app.ts';
import { SyncClient } from '../../../test/helpers/sync-client.ts';

const namesIn = (frame: DownMessage) =>
  (frame.type === 'changes' || frame.type === 'reset') && frame.scope === COMMUNITY_SCOPE
    ? frame.changes.flatMap((c) => (c.op === 'upsert' && c.entity === 'community' ? [c.data] : []))
    : [];

describeEachDb('community name in the feed', (getDb) => {
  let app: FastifyInstance;
  let url: string;
  let owner: string;
  let member: string;

  beforeAll(async () => {
    app = await createTestApp(getDb());
    url = await app.listen({ port: 0, host: '127.0.0.1' });
    owner = (await registerUser(app, 'owner')).accessToken;
    member = (await registerUser(app, 'member')).accessToken;
  });
  afterAll(async () => {
    await app?.close();
  });

  it('a rename reaches members live, and a new device gets the name in its reset', async () => {
    const watching = await (await SyncClient.connect(url, { token: member })).synced();
    expect(watching.frames.flatMap(namesIn)).toEqual([{ id: COMMUNITY_INFO_ID, name: 'Echora' }]);
    const renamed = await app.inject({
      method: 'PATCH',
      url: '/api/community',
      headers: { authorization: `Bearer ${owner}` },
      payload: { name: '  Pinecone Hikers ' },
    });
    expect(renamed.statusCode).toBe(200);
    await watching.waitFor((f) => f.type === 'changes' && namesIn(f).length > 0);
    expect(watching.frames.flatMap(namesIn).at(-1)).toEqual({
      id: COMMUNITY_INFO_ID,
      name: 'Pinecone Hikers',
    });
    const fresh = await (await SyncClient.connect(url, { token: member })).synced();
    expect(fresh.frames.flatMap(namesIn)).toEqual([
      { id: COMMUNITY_INFO_ID, name: 'Pinecone Hikers' },
    ]);
    await Promise.all([watching.close(), fresh.close()]);
  });

  it('changing only the registration mode sends no name change', async () => {
    const watching = await (await SyncClient.connect(url, { token: member })).synced();
    const before = watching.frames.length;
    const changed = await app.inject({
      method: 'PATCH',
      url: '/api/community',
      headers: { authorization: `Bearer ${owner}` },
      payload: { registration: 'invite' },
    });
    expect(changed.statusCode).toBe(200);
    // A message afterwards proves the socket is caught up past the PATCH.
    const writer = await (await SyncClient.connect(url, { token: owner })).synced();
    const general = [...writer.replica.channels.values()].find((c) => c.kind === 'text');
    await writer.mutate('message.send', {
      id: newId(),
      channelId: general?.id ?? '',
      content: 'after',
    });
    await watching.waitFor((f) => f.type === 'changes' && f.scope !== COMMUNITY_SCOPE);
    expect(watching.frames.slice(before).flatMap(namesIn)).toEqual([]);
    await Promise.all([watching.close(), writer.close()]);
  });
});
