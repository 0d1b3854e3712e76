import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '@echora/shared';
import type { SyncEngine } from '../src/sync/engine.ts';
import { dispose, newDevice, serverHistory, startOnline, until } from './helpers.ts';
import { startServer, type Account, type TestServer } from './server.ts';

/** A 1×1 PNG: the server takes the type from the bytes. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);

describe.each(['pglite', 'pg'] as const)('retrying a refused send, on %s', (kind) => {
  let server: TestServer;
  let alice: Account;
  let bob: Account;
  const live: SyncEngine[] = [];

  const connect = (account: Account) => startOnline(live, newDevice(), account, server.syncUrl);

  const api = async (account: Account, path: string, body: unknown) => {
    const response = await fetch(`${server.url}/api${path}`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${account.accessToken}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify(body),
    });
    expect(response.status, `${path}: ${await response.clone().text()}`).toBeLessThan(300);
  };

  const upload = async (account: Account): Promise<string> => {
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(PNG)], { type: 'image/png' }), 'dot.png');
    const response = await fetch(`${server.url}/api/uploads`, {
      method: 'POST',
      headers: { authorization: `Bearer ${account.accessToken}` },
      body: form,
    });
    expect(response.status).toBe(201);
    return ((await response.json()) as { file: { id: string } }).file.id;
  };

  beforeAll(async () => {
    server = await startServer(kind);
    alice = await server.register('alice');
    bob = await server.register('bob');
  });
  afterEach(() => {
    live.splice(0).forEach(dispose);
  });
  afterAll(async () => {
    await (server as TestServer | undefined)?.stop();
  });

  it('a refused reply with an attachment, retried, arrives with both', async () => {
    const a = await connect(alice);
    const b = await connect(bob);
    const channelId = newId();
    expect(
      await a.mutate('channel.create', { id: channelId, kind: 'text', name: 'retry' }),
    ).toEqual({ ok: true });
    await until(() => b.replica.channels.get(channelId), 'Bob holds the channel');
    const original = newId();
    expect(await a.mutate('message.send', { id: original, channelId, content: 'ask me' })).toEqual({
      ok: true,
    });
    await until(() => b.replica.messages.get(original), 'Bob holds the question');

    // Timed out: Bob's reply with a file is refused and stays as failed.
    await api(alice, '/moderation/timeout', { userId: bob.user.id, minutes: 5 });
    const fileId = await upload(bob);
    const reply = newId();
    const refused = await b.mutate('message.send', {
      id: reply,
      channelId,
      content: 'see the picture',
      replyToId: original,
      attachmentIds: [fileId],
    });
    expect(refused).toMatchObject({ ok: false, error: { kind: 'forbidden' } });
    expect(await b.replica.messages.get(reply)).toMatchObject({ status: 'failed' });

    // The timeout ends; the retry resends everything the first send had.
    await api(alice, '/moderation/timeout', { userId: bob.user.id, minutes: 0 });
    expect(await b.retry(reply)).toEqual({ ok: true });
    const seen = await until(async () => {
      const m = await a.replica.messages.get(reply);
      return m?.attachments.length ? m : undefined;
    }, 'Alice to see the retried reply');
    expect(seen.replyToId).toBe(original);
    expect(seen.attachments.map((f) => f.id)).toEqual([fileId]);
    const history = await serverHistory(server.syncUrl, alice, channelId);
    expect(history.map((m) => [m.id, m.replyToId, m.attachments.map((f) => f.id)])).toEqual([
      [original, null, []],
      [reply, original, [fileId]],
    ]);
    await until(
      async () => (await b.replica.messages.get(reply))?.status === 'sent',
      'Bob to see it sent',
    );
    expect((await b.replica.messages.get(reply))?.sendArgs).toBeUndefined();
  });
});
