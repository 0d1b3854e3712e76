import { createHmac } from 'node:crypto';
import type { Page } from '@playwright/test';
import type { TestSfu } from '@echora/testkit';
import { expect, test, type User } from './fixtures/test.ts';
import { Permission } from '@echora/shared';
import { registerViaApi } from './fixtures/api.ts';
import { SyncClient } from './fixtures/sync-client.ts';
import { loginViaUi } from './fixtures/ui.ts';
import {
  audioFrom,
  inbound,
  joinVoice as join,
  occupants,
  startSfu,
  voiceSetup,
} from './fixtures/voice.ts';

/*
 * Voice end to end: Debian's Chromium with fake devices, the real sync
 * server, and the real SFU as its own process. Three people talk in
 * "General"; stats come from each page's own RTCPeerConnection.
 */

const setup = voiceSetup();
const { sfuPort, secret } = setup;
test.use({
  serverEnv: setup.serverEnv,
  // Three browsers, a server and an SFU on two cores: give actions room.
  actionTimeout: 30_000,
  navigationTimeout: 60_000,
});

let sfu: TestSfu | undefined;
test.beforeAll(async ({ server }) => {
  sfu = await startSfu(server.url, setup);
});
test.afterAll(() => sfu?.stop());

/** How much sound each inbound audio stream carried over two seconds, quietest first. */
async function soundGrowth(page: Page): Promise<number[]> {
  const before = await audioFrom(page);
  await page.waitForTimeout(2_000);
  const after = await audioFrom(page);
  return before
    .map((s) => (after.find((a) => a.mid === s.mid)?.energy ?? 0) - s.energy)
    .sort((a, b) => a - b);
}

/** Requests any page made to the old polling route; the roster must come over the sync socket. */
const polled: string[] = [];
function watchPolling(user: User): void {
  user.page.on('request', (request) => {
    if (new URL(request.url()).pathname === '/api/voice/state') polled.push(request.url());
  });
}

/** Joins "General" (see the fixture), watching that the page never polls the voice state. */
async function joinVoice(user: User, serverUrl: string): Promise<void> {
  watchPolling(user);
  await join(user, serverUrl);
}

test('three people hear each other; mute, deafen, server mute, push to talk and share screen reach the others; leaving updates every sidebar, all without polling', async ({
  openUser,
  server,
}) => {
  test.setTimeout(360_000);
  const users = [await openUser('alice'), await openUser('bob'), await openUser('carol')];
  for (const u of users) await joinVoice(u, server.url);
  const [alice, bob, carol] = users as [User, User, User];

  // Each page receives Opus from the two others, growing, with sound in it.
  const heard = new Map<string, number>();
  for (const u of users) {
    await expect
      .poll(
        async () => {
          const audio = await audioFrom(u.page);
          for (const s of audio)
            heard.set(
              `${u.name}:${s.mid}`,
              Math.max(heard.get(`${u.name}:${s.mid}`) ?? 0, s.level),
            );
          const loud = audio.filter((s) => (heard.get(`${u.name}:${s.mid}`) ?? 0) > 0);
          if (loud.length === 2 && audio.every((s) => s.codec.toLowerCase() === 'audio/opus'))
            return 'ok';
          return JSON.stringify(await inbound(u.page));
        },
        { timeout: 30_000, message: `${u.name} hears two Opus streams with sound` },
      )
      .toBe('ok');
    const before = await audioFrom(u.page);
    await u.page.waitForTimeout(1_000);
    const after = await audioFrom(u.page);
    for (const s of before)
      expect(after.find((a) => a.mid === s.mid)?.packets ?? 0).toBeGreaterThan(s.packets);
    await expect(occupants(u.page).getByRole('listitem')).toHaveCount(3);
  }

  // Alice mutes: on Bob's and Carol's pages one stream stops, the other keeps flowing.
  await alice.page.getByRole('button', { name: 'Mute' }).click();
  await expect(alice.page.getByRole('button', { name: 'Mute' })).toHaveAttribute(
    'aria-pressed',
    'true',
  );
  await alice.page.waitForTimeout(1_000);
  for (const u of [bob, carol]) {
    const before = await audioFrom(u.page);
    await u.page.waitForTimeout(1_500);
    const after = await audioFrom(u.page);
    const grew = before.map(
      (s) => (after.find((a) => a.mid === s.mid)?.packets ?? 0) > s.packets + 5,
    );
    expect(grew.sort(), `${u.name}: exactly one stream (Alice's) stopped`).toEqual([false, true]);
  }
  await alice.page.getByRole('button', { name: 'Mute' }).click();

  // Alice deafens: the SFU sends her no audio at all (saving the bandwidth), then resumes.
  const deafen = alice.page.getByRole('button', { name: 'Deafen' });
  await deafen.click();
  await expect(deafen).toHaveAttribute('aria-pressed', 'true');
  await alice.page.waitForTimeout(1_000);
  const deafBefore = await audioFrom(alice.page);
  await alice.page.waitForTimeout(1_500);
  const deafAfter = await audioFrom(alice.page);
  for (const s of deafBefore)
    expect(deafAfter.find((a) => a.mid === s.mid)?.packets ?? 0).toBeLessThanOrEqual(s.packets + 2);
  await deafen.click();
  await expect
    .poll(async () => {
      const now = await audioFrom(alice.page);
      return deafAfter.every(
        (s) => (now.find((a) => a.mid === s.mid)?.packets ?? 0) > s.packets + 10,
      );
    })
    .toBe(true);

  // The owner, not in the call, sees it in the sidebar and server-mutes Bob: his audio stops
  // reaching Alice and Carol. Plain members are offered no such action.
  const moderator = await openUser('owner');
  watchPolling(moderator);
  await loginViaUi(moderator.page, server.owner.user.username);
  await expect(occupants(moderator.page).getByRole('listitem')).toHaveCount(3);
  await expect(alice.page.getByRole('button', { name: /^Server mute/ })).toHaveCount(0);
  const serverMute = moderator.page.getByRole('button', { name: `Server mute ${bob.username}` });
  await serverMute.click();
  await expect(serverMute).toHaveAttribute('aria-pressed', 'true');
  for (const u of [alice, carol])
    await expect(occupants(u.page).getByLabel('server muted')).toHaveCount(1);
  await expect(bob.page.getByText('A moderator muted you')).toBeVisible();
  await alice.page.waitForTimeout(1_000);
  for (const u of [alice, carol]) {
    const before = await audioFrom(u.page);
    await u.page.waitForTimeout(1_500);
    const after = await audioFrom(u.page);
    const grew = before.map(
      (s) => (after.find((a) => a.mid === s.mid)?.packets ?? 0) > s.packets + 5,
    );
    expect(grew.sort(), `${u.name}: exactly one stream (Bob's) stopped`).toEqual([false, true]);
  }
  // The moderator lifts it; every sidebar drops the icon.
  await serverMute.click();
  await expect(occupants(alice.page).getByLabel('server muted')).toHaveCount(0);
  await expect(bob.page.getByText('A moderator muted you')).toHaveCount(0);

  // Carol turns on push to talk: her microphone is silent until she holds the key.
  await carol.page.getByRole('checkbox', { name: 'Push to talk' }).check();
  await expect(carol.page.getByRole('button', { name: 'Push-to-talk key' })).toHaveText('`');
  await carol.page.waitForTimeout(1_000);
  const [quiet = 0, loud = 0] = await soundGrowth(alice.page);
  expect(loud, 'Alice still hears Bob').toBeGreaterThan(0);
  expect(quiet, "Carol's stream is silent").toBeLessThan(loud / 100);
  await carol.page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  await carol.page.keyboard.down('Backquote');
  await expect(carol.page.getByText('Talking')).toBeVisible();
  await carol.page.waitForTimeout(500);
  const held = await soundGrowth(alice.page);
  await carol.page.keyboard.up('Backquote');
  expect(held[0], 'Carol is heard while she holds the key').toBeGreaterThan(loud / 100);
  await carol.page.getByRole('checkbox', { name: 'Push to talk' }).uncheck();

  // Alice shares a screen: the two others decode its frames.
  await alice.page.getByRole('button', { name: 'Share screen' }).click();
  for (const u of [bob, carol])
    await expect
      .poll(async () => (await inbound(u.page)).some((s) => s.kind === 'video' && s.frames > 0), {
        timeout: 30_000,
        message: `${u.name} decodes Alice's screen`,
      })
      .toBe(true);
  await expect(bob.page.getByRole('button', { name: /Screen of/ })).toBeVisible();

  // Carol leaves: everyone's sidebar drops her.
  await carol.page.getByRole('button', { name: 'Disconnect' }).click();
  for (const u of [alice, bob, moderator])
    await expect(occupants(u.page).getByText(carol.username)).toHaveCount(0, { timeout: 10_000 });
  // Every sidebar above moved through the sync socket: nobody polled the voice state.
  expect(polled).toEqual([]);
});

/** A grant as the sync server signs it (HS256), made here to play a forged or stale client. */
function forgeGrant(claims: Record<string, unknown>, iat: number): string {
  const enc = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const body = `${enc({ alg: 'HS256' })}.${enc({ ...claims, iat, exp: iat + 60, aud: 'echora-sfu', iss: 'echora-sync' })}`;
  return `${body}.${createHmac('sha256', secret).update(body).digest('base64url')}`;
}

test('a user without speak is heard by nobody even with a forged client; an expired grant is refused; a crashed page leaves within 15 s; a network change rejoins', async ({
  openUser,
  server,
}) => {
  test.setTimeout(150_000);
  const alice = await openUser('alice');
  await joinVoice(alice, server.url);
  const general = await voiceChannelId(server.url, server.owner.accessToken);
  const node = `ws://127.0.0.1:${sfuPort}`;
  const forger = await openUser('mallory');
  // Mallory is a member whom an override denies speak in General: the sync server agrees
  // with the grant below, so only the SFU's own checks stand between her and the others.
  const mallory = (await registerViaApi(server.url, forger.username)).user.id;
  const owner = await SyncClient.connect(server.url, server.owner.accessToken);
  const denied = await owner.mutate('channel.overrides', {
    channelId: general,
    targetType: 'member',
    targetId: mallory,
    allow: 0,
    deny: Permission.speak | Permission.stream,
  });
  await owner.close();
  expect(denied.type).toBe('ack');
  const now = Math.floor(Date.now() / 1000);
  const noSpeak = forgeGrant(
    { sub: mallory, ch: general, node, perms: { speak: false, stream: false, moderate: false } },
    now,
  );
  const expired = forgeGrant(
    { sub: mallory, ch: general, node, perms: { speak: true, stream: true, moderate: false } },
    now - 300,
  );

  await forger.page.goto('/');
  // A hand-written client: it ignores the refusal and keeps trying to send its microphone.
  const refused = await forger.page.evaluate(
    async ({ url, grant }) => {
      const mic = (await navigator.mediaDevices.getUserMedia({ audio: true })).getAudioTracks()[0];
      const pc = new RTCPeerConnection();
      if (mic) pc.addTransceiver(mic, { direction: 'sendonly' });
      const ws = new WebSocket(url);
      const errors: string[] = [];
      ws.onopen = () => {
        ws.send(JSON.stringify({ type: 'join', grant }));
        ws.send(JSON.stringify({ type: 'publish', source: 'mic' }));
        ws.send(JSON.stringify({ type: 'state', muted: false, speaking: true }));
      };
      // Until the SFU refuses the publish (or closes on her), at most 10 s.
      await new Promise<void>((resolve) => {
        const cap = setTimeout(resolve, 10_000);
        ws.onclose = () => resolve();
        ws.onmessage = (e) => {
          const m = JSON.parse(String(e.data)) as { type: string; sdp?: string; message?: string };
          if (m.type !== 'error') return;
          errors.push(m.message ?? '');
          if (/may not speak/.test(m.message ?? '')) {
            clearTimeout(cap);
            resolve();
          }
        };
      });
      (window as unknown as { __keep: unknown }).__keep = [pc, ws];
      return errors;
    },
    { url: node, grant: noSpeak },
  );
  expect(refused.join()).toContain('may not speak');
  await expect(occupants(alice.page).getByRole('listitem')).toHaveCount(2, { timeout: 10_000 });
  // Alice receives no audio from the forger: nothing was ever forwarded.
  await alice.page.waitForTimeout(2_000);
  expect(await audioFrom(alice.page)).toEqual([]);

  const closed = await forger.page.evaluate(
    ({ url, grant }) =>
      new Promise<{ code: number; reason: string }>((resolve) => {
        const ws = new WebSocket(url);
        ws.onopen = () => ws.send(JSON.stringify({ type: 'join', grant }));
        ws.onclose = (e) => resolve({ code: e.code, reason: e.reason });
      }),
    { url: node, grant: expired },
  );
  expect(closed.code).toBe(4002);
  expect(closed.reason).toMatch(/^GRANT_EXPIRED/);

  // Bob joins, then his renderer crashes: within 15 s Alice no longer lists him.
  const bob = await openUser('bob');
  await joinVoice(bob, server.url);
  await expect(occupants(alice.page).getByText(bob.username)).toHaveCount(1, { timeout: 15_000 });
  const cdp = await bob.context.newCDPSession(bob.page);
  void cdp.send('Page.crash').catch(() => undefined);
  const crashedAt = Date.now();
  await expect(occupants(alice.page).getByText(bob.username)).toHaveCount(0, { timeout: 15_000 });
  expect(Date.now() - crashedAt).toBeLessThan(15_000);

  // Alice's network drops and comes back: the call rejoins on a new connection by itself.
  const connections = () =>
    alice.page.evaluate(() => (window as unknown as { __pcs: unknown[] }).__pcs.length);
  const before = await connections();
  await alice.goOffline();
  await alice.goOnline();
  await expect.poll(connections, { timeout: 20_000 }).toBeGreaterThan(before);
  await expect(alice.page.getByText('Voice connected')).toBeVisible({ timeout: 20_000 });
  await expect(occupants(alice.page).getByText(alice.username)).toHaveCount(1);
});

/** The voice channel someone is in, from the server's voice state (General, joined by Alice). */
async function voiceChannelId(baseUrl: string, token: string): Promise<string> {
  let id: string | undefined;
  await expect
    .poll(
      async () => {
        const response = await fetch(new URL('/api/voice/state', baseUrl), {
          headers: { authorization: `Bearer ${token}` },
        });
        const body = (await response.json()) as { channels: { channelId: string }[] };
        id = body.channels[0]?.channelId;
        return id;
      },
      { timeout: 10_000 },
    )
    .toBeTruthy();
  return id ?? '';
}
