import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { newId, Permission as P } from '@echora/shared';
import { createTestApp, registerUser } from '../../../test/helpers/app.ts';
import { describeEachDb } from '../../../test/helpers/db.ts';
import { SyncClient, until } from '../../../test/helpers/sync-client.ts';

describeEachDb('roles, overrides and timeouts replicate', (getDb) => {
  let app: FastifyInstance;
  let url = '';
  let owner: SyncClient;
  let bob: SyncClient;
  let ownerToken = '';
  let bobId = '';
  let general = '';
  let everyone = '';

  beforeAll(async () => {
    app = await createTestApp(getDb());
    url = await app.listen({ port: 0, host: '127.0.0.1' });
    ownerToken = (await registerUser(app, 'owner')).accessToken;
    const b = await registerUser(app, 'bob');
    bobId = b.user.id;
    owner = await (await SyncClient.connect(url, { token: ownerToken })).synced();
    bob = await (await SyncClient.connect(url, { token: b.accessToken })).synced();
    general = [...owner.replica.channels.values()].find((c) => c.name === 'general')?.id ?? '';
    everyone = [...bob.replica.roles.values()].find((r) => r.isEveryone)?.id ?? '';
  });
  afterAll(async () => {
    await owner?.close();
    await bob?.close();
    await app?.close();
  });

  const ok = async (name: Parameters<SyncClient['mutate']>[0], args: object) =>
    expect(await owner.mutate(name, args as never)).toMatchObject({ type: 'ack' });
  const refused = async (name: Parameters<SyncClient['mutate']>[0], args: object) => {
    const answer = await owner.mutate(name, args);
    return answer.type === 'reject' ? answer.error.kind : 'ack';
  };

  it('@everyone arrives in the snapshot with the default permissions', () => {
    expect(bob.replica.roles.get(everyone)).toMatchObject({ name: '@everyone', position: 0 });
  });

  it('new roles go lowest, reorder and delete keep positions 1..n, members and channels follow', async () => {
    const [a, b, c] = [newId(), newId(), newId()];
    await ok('role.create', { id: a, name: 'A', color: 0x123456, permissions: P.manageMessages });
    await ok('role.create', { id: b, name: 'B' });
    await ok('role.create', { id: c, name: 'C' });
    const positions = () =>
      Object.fromEntries([a, b, c].map((id) => [id, bob.replica.roles.get(id)?.position]));
    await until(() => bob.replica.roles.has(c), 10_000, 'C replicates');
    expect(positions()).toEqual({ [a]: 3, [b]: 2, [c]: 1 });
    expect(bob.replica.roles.get(a)).toMatchObject({
      name: 'A',
      color: 0x123456,
      permissions: P.manageMessages,
    });

    await ok('role.reorder', { ids: [c, a, b] });
    await until(() => bob.replica.roles.get(c)?.position === 3, 10_000, 'the reorder');
    expect(positions()).toEqual({ [c]: 3, [a]: 2, [b]: 1 });

    await ok('member.roles', { userId: bobId, roleIds: [a, b] });
    await until(() => bob.replica.memberRows.get(bobId)?.roleIds.length === 2, 10_000, 'roles');
    await ok('channel.overrides', {
      channelId: general,
      targetType: 'role',
      targetId: b,
      allow: P.mentionEveryone,
      deny: 0,
    });
    await until(
      () => bob.replica.channels.get(general)?.overrides.length === 1,
      10_000,
      'override',
    );
    expect(bob.replica.channels.get(general)?.overrides).toEqual([
      { targetType: 'role', targetId: b, allow: P.mentionEveryone, deny: 0 },
    ]);

    await ok('role.delete', { id: b });
    await until(() => !bob.replica.roles.has(b), 10_000, 'the delete');
    await until(
      () => bob.replica.channels.get(general)?.overrides.length === 0,
      10_000,
      'override gone',
    );
    await until(() => bob.replica.memberRows.get(bobId)?.roleIds.length === 1, 10_000, 'role gone');
    expect(positions()).toEqual({ [c]: 2, [a]: 1, [b]: undefined });
    expect(bob.replica.memberRows.get(bobId)?.roleIds).toEqual([a]);
  });

  it('refuses bad role and override arguments with typed errors', async () => {
    const role = newId();
    await ok('role.create', { id: role, name: 'Tmp' });
    expect(await refused('role.create', { id: newId(), name: '   ' })).toBe('invalid');
    expect(await refused('role.create', { id: newId(), name: 'x', permissions: 1 << 25 })).toBe(
      'invalid',
    );
    expect(await refused('role.create', { id: role, name: 'again' })).toBe('conflict');
    expect(await refused('role.update', { id: everyone, name: 'everybody' })).toBe('invalid');
    expect(await refused('role.update', { id: newId(), name: 'ghost' })).toBe('not_found');
    expect(await refused('role.delete', { id: everyone })).toBe('invalid');
    expect(await refused('role.reorder', { ids: [role] })).toBe('invalid');
    expect(await refused('member.roles', { userId: bobId, roleIds: [everyone] })).toBe('invalid');
    expect(await refused('member.roles', { userId: bobId, roleIds: [newId()] })).toBe('not_found');
    expect(await refused('member.roles', { userId: newId(), roleIds: [] })).toBe('not_found');
    const override = { channelId: general, targetType: 'role', targetId: role };
    expect(await refused('channel.overrides', { ...override, allow: P.speak, deny: P.speak })).toBe(
      'invalid',
    );
    expect(await refused('channel.overrides', { ...override, allow: 1 << 26, deny: 0 })).toBe(
      'invalid',
    );
    expect(
      await refused('channel.overrides', { ...override, channelId: newId(), allow: 0, deny: 0 }),
    ).toBe('not_found');
    expect(
      await refused('channel.overrides', { ...override, targetId: newId(), allow: 0, deny: 1 }),
    ).toBe('not_found');
    expect(
      await refused('channel.overrides', {
        ...override,
        targetType: 'member',
        targetId: newId(),
        allow: 0,
        deny: 1,
      }),
    ).toBe('not_found');
  });

  it('a timeout replicates as a countdown, refuses a forged send, and clears with 0', async () => {
    const timeout = (minutes: number) =>
      app.inject({
        method: 'POST',
        url: '/api/moderation/timeout',
        headers: { authorization: `Bearer ${ownerToken}` },
        payload: { userId: bobId, minutes, reason: 'cool down' },
      });
    const res = await timeout(10);
    const until10 = res.json<{ timedOutUntil: string }>().timedOutUntil;
    expect(Date.parse(until10) - Date.now()).toBeGreaterThan(9 * 60_000);
    await until(
      () => bob.replica.memberRows.get(bobId)?.timedOutUntil === until10,
      10_000,
      'countdown',
    );
    const forged = await bob.mutate('message.send', {
      id: newId(),
      channelId: general,
      content: 'hi',
    });
    expect(forged).toMatchObject({ type: 'reject', error: { kind: 'forbidden' } });

    await timeout(0);
    await until(() => bob.replica.memberRows.get(bobId)?.timedOutUntil === null, 10_000, 'cleared');
    const sent = await bob.mutate('message.send', {
      id: newId(),
      channelId: general,
      content: 'hi',
    });
    expect(sent).toMatchObject({ type: 'ack' });
  });

  it('the audit log pages newest first', async () => {
    const page = async (query: string) =>
      (
        await app.inject({
          url: `/api/audit-log${query}`,
          headers: { authorization: `Bearer ${ownerToken}` },
        })
      ).json<{
        entries: { id: number; action: string; reason: string | null }[];
        hasMore: boolean;
      }>();
    const first = await page('?limit=2');
    expect(first.entries).toHaveLength(2);
    expect(first.hasMore).toBe(true);
    expect(first.entries[0]).toMatchObject({ action: 'member.timeout', reason: 'cool down' });
    const last = first.entries[1]?.id ?? 0;
    const second = await page(`?limit=100&before=${last}`);
    expect(second.entries.every((e) => e.id < last)).toBe(true);
    expect(second.entries.map((e) => e.action)).toContain('role.create');
  });
});
