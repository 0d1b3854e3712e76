import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VOICE_COMMAND_AUDIENCE, type VoicePerms } from '@echora/shared/voice/index';
import { startSfu, type Sfu } from './app.ts';
import { signGrant } from './grants.ts';
import { WeriftVoiceClient } from './testing/werift-client.ts';

/*
 * Deafen and moderation on a real SFU with werift clients: a deafened client
 * is sent no audio, a moderator's command (as the sync server posts it)
 * mutes or deafens a user, and the mute outlives a rejoin on this node.
 */

const secret = 'test-secret-' + randomUUID();
const all: VoicePerms = { speak: true, stream: true, moderate: false };
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

async function connect(channelId: string, userId = randomUUID()) {
  const client = new WeriftVoiceClient(url());
  clients.push(client);
  await client.join(
    await signGrant({ sub: userId, ch: channelId, node: url(), perms: all }, secret),
  );
  await client.until(() => client.participants.some((p) => p.userId === userId), 5000, 'joined');
  return { client, userId };
}

async function command(body: unknown, key = secret, audience = VOICE_COMMAND_AUDIENCE) {
  const token = await new SignJWT({})
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuedAt()
    .setExpirationTime('60s')
    .setAudience(audience)
    .sign(new TextEncoder().encode(key));
  return fetch(`http://127.0.0.1:${sfu.port}/internal/moderate`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/** Packets `from` sends `to` within `ms`. */
async function flow(to: WeriftVoiceClient, from: string, ms = 1000): Promise<number> {
  const before = to.received(from);
  await sleep(ms);
  return to.received(from) - before;
}

describe('deafen and moderation', () => {
  it('sends a deafened client no audio, and resumes without a sequence gap', async () => {
    const channel = randomUUID();
    const speaker = await connect(channel);
    const listener = await connect(channel);
    const other = await connect(channel);
    speaker.client.publish('mic');
    for (const l of [listener, other])
      await l.client.until(() => l.client.received(speaker.userId) > 20, 30_000, 'audio');

    listener.client.send({ type: 'state', deafened: true });
    await listener.client.until(
      () =>
        listener.client.participants.find((p) => p.userId === listener.userId)?.deafened === true,
    );
    await sleep(500);
    expect(await flow(listener.client, speaker.userId)).toBe(0);
    // Others still hear the speaker: only the deafened client's copy is withheld.
    expect(await flow(other.client, speaker.userId)).toBeGreaterThan(10);

    listener.client.send({ type: 'state', deafened: false });
    await listener.client.until(
      () =>
        listener.client.participants.find((p) => p.userId === listener.userId)?.deafened === false,
    );
    expect(await flow(listener.client, speaker.userId)).toBeGreaterThan(10);
    const entry = [...listener.client.inbound.values()].find(
      (e) => e.track.userId === speaker.userId,
    );
    // Every sequence number from the first to the last arrived: the pause left no hole.
    const span = ((entry?.lastSeq ?? 0) - (entry?.firstSeq ?? 0) + 0x10000) % 0x10000;
    expect(span + 1 - (entry?.packets ?? 0)).toBeLessThanOrEqual(2);
  }, 60_000);

  it('applies a mute the grant carries (set on another node) until a moderator lifts it here', async () => {
    const channel = randomUUID();
    const listener = await connect(channel);
    const client = new WeriftVoiceClient(url());
    clients.push(client);
    const userId = randomUUID();
    const grant = await signGrant(
      { sub: userId, ch: channel, node: url(), perms: all, mod: { mute: true, deafen: false } },
      secret,
    );
    await client.join(grant);
    await client.until(
      () => client.participants.find((p) => p.userId === userId)?.serverMuted === true,
      5000,
      'joined server-muted',
    );
    client.publish('mic');
    const stats = () =>
      sfu.rooms
        .get(channel)
        ?.trackStats()
        .find((s) => s.userId === userId);
    await client.until(() => (stats()?.dropped ?? 0) > 10, 30_000, 'the mic, dropped');
    expect(listener.client.received(userId)).toBe(0);
    const lifted = await command({ userId, channelId: channel, mute: false });
    expect(await lifted.json()).toEqual({ serverMuted: false, serverDeafened: false });
    await listener.client.until(() => listener.client.received(userId) > 10, 30_000, 'heard');
  }, 60_000);

  it('refuses commands without a valid token or body, and for users not here', async () => {
    const channel = randomUUID();
    const body = { userId: randomUUID(), channelId: channel, mute: true };
    expect((await command(body, 'another-secret-000000')).status).toBe(401);
    expect((await command(body, secret, 'echora-sfu')).status).toBe(401);
    expect((await command('{nope')).status).toBe(400);
    expect((await command({ userId: 'x', channelId: channel })).status).toBe(400);
    expect((await command({ ...body, extra: 1 })).status).toBe(400);
    expect((await command(body)).status).toBe(404);
    const get = await fetch(`http://127.0.0.1:${sfu.port}/internal/moderate`);
    expect(get.status).toBe(405);
  });

  it('server-mutes a speaker for everyone, server-deafens a listener, and keeps it on rejoin', async () => {
    const channel = randomUUID();
    const speaker = await connect(channel);
    const listener = await connect(channel);
    const third = await connect(channel);
    for (const p of [speaker, listener, third]) p.client.publish('mic');
    for (const p of [speaker, listener, third])
      for (const q of [speaker, listener, third])
        if (p !== q) await p.client.until(() => p.client.received(q.userId) > 20, 30_000);

    const muted = await command({ userId: speaker.userId, channelId: channel, mute: true });
    expect(muted.status).toBe(200);
    expect(await muted.json()).toEqual({ serverMuted: true, serverDeafened: false });
    await listener.client.until(
      () =>
        listener.client.participants.find((p) => p.userId === speaker.userId)?.serverMuted === true,
    );
    await sleep(500);
    expect(await flow(listener.client, speaker.userId)).toBe(0);
    // The muted speaker still hears the others.
    expect(await flow(speaker.client, listener.userId)).toBeGreaterThan(10);

    const deaf = await command({ userId: listener.userId, channelId: channel, deafen: true });
    expect(await deaf.json()).toEqual({ serverMuted: false, serverDeafened: true });
    await sleep(500);
    expect(await flow(listener.client, third.userId)).toBe(0);
    // A server-deafened user is still heard (as in Discord): deafen withholds what they receive.
    expect(await flow(third.client, listener.userId)).toBeGreaterThan(10);
    // Asking the SFU to undeafen themselves does not lift a moderator's deafen.
    listener.client.send({ type: 'state', deafened: false });
    expect(await flow(listener.client, third.userId)).toBe(0);

    // The speaker reconnects: the node still holds the mute.
    await speaker.client.close();
    const again = await connect(channel, speaker.userId);
    again.client.publish('mic');
    await again.client.until(
      () =>
        again.client.participants.find((p) => p.userId === speaker.userId)?.serverMuted === true,
    );
    const stats = () =>
      sfu.rooms
        .get(channel)
        ?.trackStats()
        .find((s) => s.userId === speaker.userId);
    await again.client.until(() => (stats()?.dropped ?? 0) > 10, 30_000, 'the rejoined mic');
    expect(stats()?.forwarded).toBe(0);

    const lifted = await command({ userId: speaker.userId, channelId: channel, mute: false });
    expect(await lifted.json()).toEqual({ serverMuted: false, serverDeafened: false });
    await command({ userId: listener.userId, channelId: channel, deafen: false });
    await listener.client.until(() => listener.client.received(third.userId) > 10, 30_000);
    await third.client.until(() => third.client.received(again.userId) > 10, 30_000);
  }, 90_000);
});
