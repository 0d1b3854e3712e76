import { afterAll, beforeAll, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import {
  defaultUserSettings,
  USER_SETTINGS_ID,
  userScope,
  type ChangesDown,
  type DownMessage,
  type ResetDown,
} from '@echora/shared';
import { describeEachDb } from '../../../test/helpers/db.ts';
import { createTestApp, registerUser } from '../../../test/helpers/app.ts';
import { SyncClient } from '../../../test/helpers/sync-client.ts';

const settingsIn = (frame: DownMessage) =>
  frame.type === 'changes' || frame.type === 'reset'
    ? frame.changes.flatMap((c) =>
        c.op === 'upsert' && c.entity === 'userSettings' ? [c.data] : [],
      )
    : [];

describeEachDb('user settings: settings.update', (getDb) => {
  let app: FastifyInstance;
  let url: string;
  let alice: { id: string; token: string };
  let bob: { id: string; token: string };

  beforeAll(async () => {
    app = await createTestApp(getDb());
    url = await app.listen({ port: 0, host: '127.0.0.1' });
    const a = await registerUser(app, 'alice');
    const b = await registerUser(app, 'bob');
    alice = { id: a.user.id, token: a.accessToken };
    bob = { id: b.user.id, token: b.accessToken };
  });
  afterAll(async () => {
    await app?.close();
  });

  it("reaches the user's other device, merged over the defaults, and nobody else", async () => {
    const phone = await (await SyncClient.connect(url, { token: bob.token })).synced();
    const laptop = await (await SyncClient.connect(url, { token: bob.token })).synced();
    const other = await (await SyncClient.connect(url, { token: alice.token })).synced();
    const ack = await phone.mutate('settings.update', { theme: 'light', fontSize: 18 });
    expect(ack).toMatchObject({ type: 'ack', scope: userScope(bob.id) });
    const frame = (await laptop.waitFor(
      (f) => f.type === 'changes' && f.scope === userScope(bob.id),
    )) as ChangesDown;
    const expected = {
      ...defaultUserSettings,
      id: USER_SETTINGS_ID,
      theme: 'light',
      fontSize: 18,
    };
    expect(settingsIn(frame)).toEqual([expected]);
    // A second change keeps the first.
    await phone.mutate('settings.update', { compact: true });
    await laptop.waitFor((f) => settingsIn(f).some((s) => s.compact));
    expect(laptop.frames.flatMap(settingsIn).at(-1)).toEqual({ ...expected, compact: true });
    expect(other.frames.flatMap(settingsIn)).toEqual([]);
    await Promise.all([phone.close(), laptop.close(), other.close()]);
  });

  it('a new device gets them in the reset of the user scope; a user who changed nothing gets none', async () => {
    const fresh = await (await SyncClient.connect(url, { token: bob.token })).synced();
    const reset = fresh.frames.find(
      (f): f is ResetDown => f.type === 'reset' && f.scope === userScope(bob.id),
    );
    expect(reset && settingsIn(reset)).toEqual([
      { ...defaultUserSettings, id: USER_SETTINGS_ID, theme: 'light', fontSize: 18, compact: true },
    ]);
    const carol = await registerUser(app, 'carol');
    const untouched = await (await SyncClient.connect(url, { token: carol.accessToken })).synced();
    expect(untouched.frames.flatMap(settingsIn)).toEqual([]);
    await Promise.all([fresh.close(), untouched.close()]);
  });

  it('a repeated change writes nothing new', async () => {
    const c = await (await SyncClient.connect(url, { token: alice.token })).synced();
    const first = await c.mutate('settings.update', { clock: '24h' });
    expect(first).toMatchObject({ type: 'ack', scope: userScope(alice.id) });
    const again = await c.mutate('settings.update', { clock: '24h' });
    expect(again.type).toBe('ack');
    expect(again).not.toHaveProperty('scope');
    await c.close();
  });

  it.each([
    ['an unknown key', { wallpaper: 'cats' }],
    ['a value not offered', { theme: 'neon' }],
    ['a font size out of range', { fontSize: 200 }],
    ['a wrong type', { compact: 'yes' }],
    ['nothing at all', {}],
    ['not an object', 'light'],
  ])('refuses %s with a typed error and stores nothing', async (_what, args) => {
    const c = await (await SyncClient.connect(url, { token: alice.token })).synced();
    const before = await getDb().query<{ settings: unknown }>(
      'SELECT settings FROM user_settings WHERE user_id = $1',
      [alice.id],
    );
    const answer = await c.mutate('settings.update', args as never);
    expect(answer).toMatchObject({ type: 'reject', error: { kind: 'invalid' } });
    const after = await getDb().query<{ settings: unknown }>(
      'SELECT settings FROM user_settings WHERE user_id = $1',
      [alice.id],
    );
    expect(after.rows).toEqual(before.rows);
    await c.close();
  });

  it('is rate limited per user', async () => {
    const dave = await registerUser(app, 'dave');
    const c = await (await SyncClient.connect(url, { token: dave.accessToken })).synced();
    const answers = [];
    for (let i = 0; i < 62; i++) {
      answers.push(await c.mutate('settings.update', { fontSize: 12 + (i % 2) }));
    }
    expect(answers.slice(0, 60).every((a) => a.type === 'ack')).toBe(true);
    expect(answers.at(-1)).toMatchObject({ type: 'reject', error: { kind: 'rate_limited' } });
    await c.close();
  });
});
