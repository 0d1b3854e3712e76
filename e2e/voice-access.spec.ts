import type { Page } from '@playwright/test';
import type { TestSfu } from '@echora/testkit';
import { Permission } from '@echora/shared';
import { registerViaApi } from './fixtures/api.ts';
import { SyncClient } from './fixtures/sync-client.ts';
import { expect, test } from './fixtures/test.ts';
import { uuidv7 } from './fixtures/uuid.ts';
import {
  audioFrom,
  joinVoice,
  loginAndJoin,
  occupants,
  startSfu,
  voiceSetup,
} from './fixtures/voice.ts';

/*
 * Voice follows moderation and permissions, in Chromium with fake devices
 * against the real sync server and SFU: a banned speaker goes silent for the
 * others within two seconds (measured on the listener's own inbound RTP), and
 * a member whose role loses a private voice channel is taken out of the call
 * and told why.
 */

const setup = voiceSetup();
test.use({
  serverEnv: setup.serverEnv,
  actionTimeout: 30_000,
  navigationTimeout: 60_000,
});

let sfu: TestSfu | undefined;
test.beforeAll(async ({ server }) => {
  sfu = await startSfu(server.url, setup);
});
test.afterAll(() => sfu?.stop());

/** What reached a page's inbound audio since the previous sample (epoch ms, packets, bytes). */
interface Sample {
  at: number;
  packets: number;
  bytes: number;
}

/**
 * Samples the page's inbound audio every 50 ms until no stream has grown for
 * `quietMs` (or `maxMs` passed). Each stream is followed by its stats id:
 * a stream that ends may vanish from the stats, which is no growth.
 */
function sampleUntilQuiet(page: Page, quietMs: number, maxMs: number): Promise<Sample[]> {
  return page.evaluate(
    async ({ quietMs, maxMs }) => {
      const pcs = (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs;
      const seen = new Map<string, { packets: number; bytes: number }>();
      const take = async () => {
        const sample = { at: Date.now(), packets: 0, bytes: 0 };
        for (const pc of pcs) {
          if (pc.connectionState === 'closed') continue;
          (await pc.getStats()).forEach(
            (s: {
              type: string;
              id: string;
              kind?: string;
              packetsReceived?: number;
              bytesReceived?: number;
            }) => {
              if (s.type !== 'inbound-rtp' || s.kind !== 'audio') return;
              const now = { packets: s.packetsReceived ?? 0, bytes: s.bytesReceived ?? 0 };
              const before = seen.get(s.id) ?? now;
              sample.packets += Math.max(0, now.packets - before.packets);
              sample.bytes += Math.max(0, now.bytes - before.bytes);
              seen.set(s.id, now);
            },
          );
        }
        return sample;
      };
      let last = await take();
      const samples = [last];
      const startedAt = last.at;
      let grewAt = startedAt;
      // Judged by the samples' own times: under load a getStats() can take long,
      // and the quiet window is what the samples saw, not the loop's clock.
      while (last.at - grewAt < quietMs && last.at - startedAt < maxMs) {
        await new Promise((r) => setTimeout(r, 50));
        last = await take();
        if (last.packets > 0) grewAt = last.at;
        samples.push(last);
      }
      return samples;
    },
    { quietMs, maxMs },
  );
}

test('a banned speaker goes silent for the others within 2 s and leaves every sidebar', async ({
  openUser,
  server,
}) => {
  test.setTimeout(180_000);
  const alice = await openUser('alice');
  const bob = await openUser('bob');
  const aliceSession = await joinVoice(alice, server.url);
  await joinVoice(bob, server.url);
  // Bob hears Alice: her stream carries sound and keeps growing.
  await expect
    .poll(async () => (await audioFrom(bob.page)).some((s) => s.level > 0), {
      timeout: 30_000,
      message: 'Bob hears Alice',
    })
    .toBe(true);
  await expect(occupants(bob.page).getByRole('listitem')).toHaveCount(2);

  // Bob's page samples what reaches it while the owner bans Alice.
  const sampling = sampleUntilQuiet(bob.page, 2_000, 30_000);
  const response = await fetch(new URL('/api/moderation/ban', server.url), {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: `Bearer ${server.owner.accessToken}`,
    },
    body: JSON.stringify({ userId: aliceSession.user.id, reason: 'e2e' }),
  });
  expect(response.status).toBe(204);
  const bannedAt = Date.now();
  const samples = await sampling;
  const after = samples.filter((s) => s.at > bannedAt);
  const lastGrowth = samples.filter((s) => s.packets > 0).at(-1) ?? samples[0]!;
  const last = samples.at(-1)!;
  test.info().annotations.push({
    type: 'measured',
    description: `after the ban: ${after.reduce((n, s) => n + s.packets, 0)} packets, ${after.reduce((n, s) => n + s.bytes, 0)} bytes of audio reached Bob; the last ${lastGrowth.at - bannedAt} ms after the ban`,
  });
  // Silent within 2 s of the ban, and for the sampler's quiet window after.
  expect(lastGrowth.at - bannedAt).toBeLessThan(2_000);
  expect(last.at - lastGrowth.at).toBeGreaterThanOrEqual(1_900);

  await expect(occupants(bob.page).getByText(alice.username)).toHaveCount(0);
  await expect(occupants(bob.page).getByRole('listitem')).toHaveCount(1);
  await expect(bob.page.getByText('Voice connected')).toBeVisible();
  await expect(alice.page.getByText('Voice connected')).toHaveCount(0);
});

test('a member whose role loses a private voice channel leaves the call, and is told why', async ({
  openUser,
  server,
}) => {
  test.setTimeout(180_000);
  const carol = await openUser('carol');
  const dave = await openUser('dave');
  const carolId = (await registerViaApi(server.url, carol.username)).user.id;
  const daveId = (await registerViaApi(server.url, dave.username)).user.id;

  // The owner makes "backstage", seen only by the Crew role, and gives Carol and Dave the role.
  const owner = await SyncClient.connect(server.url, server.owner.accessToken);
  const everyone = [...owner.frames]
    .flatMap((f) => (f.type === 'changes' || f.type === 'reset' ? f.changes : []))
    .flatMap((c) =>
      c.op === 'upsert' && c.entity === 'role' && c.data.isEveryone ? [c.data.id] : [],
    )[0];
  expect(everyone).toBeDefined();
  const stage = uuidv7();
  const crew = uuidv7();
  const setUp = [
    await owner.mutate('channel.create', { id: stage, kind: 'voice', name: 'backstage' }),
    await owner.mutate('role.create', { id: crew, name: 'Crew' }),
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
      targetId: crew,
      allow: Permission.viewChannel,
      deny: 0,
    }),
    await owner.mutate('member.roles', { userId: carolId, roleIds: [crew] }),
    await owner.mutate('member.roles', { userId: daveId, roleIds: [crew] }),
  ];
  expect(setUp.map((a) => a.type)).toEqual(['ack', 'ack', 'ack', 'ack', 'ack', 'ack']);

  await loginAndJoin(carol, 'backstage');
  await loginAndJoin(dave, 'backstage');
  await expect(occupants(dave.page, 'backstage').getByRole('listitem')).toHaveCount(2);

  // Carol loses the role.
  const removed = await owner.mutate('member.roles', { userId: carolId, roleIds: [] });
  expect(removed.type).toBe('ack');
  const removedAt = Date.now();
  await owner.close();

  await expect(
    carol.page.getByText('You no longer have access to this voice channel.'),
  ).toBeVisible();
  test.info().annotations.push({
    type: 'measured',
    description: `Carol was told ${Date.now() - removedAt} ms after the role change`,
  });
  await expect(carol.page.getByText('Voice connected')).toHaveCount(0);
  await expect(carol.page.getByRole('button', { name: 'Disconnect' })).toHaveCount(0);
  // Her connection to the SFU is closed: no live peer connection is left.
  expect(
    await carol.page.evaluate(() =>
      (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs.every(
        (pc) => pc.connectionState === 'closed',
      ),
    ),
  ).toBe(true);
  // The others see her leave; Dave stays.
  await expect(occupants(dave.page, 'backstage').getByText(carol.username)).toHaveCount(0);
  await expect(occupants(dave.page, 'backstage').getByRole('listitem')).toHaveCount(1);
  await expect(dave.page.getByText('Voice connected')).toBeVisible();
});
