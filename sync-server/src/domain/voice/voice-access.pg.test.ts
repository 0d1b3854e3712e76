import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { SignJWT } from 'jose';
import { newId, Permission } from '@echora/shared';
import {
  VOICE_COMMAND_AUDIENCE,
  VoiceCloseCode,
  type PermsSignal,
  type VoiceGrantResponse,
  type VoicePerms,
} from '@echora/shared/voice/index';
import { createTestApp, registerUser } from '../../../test/helpers/app.ts';
import { describeEachDb } from '../../../test/helpers/db.ts';
import {
  freePort,
  startSfuProcess,
  VoiceSocket,
  type SfuProcess,
} from '../../../test/helpers/sfu.ts';
import { SyncClient, until } from '../../../test/helpers/sync-client.ts';

/*
 * Voice follows moderation and permissions, against a real SFU process: a
 * ban, kick or timeout, or a role or override change taking view or connect
 * away, ends the person's SFU session within a second, and the voice state
 * drops them; a change taking speak away lowers the session's perms, and
 * giving it back raises them. The sync server is the one that tells the SFU.
 */
describeEachDb('voice follows bans, kicks, timeouts and permission changes', (getDb) => {
  const secret = randomBytes(32).toString('hex');
  let app: FastifyInstance;
  let url: string;
  let sfu: SfuProcess;
  let owner: SyncClient;
  let ownerToken: string;
  let general: string;
  const sockets: VoiceSocket[] = [];
  const clients: SyncClient[] = [];

  beforeAll(async () => {
    const port = await freePort();
    app = await createTestApp(getDb(), {
      config: { voiceGrantSecret: secret, sfuUrls: [`ws://127.0.0.1:${port}`] },
    });
    url = await app.listen({ port: 0, host: '127.0.0.1' });
    sfu = await startSfuProcess({ port, secret, syncUrl: url });
    const first = await registerUser(app, 'owner');
    ownerToken = first.accessToken;
    owner = await (await SyncClient.connect(url, { token: ownerToken })).synced();
    clients.push(owner);
    general = (
      await getDb().query<{ id: string }>(
        "SELECT id FROM channels WHERE kind = 'voice' AND deleted_at IS NULL LIMIT 1",
      )
    ).rows[0]!.id;
  }, 90_000);

  afterAll(async () => {
    for (const s of sockets) s.close();
    await Promise.all(clients.map((c) => c.close()));
    await sfu?.stop();
    await app?.close();
  });

  async function member(name: string): Promise<{ id: string; token: string }> {
    const r = await registerUser(app, name);
    return { id: r.user.id, token: r.accessToken };
  }

  const grant = (who: { token: string }, channelId: string) =>
    app.inject({
      method: 'POST',
      url: '/api/voice/grant',
      payload: { channelId },
      headers: { authorization: `Bearer ${who.token}` },
    });

  /** Joins the SFU with a grant from the sync server, and waits until the sync server holds it. */
  async function join(who: { id: string; token: string }, channelId: string) {
    const response = await grant(who, channelId);
    expect(response.statusCode).toBe(200);
    const body = response.json<VoiceGrantResponse>();
    const socket = await VoiceSocket.join(body.url, body.token);
    sockets.push(socket);
    await until(() => socket.frames.some((f) => f.type === 'joined'), 10_000, 'joined');
    await until(
      () =>
        app.voice
          .held()
          .some((h) =>
            h.participants.some((p) => p.userId === who.id && p.channelId === channelId),
          ),
      10_000,
      'the report of the join',
    );
    return socket;
  }

  const rest = (path: string, payload: object) =>
    app.inject({
      method: 'POST',
      url: `/api/moderation/${path}`,
      payload,
      headers: { authorization: `Bearer ${ownerToken}` },
    });

  const inVoice = (userId: string) =>
    app.voice.channels().size > 0 &&
    [...app.voice.channels().values()].some((list) => list.some((p) => p.userId === userId));

  /** Runs `act` (a committed change), then checks the SFU ended the session within a second. */
  async function endsWithin1s(socket: VoiceSocket, act: () => Promise<void>, reason: string) {
    await act();
    const doneAt = performance.now();
    const closed = await socket.closedWithin(10_000);
    expect(closed).toMatchObject({
      code: VoiceCloseCode.accessRevoked,
      reason: `ACCESS_REVOKED: ${reason}`,
    });
    expect(closed.at - doneAt).toBeLessThan(1000);
  }

  it('a ban ends the banned member’s session within a second, and every sidebar drops them', async () => {
    const alice = await member('alice');
    const bob = await member('bob');
    const watcher = await (await SyncClient.connect(url, { token: bob.token })).synced();
    clients.push(watcher);
    const socket = await join(alice, general);
    await watcher.waitFor(
      (f) =>
        f.type === 'voice.state' &&
        f.channelId === general &&
        f.participants.some((p) => p.userId === alice.id),
    );
    await endsWithin1s(
      socket,
      async () => expect((await rest('ban', { userId: alice.id })).statusCode).toBe(204),
      'banned',
    );
    await until(() => !inVoice(alice.id), 10_000, 'the voice state without alice');
    await watcher.waitFor(
      (f) =>
        f.type === 'voice.state' &&
        f.channelId === general &&
        !f.participants.some((p) => p.userId === alice.id),
    );
  });

  it('a kick ends the session', async () => {
    const carol = await member('carol');
    const socket = await join(carol, general);
    await endsWithin1s(
      socket,
      async () => expect((await rest('kick', { userId: carol.id })).statusCode).toBe(204),
      'kicked',
    );
    await until(() => !inVoice(carol.id), 10_000, 'the voice state without carol');
  });

  it('a timeout ends the session and refuses grants until it is lifted', async () => {
    const dave = await member('dave');
    const socket = await join(dave, general);
    await endsWithin1s(
      socket,
      async () =>
        expect((await rest('timeout', { userId: dave.id, minutes: 10 })).statusCode).toBe(200),
      'timed_out',
    );
    await until(() => !inVoice(dave.id), 10_000, 'the voice state without dave');
    const refused = await grant(dave, general);
    expect(refused.statusCode).toBe(403);
    expect(refused.json<{ error: { kind: string; message: string } }>().error).toMatchObject({
      kind: 'forbidden',
      message: expect.stringMatching(/timed out/) as unknown,
    });
    expect((await rest('timeout', { userId: dave.id, minutes: 0 })).statusCode).toBe(200);
    await join(dave, general);
  });

  it('losing the role that opened a private voice channel ends the session', async () => {
    const erin = await member('erin');
    const stage = newId();
    const role = newId();
    const everyone = (await getDb().query<{ id: string }>('SELECT id FROM roles WHERE is_everyone'))
      .rows[0]!.id;
    const acks = [
      await owner.mutate('channel.create', { id: stage, kind: 'voice', name: 'stage' }),
      await owner.mutate('role.create', { id: role, name: 'Stage crew' }),
      await owner.mutate('channel.overrides', {
        channelId: stage,
        targetType: 'role',
        targetId: everyone,
        allow: 0,
        deny: Permission.viewChannel,
      }),
      await owner.mutate('channel.overrides', {
        channelId: stage,
        targetType: 'role',
        targetId: role,
        allow: Permission.viewChannel,
        deny: 0,
      }),
      await owner.mutate('member.roles', { userId: erin.id, roleIds: [role] }),
    ];
    expect(acks.map((a) => a.type)).toEqual(['ack', 'ack', 'ack', 'ack', 'ack']);
    const socket = await join(erin, stage);
    await endsWithin1s(
      socket,
      async () =>
        expect((await owner.mutate('member.roles', { userId: erin.id, roleIds: [] })).type).toBe(
          'ack',
        ),
      'no_access',
    );
    await until(() => !inVoice(erin.id), 10_000, 'the voice state without erin');
    expect((await grant(erin, stage)).statusCode).toBe(404);
  });

  it('losing speak lowers the session’s perms, a renewal carries the new ones, getting it back raises them, and a wrong value on the SFU is corrected', async () => {
    const frank = await member('frank');
    const socket = await join(frank, general);
    const perms = () =>
      socket.frames.filter((f): f is PermsSignal => f.type === 'perms').map((f) => f.perms);
    const override = (deny: number) =>
      owner.mutate('channel.overrides', {
        channelId: general,
        targetType: 'member',
        targetId: frank.id,
        allow: 0,
        deny,
      });
    const listen: VoicePerms = { speak: false, stream: true, moderate: false };
    const speak: VoicePerms = { speak: true, stream: true, moderate: false };

    expect((await override(Permission.speak)).type).toBe('ack');
    const ackAt = performance.now();
    await until(() => perms().length === 1, 5000, 'lowered');
    expect(performance.now() - ackAt).toBeLessThan(1000);
    expect(perms()).toEqual([listen]);
    expect(socket.isOpen).toBe(true);
    await until(
      () => app.voice.channel(general).find((p) => p.userId === frank.id)?.muted === true,
      5000,
      'shown muted',
    );

    // The client renews its grant: the sync server computes the perms again.
    const renewed = (await grant(frank, general)).json<VoiceGrantResponse>();
    expect(renewed.perms).toEqual(listen);
    socket.send({ type: 'grant', grant: renewed.token });
    await until(() => perms().length === 2, 5000, 'renewal applied');
    expect(perms()[1]).toEqual(listen);

    // Something wrote the wrong perms to the SFU (a lost or stale command): the next
    // report shows them, and the sync server puts them right.
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuedAt()
      .setExpirationTime('60s')
      .setAudience(VOICE_COMMAND_AUDIENCE)
      .sign(new TextEncoder().encode(secret));
    const control = sfu.url.replace('ws://', 'http://');
    const wrong = await fetch(`${control}/internal/access`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ userId: frank.id, channelId: general, perms: speak, at: Date.now() }),
    });
    expect(await wrong.json()).toEqual({ ended: 0, updated: 1 });
    await until(() => perms().length === 4, 10_000, 'raised by mistake, then corrected');
    expect(perms().slice(2)).toEqual([speak, listen]);

    expect((await override(0)).type).toBe('ack');
    await until(() => perms().length === 5, 5000, 'raised');
    expect(perms()[4]).toEqual(speak);
    expect(socket.isOpen).toBe(true);
  });
});
