import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  VOICE_COMMAND_AUDIENCE,
  VOICE_GRANT_AUDIENCE,
  VoiceCloseCode,
  type SfuAccessCommand,
  type VoicePerms,
} from '@echora/shared/voice/index';
import { startSfu, type Sfu } from './app.ts';
import { signGrant } from './grants.ts';
import { WeriftVoiceClient } from './testing/werift-client.ts';

/*
 * The sync server's access commands on a real SFU with werift clients: a
 * ban, kick, timeout or lost channel ends the session at once and for good
 * (a grant signed before cannot rejoin); lost speak or stream stops that
 * media, and a grant kept from before cannot bring it back; a session whose
 * grant is not renewed ends at its expiry.
 */

const secret = 'test-secret-' + randomUUID();
const all: VoicePerms = { speak: true, stream: true, moderate: false };
const listenOnly: VoicePerms = { speak: false, stream: false, moderate: false };
let sfu: Sfu;
const clients: WeriftVoiceClient[] = [];

beforeAll(async () => {
  sfu = await startSfu(
    {
      port: 0,
      host: '127.0.0.1',
      secret,
      publicUrl: undefined,
      announcedIp: undefined,
      portRange: undefined,
      syncUrl: undefined,
    },
    { log: () => undefined },
  );
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await sfu.close();
});

const url = () => `ws://127.0.0.1:${sfu.port}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const nowS = () => Math.floor(Date.now() / 1000);

/** A grant as the sync server signs it, `ageS` seconds old. */
const grant = (userId: string, channelId: string, ageS = 10, perms = all, key = secret) =>
  signGrant({ sub: userId, ch: channelId, node: url(), perms }, key, { iat: nowS() - ageS });

async function connect(channelId: string, token?: string, userId = randomUUID()) {
  const client = new WeriftVoiceClient(url());
  clients.push(client);
  await client.join(token ?? (await grant(userId, channelId)));
  await client.until(() => client.participants.some((p) => p.userId === userId), 5000, 'joined');
  return { client, userId };
}

async function command(
  body: Partial<SfuAccessCommand> | string,
  key = secret,
  audience = VOICE_COMMAND_AUDIENCE,
) {
  const token = await new SignJWT({})
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuedAt()
    .setExpirationTime('60s')
    .setAudience(audience)
    .sign(new TextEncoder().encode(key));
  return fetch(`http://127.0.0.1:${sfu.port}/internal/access`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/** Packets `from`'s `source` sends `to` within `ms` (an absence can only be shown over time). */
async function flow(to: WeriftVoiceClient, from: string, ms = 1000, source = 'mic' as const) {
  const before = to.received(from, source);
  await sleep(ms);
  return to.received(from, source) - before;
}

const closedWith = (client: WeriftVoiceClient, reason: string) =>
  client
    .until(() => client.closed !== undefined, 5000, `close (${reason})`)
    .then(() => {
      expect(client.closed).toEqual({ code: VoiceCloseCode.accessRevoked, reason });
    });

describe('access commands from the sync server', () => {
  it.each(['banned', 'timed_out'] as const)(
    'ends the session of someone %s within a second: they are heard no more, receive nothing, and their old grant cannot rejoin',
    async (reason) => {
      const channel = randomUUID();
      const userId = randomUUID();
      const oldGrant = await grant(userId, channel);
      const target = await connect(channel, oldGrant, userId);
      const other = await connect(channel);
      target.client.publish('mic');
      other.client.publish('mic');
      await other.client.until(() => other.client.received(userId) > 20, 30_000, 'heard');
      await target.client.until(() => target.client.received(other.userId) > 20, 30_000, 'hearing');

      const sentAt = performance.now();
      const response = await command({
        userId,
        channelId: channel,
        perms: null,
        reason,
        at: Date.now(),
      });
      expect(await response.json()).toEqual({ ended: 1, updated: 0 });
      await closedWith(target.client, `ACCESS_REVOKED: ${reason}`);
      expect(performance.now() - sentAt).toBeLessThan(1000);
      await other.client.until(
        () => !other.client.participants.some((p) => p.userId === userId),
        5000,
        'gone from the list',
      );
      expect(sfu.participants().some((p) => p.userId === userId)).toBe(false);
      const heard = other.client.received(userId);
      const got = target.client.received(other.userId);
      await sleep(1000);
      expect(other.client.received(userId)).toBe(heard);
      expect(target.client.received(other.userId)).toBe(got);

      // A client keeping the grant it had before tries again: refused, with the reason.
      const again = new WeriftVoiceClient(url());
      clients.push(again);
      await again.join(oldGrant);
      await closedWith(again, `ACCESS_REVOKED: ${reason}`);
      expect(other.client.participants.some((p) => p.userId === userId)).toBe(false);
    },
    60_000,
  );

  it('admits a grant signed after the end (unbanned, timeout over)', async () => {
    const channel = randomUUID();
    const userId = randomUUID();
    await command({
      userId,
      channelId: channel,
      perms: null,
      reason: 'kicked',
      at: Date.now() - 1000,
    });
    const refused = new WeriftVoiceClient(url());
    clients.push(refused);
    await refused.join(await grant(userId, channel, 5));
    await closedWith(refused, 'ACCESS_REVOKED: kicked');
    await connect(channel, await grant(userId, channel, 0), userId);
  });

  it('lowers perms: the microphone is dropped, camera and screen end; an old grant cannot raise them; a newer command can', async () => {
    const channel = randomUUID();
    const userId = randomUUID();
    const speaker = await connect(channel, await grant(userId, channel, 20), userId);
    const listener = await connect(channel);
    speaker.client.publish('mic');
    speaker.client.publish('screen');
    await listener.client.until(
      () => listener.client.received(userId) > 20 && listener.client.received(userId, 'screen') > 5,
      30_000,
      'audio and screen',
    );

    const at = Date.now();
    const lowered = await command({ userId, channelId: channel, perms: listenOnly, at });
    expect(await lowered.json()).toEqual({ ended: 0, updated: 1 });
    await speaker.client.until(() => speaker.client.perms.length === 1, 5000, 'perms frame');
    expect(speaker.client.perms[0]?.perms).toEqual(listenOnly);
    await listener.client.until(
      () => !listener.client.remoteTracks.some((t) => t.userId === userId && t.source === 'screen'),
      5000,
      'the screen ended',
    );
    await listener.client.until(() => {
      const seen = listener.client.participants.find((p) => p.userId === userId);
      return seen?.muted === true && seen.screen === false;
    });
    expect(sfu.rooms.get(channel)?.perms()).toContainEqual({
      userId,
      channelId: channel,
      perms: listenOnly,
    });
    // The session stays: it still hears, it is just not heard.
    expect(speaker.client.closed).toBeUndefined();
    await sleep(300);
    expect(await flow(listener.client, userId)).toBe(0);
    const stats = () =>
      sfu.rooms
        .get(channel)
        ?.trackStats()
        .find((s) => s.userId === userId && s.source === 'mic');
    expect(stats()?.dropped).toBeGreaterThan(10);
    // Asking again for the screen is refused.
    speaker.client.publish('screen');
    await speaker.client.until(() => speaker.client.errors.some((e) => e.startsWith('forbidden')));

    // A grant the client kept from before the change, sent as a renewal: held to the command.
    speaker.client.send({ type: 'grant', grant: await grant(userId, channel, 10) });
    await speaker.client.until(() => speaker.client.perms.length === 2, 5000, 'renewal answer');
    expect(speaker.client.perms[1]?.perms).toEqual(listenOnly);
    // An older command than the one applied changes nothing.
    const stale = await command({ userId, channelId: channel, perms: all, at: at - 5000 });
    expect(await stale.json()).toEqual({ ended: 0, updated: 0 });
    expect(await flow(listener.client, userId, 500)).toBe(0);

    // The role comes back: a newer command raises the perms, the microphone is heard again.
    const raised = await command({ userId, channelId: channel, perms: all, at: Date.now() });
    expect(await raised.json()).toEqual({ ended: 0, updated: 1 });
    const before = listener.client.received(userId);
    await listener.client.until(
      () => listener.client.received(userId) > before + 10,
      10_000,
      'heard again',
    );
  }, 90_000);

  it('answers a command for someone not here, and refuses unsigned, forged or malformed ones', async () => {
    const channel = randomUUID();
    const present = await connect(channel);
    const body = { userId: present.userId, channelId: channel, perms: null, at: Date.now() };
    expect((await command(body, 'another-secret-0000000')).status).toBe(401);
    // A voice grant's audience is not a command's.
    expect((await command(body, secret, VOICE_GRANT_AUDIENCE)).status).toBe(401);
    const unsigned = await fetch(`http://127.0.0.1:${sfu.port}/internal/access`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(unsigned.status).toBe(401);
    expect((await command('{nope')).status).toBe(400);
    const { perms: _perms, ...withoutPerms } = body;
    expect((await command(withoutPerms)).status).toBe(400);
    expect((await command({ ...body, extra: 1 } as Partial<SfuAccessCommand>)).status).toBe(400);
    expect((await command({ ...body, perms: { speak: true } as VoicePerms })).status).toBe(400);
    const huge = await command('x'.repeat(10_000));
    expect(huge.status).toBe(413);
    expect(await huge.json()).toMatchObject({ error: { kind: 'too_large' } });
    const get = await fetch(`http://127.0.0.1:${sfu.port}/internal/access`);
    expect(get.status).toBe(405);
    // None of it touched the session.
    expect(present.client.closed).toBeUndefined();
    expect(sfu.rooms.get(channel)?.byUser(present.userId)).toBeDefined();

    const absent = await command({ ...body, userId: randomUUID() });
    expect(await absent.json()).toEqual({ ended: 0, updated: 0 });
  });
});

describe('grant renewal', () => {
  it('ends a session whose grant expires without renewal; a renewed one stays and takes the new perms', async () => {
    const channel = randomUUID();
    // Both grants end in 2 s; the SFU forgives 5 s of clock skew after that.
    const lapsingId = randomUUID();
    const lapsing = await connect(channel, await grant(lapsingId, channel, 58), lapsingId);
    const userId = randomUUID();
    const renewing = await connect(channel, await grant(userId, channel, 58), userId);
    const fresh = await grant(userId, channel, 0, listenOnly);
    renewing.client.send({ type: 'grant', grant: fresh });
    await renewing.client.until(() => renewing.client.perms.length === 1, 5000, 'renewed');
    expect(renewing.client.perms[0]).toEqual({
      type: 'perms',
      perms: listenOnly,
      expiresAt: (nowS() + 60) * 1000,
    });
    await lapsing.client.until(() => lapsing.client.closed !== undefined, 15_000, 'expiry');
    expect(lapsing.client.closed?.code).toBe(VoiceCloseCode.grantExpired);
    expect(lapsing.client.closed?.reason).toMatch(/^GRANT_EXPIRED/);
    await renewing.client.until(
      () => !renewing.client.participants.some((p) => p.userId === lapsing.userId),
    );
    // The renewed session's old expiry has passed too: it is still here.
    await sleep(500);
    expect(renewing.client.closed).toBeUndefined();
  }, 30_000);

  it('refuses a renewal for someone else, another channel, an older grant or a bad signature, and keeps the session', async () => {
    const channel = randomUUID();
    const userId = randomUUID();
    const session = await connect(channel, await grant(userId, channel, 10), userId);
    const renewals = [
      await grant(randomUUID(), channel, 0),
      await grant(userId, randomUUID(), 0),
      await grant(userId, channel, 20),
      await grant(userId, channel, 0, all, 'another-secret-0000000'),
    ];
    for (const token of renewals) session.client.send({ type: 'grant', grant: token });
    await session.client.until(() => session.client.errors.length === 4, 5000, 'four refusals');
    expect(session.client.errors.map((e) => e.split(':')[0])).toEqual([
      'forbidden',
      'forbidden',
      'invalid',
      'invalid',
    ]);
    expect(session.client.perms).toEqual([]);
    expect(session.client.closed).toBeUndefined();
  });
});
