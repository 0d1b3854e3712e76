import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
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
import { expect, test, type User } from './fixtures/test.ts';
import { messageText, openChannel, registerViaUi, sendMessage } from './fixtures/ui.ts';

const screenshots = path.join(path.dirname(fileURLToPath(import.meta.url)), 'screenshots');
const phone = {
  viewport: { width: 390, height: 844 },
  isMobile: true,
  hasTouch: true,
  deviceScaleFactor: 2,
};

test.beforeAll(async () => {
  await mkdir(screenshots, { recursive: true });
});

/**
 * The phone app's client in Chromium: a custom Capacitor platform makes
 * `Capacitor.isNativePlatform()` true, and each plugin runs its own web
 * implementation (Network, App, SecureStorage, LocalNotifications), as in
 * `npx cap run` on a device minus the native bridge.
 */
async function asPhoneApp(user: User): Promise<void> {
  await user.context.addInitScript(() => {
    (window as { CapacitorCustomPlatform?: unknown }).CapacitorCustomPlatform = {
      name: 'e2e',
      plugins: {},
    };
  });
}

test('the phone app asks for the server, refuses a bad address, remembers a good one', async ({
  openUser,
}) => {
  const alice = await openUser('alice', phone);
  const bob = await openUser('bob');
  await asPhoneApp(alice);
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
  await asPhoneApp(bob);
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
