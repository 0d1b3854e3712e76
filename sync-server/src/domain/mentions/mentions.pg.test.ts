import { afterAll, beforeAll, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { newId, type Mentions, type Message } from '@echora/shared';
import { describeEachDb } from '../../../test/helpers/db.ts';
import { createTestApp, registerUser } from '../../../test/helpers/app.ts';
import { SyncClient, until } from '../../../test/helpers/sync-client.ts';

const EVERYONE_ROLE = '00000000-0000-7000-8000-000000000000';

describeEachDb('mentions: filled on send and edit, @everyone gated', (getDb) => {
  let app: FastifyInstance;
  let url: string;
  let alice: { id: string; token: string };
  let bob: { id: string; token: string };
  let general: string;
  const mods = newId();

  beforeAll(async () => {
    app = await createTestApp(getDb(), {
      sync: { sendRate: { capacity: 10_000, windowMs: 1000 } },
    });
    await getDb().query(
      `INSERT INTO roles (id, name, position, permissions) VALUES ($1, 'Mods', 1, 0)`,
      [mods],
    );
    url = await app.listen({ port: 0, host: '127.0.0.1' });
    const a = await registerUser(app, 'alice');
    const b = await registerUser(app, 'bob');
    alice = { id: a.user.id, token: a.accessToken };
    bob = { id: b.user.id, token: b.accessToken };
    const c = await (await SyncClient.connect(url, { token: alice.token })).synced();
    general = [...c.replica.channels.values()].find((ch) => ch.kind === 'text')?.id ?? '';
    await c.close();
  });
  afterAll(async () => {
    await app?.close();
  });

  const stored = async (id: string): Promise<Mentions | null> =>
    (
      await getDb().query<{ mentions: Mentions | null }>(
        'SELECT mentions FROM messages WHERE id = $1',
        [id],
      )
    ).rows[0]?.mentions ?? null;

  async function send(client: SyncClient, content: string, other: SyncClient): Promise<Message> {
    const id = newId();
    expect(await client.mutate('message.send', { id, channelId: general, content })).toMatchObject({
      type: 'ack',
    });
    await until(() => other.replica.messages.has(id));
    return other.replica.messages.get(id) as Message;
  }

  it('the owner mentions a member, a role and everyone; receivers get them in the message', async () => {
    const a = await (await SyncClient.connect(url, { token: alice.token })).synced();
    const b = await (await SyncClient.connect(url, { token: bob.token })).synced();
    const text = `hey <@${bob.id}> <@&${mods}> @everyone <@${newId()}> <@&${EVERYONE_ROLE}>`;
    const received = await send(a, text, b);
    const expected = { users: [bob.id], roles: [mods], everyone: true };
    expect(received.mentions).toEqual(expected);
    expect(received.content).toBe(text);
    expect(await stored(received.id)).toEqual(expected);
    await Promise.all([a.close(), b.close()]);
  });

  it('@everyone and @here have no effect without mention everyone; the text stays', async () => {
    const a = await (await SyncClient.connect(url, { token: alice.token })).synced();
    const b = await (await SyncClient.connect(url, { token: bob.token })).synced();
    for (const word of ['@everyone', '@here']) {
      const received = await send(b, `${word} wake up <@${alice.id}>`, a);
      expect(received.mentions).toEqual({ users: [alice.id], roles: [], everyone: false });
      expect(received.content).toBe(`${word} wake up <@${alice.id}>`);
    }
    const here = await send(a, '@here stand-up', b);
    expect(here.mentions.everyone).toBe(true);
    await Promise.all([a.close(), b.close()]);
  });

  it('ignores mentions in code', async () => {
    const a = await (await SyncClient.connect(url, { token: alice.token })).synced();
    const b = await (await SyncClient.connect(url, { token: bob.token })).synced();
    const received = await send(a, `\`<@${bob.id}>\`\n\`\`\`\n@everyone\n\`\`\``, b);
    expect(received.mentions).toEqual({ users: [], roles: [], everyone: false });
    await Promise.all([a.close(), b.close()]);
  });

  it('an edit re-resolves mentions: added ones count, removed ones stop', async () => {
    const a = await (await SyncClient.connect(url, { token: alice.token })).synced();
    const b = await (await SyncClient.connect(url, { token: bob.token })).synced();
    const first = await send(b, 'no one yet', a);
    expect(first.mentions.users).toEqual([]);
    await b.mutate('message.edit', { id: first.id, content: `now <@${alice.id}> @everyone` });
    await until(() => a.replica.messages.get(first.id)?.mentions.users.length === 1);
    expect(a.replica.messages.get(first.id)?.mentions).toEqual({
      users: [alice.id],
      roles: [],
      everyone: false,
    });
    await b.mutate('message.edit', { id: first.id, content: 'never mind' });
    await until(() => a.replica.messages.get(first.id)?.mentions.users.length === 0);
    expect(await stored(first.id)).toEqual({ users: [], roles: [], everyone: false });
    await Promise.all([a.close(), b.close()]);
  });
});
