import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  VoiceCloseCode,
  voiceCloseReason,
  type VoiceNodeReport,
  type VoicePerms,
} from '@echora/shared/voice/index';
import { startSfu, type Sfu } from './app.ts';
import { signGrant } from './grants.ts';
import { WeriftVoiceClient } from './testing/werift-client.ts';

const secret = 'test-secret-' + randomUUID();
const all: VoicePerms = { speak: true, stream: true, moderate: false };
let sfu: Sfu;
let sync: Server;
const reports: VoiceNodeReport[] = [];
const clients: WeriftVoiceClient[] = [];

beforeAll(async () => {
  // A real HTTP endpoint standing in for the sync server's report route.
  sync = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      if (req.headers.authorization?.startsWith('Bearer '))
        reports.push(JSON.parse(body) as VoiceNodeReport);
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => sync.listen(0, '127.0.0.1', r));
  sfu = await startSfu(
    {
      port: 0,
      host: '127.0.0.1',
      secret,
      publicUrl: undefined,
      announcedIp: undefined,
      portRange: undefined,
      syncUrl: `http://127.0.0.1:${(sync.address() as AddressInfo).port}`,
    },
    { log: () => undefined },
  );
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await sfu.close();
  await new Promise<void>((r) => sync.close(() => r()));
});

const url = () => `ws://127.0.0.1:${sfu.port}`;

async function connect(
  channelId: string,
  perms: VoicePerms = all,
  userId = randomUUID(),
): Promise<{ client: WeriftVoiceClient; userId: string }> {
  const client = new WeriftVoiceClient(url());
  clients.push(client);
  await client.join(await signGrant({ sub: userId, ch: channelId, node: url(), perms }, secret));
  await client.until(() => client.participants.some((p) => p.userId === userId), 5000, 'joined');
  return { client, userId };
}

describe('SFU with werift clients', () => {
  it('forwards each speaker to the two others, and stops a muted one', async () => {
    const channel = randomUUID();
    const peers = [await connect(channel), await connect(channel), await connect(channel)];
    for (const p of peers) p.client.publish('mic');
    for (const { client, userId } of peers) {
      const others = peers.filter((p) => p.userId !== userId);
      await client.until(
        () => others.every((o) => client.received(o.userId) > 20),
        30_000,
        'audio from both others',
      );
      expect(client.received(userId)).toBe(0);
    }
    const latest = reports.at(-1);
    expect(latest?.participants.filter((p) => p.channelId === channel)).toHaveLength(3);

    const [a, b, c] = peers as [(typeof peers)[0], (typeof peers)[0], (typeof peers)[0]];
    a.client.send({ type: 'state', muted: true });
    await b.client.until(
      () => b.client.participants.find((p) => p.userId === a.userId)?.muted === true,
    );
    await new Promise((r) => setTimeout(r, 200));
    const before = [b.client.received(a.userId), c.client.received(a.userId)];
    const fromC = b.client.received(c.userId);
    await new Promise((r) => setTimeout(r, 600));
    expect([b.client.received(a.userId), c.client.received(a.userId)]).toEqual(before);
    expect(b.client.received(c.userId)).toBeGreaterThan(fromC + 10);
    const stats = sfu.rooms
      .get(channel)
      ?.trackStats()
      .find((s) => s.userId === a.userId);
    expect(stats?.dropped).toBeGreaterThan(10);

    a.client.send({ type: 'state', muted: false });
    await b.client.until(
      () => b.client.received(a.userId) > before[0]! + 10,
      5000,
      'unmuted audio',
    );
  });

  it('never forwards audio of a user without speak, and refuses their publish', async () => {
    const channel = randomUUID();
    const speaker = await connect(channel);
    const silent = await connect(channel, { speak: false, stream: false, moderate: false });
    speaker.client.publish('mic');
    // A forged client ignores the UI and publishes anyway.
    silent.client.publish('mic');
    silent.client.publish('screen');
    await silent.client.until(() => silent.client.errors.length >= 2, 5000, 'refusals');
    expect(silent.client.errors.every((e) => e.startsWith('forbidden'))).toBe(true);
    await silent.client.until(() => silent.client.received(speaker.userId) > 10, 30_000, 'audio');
    await new Promise((r) => setTimeout(r, 500));
    expect(speaker.client.received(silent.userId)).toBe(0);
    expect(speaker.client.remoteTracks.some((t) => t.userId === silent.userId)).toBe(false);
    const seen = speaker.client.participants.find((p) => p.userId === silent.userId);
    expect(seen?.muted).toBe(true);
  }, 60_000);

  it('forwards screen video to viewers', async () => {
    const channel = randomUUID();
    const sharer = await connect(channel);
    const viewer = await connect(channel);
    sharer.client.publish('screen');
    await viewer.client.until(
      () => viewer.client.received(sharer.userId, 'screen') > 10,
      15_000,
      'video',
    );
    await viewer.client.until(
      () => viewer.client.participants.find((p) => p.userId === sharer.userId)?.screen === true,
    );
    sharer.client.send({ type: 'unpublish', source: 'screen' });
    await viewer.client.until(
      () => !viewer.client.remoteTracks.some((t) => t.source === 'screen'),
      5000,
      'screen gone',
    );
  }, 60_000);

  it('drops a client whose socket closes, and reports it', async () => {
    const channel = randomUUID();
    const stays = await connect(channel);
    const goes = await connect(channel);
    await stays.client.until(() => stays.client.participants.length === 2);
    await goes.client.close();
    await stays.client.until(() => stays.client.participants.length === 1, 5000, 'leave');
    await stays.client.until(
      () => !reports.at(-1)?.participants.some((p) => p.userId === goes.userId),
      5000,
      'report without the leaver',
    );
    expect(sfu.rooms.get(channel)?.size).toBe(1);
  });

  it.each([
    ['an expired grant', { iat: Math.floor(Date.now() / 1000) - 120 }, 'grantExpired'],
    ['a grant living too long', { ttlS: 3600 }, 'grantExpired'],
    ['a grant signed with another secret', { secret: 'another-secret-0000' }, 'grantInvalid'],
    ['a grant for another node', { node: 'ws://elsewhere:3001' }, 'wrongNode'],
    ['a first frame that is not a join', { raw: { type: 'leave' } }, 'badHandshake'],
    ['a first frame that is not JSON', { raw: '{nope' }, 'badHandshake'],
  ] as const)('closes on %s with a named reason', async (_name, opts, name) => {
    const reason = voiceCloseReason[name];
    const client = new WeriftVoiceClient(url());
    clients.push(client);
    if ('raw' in opts) await client.sendRaw(opts.raw);
    else {
      const claims = {
        sub: randomUUID(),
        ch: randomUUID(),
        node: 'node' in opts ? opts.node : url(),
        perms: all,
      };
      const grant = await signGrant(claims, 'secret' in opts ? opts.secret : secret, {
        ...('iat' in opts ? { iat: opts.iat } : {}),
        ...('ttlS' in opts ? { ttlS: opts.ttlS } : {}),
      });
      await client.join(grant);
    }
    await client.until(() => client.closed !== undefined, 5000, 'close');
    expect(client.closed?.code).toBe(VoiceCloseCode[name]);
    expect(client.closed?.reason.startsWith(reason)).toBe(true);
  });
});
