import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BrowserContext } from '@playwright/test';
import { pasteFile, PNG_BASE64, pngBytes } from './fixtures/files.ts';
import { testPassword } from './fixtures/api.ts';
import {
  clickShown,
  expectOpenedAt,
  hideableAndRecorded,
  laterTalk,
  mention,
  setHidden,
  shown,
  shownTags,
} from './fixtures/notifications.ts';
import { SyncClient } from './fixtures/sync-client.ts';
import { expect, test } from './fixtures/test.ts';
import { composer, messageText, openChannel, registerViaUi, sendMessage } from './fixtures/ui.ts';

const screenshots = path.join(path.dirname(fileURLToPath(import.meta.url)), 'screenshots');
const phone = {
  viewport: { width: 390, height: 844 },
  isMobile: true,
  hasTouch: true,
  deviceScaleFactor: 2,
};

/** Where the apps' web view serves the app from (Capacitor's `androidScheme`). */
const APP_ORIGIN = 'https://localhost';

// The server answers the app's origin, as README's phone section tells operators to set.
test.use({ serverEnv: { CORS_ORIGINS: APP_ORIGIN } });

/** Makes the pages of `context` run as the phone app: Capacitor's native-platform check is true. */
async function asCapacitor(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    (window as { CapacitorCustomPlatform?: unknown }).CapacitorCustomPlatform = {
      name: 'e2e',
      plugins: {},
    };
  });
}

test.beforeAll(async () => {
  await mkdir(screenshots, { recursive: true });
});

/**
 * The phone app's client in Chromium: a custom Capacitor platform makes
 * `Capacitor.isNativePlatform()` true, and each plugin runs its own web
 * implementation (Network, App, SecureStorage, LocalNotifications), as in
 * `npx cap run` on a device minus the native bridge.
 */
test('the phone app asks for the server, refuses a bad address, remembers a good one', async ({
  openUser,
}) => {
  const alice = await openUser('alice', phone);
  const bob = await openUser('bob');
  await asCapacitor(alice.context);
  const { page } = alice;
  await page.goto('/');
  await expect(page.getByRole('heading', { name: 'Join a community' })).toBeVisible();
  await page.screenshot({ path: path.join(screenshots, 'phone-server-address.png') });

  const address = page.getByLabel('Server address');
  await address.fill('http://chat.example.org');
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page.getByRole('alert')).toHaveText(
    'Use https:// for chat.example.org: the app does not send chats unencrypted.',
  );
  await expect(address).toHaveAttribute('aria-invalid', 'true');
  await page.screenshot({ path: path.join(screenshots, 'phone-server-address-refused.png') });

  // The address the app talks to: Alice's own path to the server.
  await address.fill(alice.proxy.url);
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page.getByRole('heading', { name: 'Welcome to Echora' })).toBeVisible();

  // Chats from the phone reach someone on the web, through the chosen server.
  await registerViaUi(page, alice.username);
  await registerViaUi(bob.page, bob.username);
  const text = `from the phone app, ${alice.username}`;
  await sendMessage(page, text);
  await expect(messageText(bob.page, text)).toBeVisible();

  // Remembered: a restart opens the community, signed in.
  await page.reload();
  await expect(messageText(page, text)).toBeVisible();

  // Switching shows the communities this phone knows.
  await page.getByRole('button', { name: 'Open channels' }).click();
  await page.getByRole('button', { name: 'Switch community' }).click();
  const host = new URL(alice.proxy.url).host;
  await expect(page.getByRole('button', { name: host, exact: true })).toBeVisible();
  await page.getByRole('button', { name: 'Cancel' }).click();
  await expect(messageText(page, text)).toBeVisible();

  // Forgetting a community is asked for once more; keeping it changes nothing.
  await page.getByRole('button', { name: 'Open channels' }).click();
  await page.getByRole('button', { name: 'Switch community' }).click();
  await page.getByRole('button', { name: `Forget ${host}` }).click();
  const question = page.getByRole('group', { name: `Forget ${host}?` });
  await expect(question).toContainText('deletes its messages, unsent ones too');
  await page.screenshot({ path: path.join(screenshots, 'phone-forget-community.png') });
  await question.getByRole('button', { name: 'Keep' }).click();
  await expect(page.getByRole('button', { name: host, exact: true })).toBeVisible();

  // Forgotten: the list is empty, the replica gone, and a restart asks for a server again.
  const replicas = () =>
    page.evaluate(async () => (await indexedDB.databases()).map((d) => d.name ?? ''));
  const replica = `echora ${new URL(alice.proxy.url).origin}`;
  expect(await replicas()).toContain(replica);
  await page.getByRole('button', { name: `Forget ${host}` }).click();
  await question.getByRole('button', { name: 'Forget' }).click();
  await expect(page.getByRole('heading', { name: 'Your communities' })).toBeHidden();
  await expect(page.getByRole('button', { name: 'Cancel' })).toBeHidden();
  await expect.poll(replicas).not.toContain(replica);
  await page.reload();
  await expect(page.getByRole('heading', { name: 'Join a community' })).toBeVisible();
});

/**
 * The app's page comes from `https://localhost` (served here from the built
 * client, with no server headers, as Capacitor's web view does) and the
 * server is another site: its media cookie never reaches `<img src>`, so
 * the app loads images with the token into `blob:` URLs.
 */
test('the phone app shows images and avatars from another origin as blob: URLs', async ({
  openUser,
}) => {
  const alice = await openUser('alice');
  // The test's server is on loopback, which Chromium lets another site reach
  // only with this permission (Local Network Access); a community's server is not.
  const bob = await openUser('bob', {
    ...phone,
    serviceWorkers: 'block',
    permissions: ['local-network-access'],
  });
  await asCapacitor(bob.context);
  await bob.context.route(`${APP_ORIGIN}/**`, async (route) => {
    const { pathname, search } = new URL(route.request().url());
    const response = await route.fetch({ url: `${bob.proxy.url}${pathname}${search}` });
    const contentType = response.headers()['content-type'] ?? 'application/octet-stream';
    await route.fulfill({ status: response.status(), contentType, body: await response.body() });
  });

  // Alice, on the web: an avatar, then an image in #general.
  await registerViaUi(alice.page, alice.username);
  await alice.page.getByRole('button', { name: 'Edit profile' }).click();
  const editor = alice.page.getByRole('dialog', { name: 'Edit profile' });
  await editor.getByLabel('Choose avatar').setInputFiles({
    name: 'me.png',
    mimeType: 'image/png',
    buffer: pngBytes(),
  });
  await editor.getByRole('button', { name: 'Save profile' }).click();
  await expect(editor).toBeHidden({ timeout: 20_000 });
  await pasteFile(alice.page, 'textarea[aria-label="Message #general"]', {
    name: 'from-alice.png',
    type: 'image/png',
    base64: PNG_BASE64,
  });
  const caption = `an image for the phone, ${alice.username}`;
  await composer(alice.page).fill(caption);
  await composer(alice.page).press('Enter');

  // Bob, in the app: another origin than the server's.
  const { page } = bob;
  await page.goto(`${APP_ORIGIN}/`);
  await page.getByLabel('Server address').fill(bob.proxy.url);
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByLabel('Username').fill(bob.username);
  await page.getByLabel('Password', { exact: true }).fill(testPassword);
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(messageText(page, caption)).toBeVisible({ timeout: 30_000 });
  expect(new URL(page.url()).origin).toBe(APP_ORIGIN);

  /** An image's src, and its width once it decoded (0 until then, or when it failed). */
  const loaded = (img: ReturnType<typeof page.locator>) =>
    img.evaluate((el: HTMLImageElement) => ({
      blob: el.src.startsWith('blob:'),
      width: el.complete ? el.naturalWidth : 0,
    }));
  const image = page.getByRole('img', { name: 'from-alice.png' });
  await expect.poll(() => loaded(image), { timeout: 20_000 }).toEqual({ blob: true, width: 48 });
  // Her avatar beside the message: the 64 px thumbnail.
  const avatar = page
    .getByRole('button', { name: `Profile of ${alice.username}` })
    .first()
    .locator('img');
  await expect.poll(() => loaded(avatar), { timeout: 20_000 }).toEqual({ blob: true, width: 64 });
  // The full image too, in the lightbox.
  await page.getByRole('button', { name: 'Open image from-alice.png' }).click();
  const full = page.getByRole('dialog', { name: 'from-alice.png' }).getByRole('img');
  await expect.poll(() => loaded(full)).toEqual({ blob: true, width: 48 });
  await page.screenshot({ path: path.join(screenshots, 'phone-media.png') });
});

test('Bob’s phone app in the background shows a local notification for Alice’s mention; its tap opens the message', async ({
  openUser,
  server,
}) => {
  test.setTimeout(180_000);
  const channel = `phone-${Date.now().toString(36)}`;
  const owner = await SyncClient.connect(server.url, server.owner.accessToken);
  const channelId = await owner.createTextChannel(channel);

  const alice = await openUser('alice');
  const bob = await openUser('bob', { ...phone, permissions: ['notifications'] });
  await asCapacitor(bob.context);
  await bob.page.addInitScript(hideableAndRecorded);
  const { page } = bob;
  await page.goto('/');
  await page.getByLabel('Server address').fill(bob.proxy.url);
  await page.getByRole('button', { name: 'Continue' }).click();
  await registerViaUi(alice.page, alice.username);
  await registerViaUi(page, bob.username);

  // Bob turns them on in the channel drawer; he stays in #general.
  await page.getByRole('button', { name: 'Open channels' }).click();
  const toggle = page.getByRole('switch', {
    name: 'Notifications for mentions and direct messages',
    exact: true,
  });
  await toggle.check();
  await expect(toggle).toBeChecked();
  await page.keyboard.press('Escape');

  // The app goes to the background (Capacitor's App plugin reports it); Alice mentions Bob.
  await setHidden(page, true);
  await openChannel(alice.page, channel);
  await mention(alice.page, channel, bob.username, ' your phone rings');
  await expect
    .poll(() => shown(page), { timeout: 15_000 })
    .toEqual([
      { title: `${alice.username} in #${channel}`, body: `@${bob.username} your phone rings` },
    ]);
  // Scheduled through the plugin, numbered from the message's id.
  const sent = (await owner.allMessages(channelId)).find((m) => m.content.endsWith('phone rings'));
  if (!sent) throw new Error('the mention did not reach the server');
  const id = Number.parseInt(sent.id.replace(/-/g, '').slice(0, 8), 16) & 0x7fffffff;
  expect(await shownTags(page)).toEqual([String(id)]);

  // Later talk pushes the mention out of the channel's first view (its end).
  await laterTalk(owner, channelId, page);
  await owner.close();

  // The tap brings the app up on the channel, scrolled to the mention.
  await setHidden(page, false);
  await clickShown(page, 0);
  await expectOpenedAt(page, channel, 'your phone rings');
  await page.screenshot({ path: path.join(screenshots, 'phone-notification-opened.png') });
});
