import { SyncClient } from './fixtures/sync-client.ts';
import { expect, test } from './fixtures/test.ts';
import type { Page } from '@playwright/test';
import {
  connectionStatus,
  messageRow,
  messageText,
  openChannel,
  registerViaUi,
  sendMessage,
} from './fixtures/ui.ts';

// Seeding history needs more than the default 100 sends per minute: a server of its own.
test.use({ serverEnv: { SEND_RATE_PER_MINUTE: '100000' } });

const reconnectTimeout = { timeout: 30_000 };

function panel(page: Page) {
  return page.getByRole('dialog', { name: 'Search messages' });
}

async function searchFor(page: Page, q: string): Promise<void> {
  if (!(await panel(page).isVisible())) await page.keyboard.press('Control+f');
  await panel(page).getByRole('searchbox', { name: 'Search messages' }).fill(q);
}

function results(page: Page) {
  return panel(page).getByRole('region', { name: 'Search results' }).getByRole('button');
}

test('search: cached messages offline, server results merged online, jump to an old message', async ({
  openUser,
  server,
}) => {
  test.setTimeout(180_000);
  const channel = `search-${Date.now().toString(36)}`;
  const tag = `t${Date.now().toString(36)}`;
  const ancient = `the narwhal ${tag} of long ago`;
  // An old message far back in the channel, under 300 newer ones: no device holds it yet.
  const seeder = await SyncClient.connect(server.url, server.owner.accessToken);
  try {
    await seeder.createTextChannel(channel);
    await seeder.waitFor(
      (f) => f.type === 'changes' && [...seeder.channels.values()].some((c) => c.name === channel),
    );
    const id = seeder.channelNamed(channel).id;
    await seeder.sendMessages(id, [ancient]);
    await seeder.sendMessages(
      id,
      Array.from({ length: 300 }, (_, i) => `filler ${i} ${tag}`),
    );
  } finally {
    await seeder.close();
  }

  const alice = await openUser('alice');
  const bob = await openUser('bob');
  await registerViaUi(alice.page, alice.username);
  await registerViaUi(bob.page, bob.username);
  await openChannel(alice.page, channel);
  await openChannel(bob.page, channel);

  const cached = `Bob's zébra ${tag} 東京都 🦓`;
  await sendMessage(bob.page, cached, channel);
  await expect(messageText(alice.page, cached)).toBeVisible();

  // Offline: the device's index answers, accents, CJK and emoji included.
  await alice.goOffline();
  await expect(connectionStatus(alice.page)).toHaveText(/^\s*Offline/, reconnectTimeout);
  await searchFor(alice.page, `ZEBRA ${tag}`);
  await expect(results(alice.page)).toHaveCount(1);
  await expect(results(alice.page).first()).toContainText("Bob's");
  await expect(results(alice.page).first().locator('mark').first()).toHaveText('zébra');
  await expect(panel(alice.page)).toContainText('Offline: results from this device only.');
  for (const q of [`東京 ${tag}`, `🦓 ${tag}`]) {
    await searchFor(alice.page, q);
    await expect(results(alice.page)).toHaveCount(1);
  }
  await searchFor(alice.page, `narwhal ${tag}`);
  await expect(panel(alice.page)).toContainText(`No messages match “narwhal ${tag}”.`);
  await alice.page.screenshot({ path: test.info().outputPath('search-offline.png') });

  // Online: the server's answer joins; a message both know shows once.
  await alice.page.keyboard.press('Escape');
  await alice.goOnline();
  await expect(connectionStatus(alice.page)).toHaveText('Online', reconnectTimeout);
  await searchFor(alice.page, `zebra ${tag}`);
  await expect(panel(alice.page)).not.toContainText('Offline');
  await expect(results(alice.page)).toHaveCount(1);
  await searchFor(alice.page, `narwhal ${tag}`);
  await expect(results(alice.page)).toHaveCount(1);
  await expect(results(alice.page).first()).toContainText(ancient);
  await expect(panel(alice.page).getByRole('heading', { name: `#${channel}` })).toBeVisible();
  await alice.page.screenshot({ path: test.info().outputPath('search-online.png') });

  // Jump: history loads back to the message, which scrolls into view highlighted.
  await results(alice.page).first().click();
  await expect(panel(alice.page)).toBeHidden();
  await expect(messageText(alice.page, ancient)).toBeInViewport({ timeout: 30_000 });
  await expect(messageRow(alice.page, ancient)).toHaveClass(/highlighted/);

  // Recent searches are kept for this user.
  await searchFor(alice.page, '');
  await expect(panel(alice.page).getByRole('list', { name: 'Recent searches' })).toContainText(
    `narwhal ${tag}`,
  );
});

test('search: a result 2,000 messages back opens the history around it, then back to the present', async ({
  openUser,
  server,
}) => {
  test.setTimeout(240_000);
  const channel = `far-${Date.now().toString(36)}`;
  const tag = `f${Date.now().toString(36)}`;
  const target = `the axolotl ${tag} from last spring`;
  const line = (i: number) => `line ${i} ${tag}`;
  // 2,000 messages: the target is the 11th, far beyond any page a device loads.
  const seeder = await SyncClient.connect(server.url, server.owner.accessToken);
  try {
    await seeder.createTextChannel(channel);
    await seeder.waitFor(
      (f) => f.type === 'changes' && [...seeder.channels.values()].some((c) => c.name === channel),
    );
    const id = seeder.channelNamed(channel).id;
    const texts = Array.from({ length: 2_000 }, (_, i) => (i === 10 ? target : line(i)));
    for (let i = 0; i < texts.length; i += 500)
      await seeder.sendMessages(id, texts.slice(i, i + 500));
  } finally {
    await seeder.close();
  }

  const alice = await openUser('alice');
  const bob = await openUser('bob');
  await registerViaUi(alice.page, alice.username);
  await registerViaUi(bob.page, bob.username);
  await openChannel(alice.page, channel);
  await openChannel(bob.page, channel);
  await expect(messageText(alice.page, line(1_999))).toBeVisible();

  // The device never held it: only the server finds it.
  await searchFor(alice.page, `axolotl ${tag}`);
  await expect(results(alice.page)).toHaveCount(1);
  await expect(results(alice.page).first()).not.toContainText('device');
  await results(alice.page).first().click();
  await expect(panel(alice.page)).toBeHidden();

  // Loaded around the message: it is in view and highlighted, its neighbours rendered.
  await expect(messageText(alice.page, target)).toBeInViewport({ timeout: 30_000 });
  await expect(messageRow(alice.page, target)).toHaveClass(/highlighted/);
  for (const i of [9, 11]) await expect(messageText(alice.page, line(i))).toBeVisible();
  await expect(messageText(alice.page, line(1_999))).toHaveCount(0);
  const away = alice.page.getByText('You are viewing older messages');
  await expect(away).toBeVisible();
  await alice.page.screenshot({ path: test.info().outputPath('search-far-jump.png') });

  // Bob writes meanwhile; Jump to present brings Alice back to the newest messages.
  const fresh = `Bob is here now ${tag}`;
  await sendMessage(bob.page, fresh, channel);
  await alice.page.getByRole('button', { name: 'Jump to present' }).click();
  await expect(messageText(alice.page, fresh)).toBeInViewport();
  await expect(away).toBeHidden();
  await expect(messageText(alice.page, target)).toHaveCount(0);
});
