import type { Locator, Page } from '@playwright/test';
import { loginViaApi } from './fixtures/api.ts';
import { seriousAxeViolations } from './fixtures/axe.ts';
import { SyncClient } from './fixtures/sync-client.ts';
import { expect, test } from './fixtures/test.ts';
import {
  connectionStatus,
  loginViaUi,
  messageText,
  registerViaUi,
  sendMessage,
} from './fixtures/ui.ts';

/** A 2x2 red PNG: the custom emoji the owner uploads. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAYAAABytg0kAAAAFklEQVR42mP8z8DwnwEJMDGgAUQBAOxvA/8a3tGSAAAAAElFTkSuQmCC',
  'base64',
);

const reconnectTimeout = { timeout: 30_000 };

/** The message row (article) whose own text is `text` (not a reply quoting it). */
function row(page: Page, text: string): Locator {
  const escaped = text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const body = page.locator('.content').getByText(new RegExp(`^\\s*${escaped}\\s*$`));
  // The channel's list comes before a thread pane that shows the same message as its root.
  return page.getByRole('article').filter({ has: body }).first();
}

/** Opens a message's action menu item (hover shows it; the buttons are always in the DOM). */
async function action(page: Page, text: string, name: string): Promise<void> {
  const article = row(page, text);
  // Someone who scrolled up (a jump) does not follow new messages: go to the newest.
  if (!(await article.isVisible())) await scrollTo(page, text);
  await article.hover();
  await article.getByRole('button', { name, exact: true }).first().click();
}

/** Reacts through the picker: searches `query`, picks the emoji named `name`. */
async function react(page: Page, text: string, query: string, name: string): Promise<void> {
  await action(page, text, 'React');
  const picker = page.getByRole('dialog', { name: 'Add a reaction' });
  await picker.getByRole('searchbox', { name: 'Search emoji' }).fill(query);
  await picker.getByRole('button', { name, exact: true }).first().click();
  await expect(picker).toBeHidden();
}

/** Scrolls the channel's message log to the bottom until `text`'s row is rendered. */
async function scrollTo(page: Page, text: string): Promise<void> {
  const log = page.getByRole('log', { name: 'Messages in #general' });
  await expect(async () => {
    await log.evaluate((el) => el.scrollTo({ top: el.scrollHeight }));
    await expect(row(page, text)).toBeVisible({ timeout: 500 });
  }).toPass();
}

const chip = (page: Page, text: string, emoji: string) =>
  row(page, text).getByRole('button', { name: new RegExp(`^${emoji} \\d+, by`) });

test('reply, thread, reactions (unicode and custom) and pins between two users', async ({
  openUser,
  server,
}) => {
  const alice = await openUser('alice');
  const bob = await openUser('bob');
  const owner = await openUser('owner');
  await registerViaUi(alice.page, alice.username);
  await registerViaUi(bob.page, bob.username);
  await loginViaUi(owner.page, server.owner.user.username);

  // Reply: Bob answers Alice's question; the quote jumps back to it past 40 other messages.
  const question = `question from ${alice.username}`;
  await sendMessage(alice.page, question);
  await expect(row(bob.page, question)).toBeVisible();
  await action(bob.page, question, 'Reply');
  await expect(bob.page.getByText(`Replying to ${alice.username}`)).toBeVisible();
  const session = await loginViaApi(server.url, bob.username);
  const filler = await SyncClient.connect(server.url, session.accessToken);
  const general = filler.channelNamed('general');
  await filler.sendMessages(
    general.id,
    Array.from({ length: 40 }, (_, i) => `filler ${i}`),
  );
  await filler.close();
  const answer = `answer from ${bob.username}`;
  await sendMessage(bob.page, answer);
  await expect(bob.page.getByText(`Replying to ${alice.username}`)).toBeHidden();
  await scrollTo(alice.page, answer);
  const quote = row(alice.page, answer).getByRole('button', {
    name: new RegExp(`^Replying to ${alice.username}: ${question}`),
  });
  await expect(quote).toBeVisible();
  // Out of view (or not even rendered by the virtual list) before the jump.
  if ((await row(alice.page, question).count()) > 0) {
    await expect(row(alice.page, question)).not.toBeInViewport();
  }
  await quote.click();
  await expect(row(alice.page, question)).toBeInViewport();
  await expect(row(alice.page, question)).toHaveClass(/highlighted/);

  // Thread: Alice starts one from her message and writes in it; Bob sees the count on the parent.
  const root = `thread root ${alice.username}`;
  await sendMessage(alice.page, root);
  await action(alice.page, root, 'Thread');
  const threadBox = alice.page.getByRole('textbox', { name: `Message thread ${root}` });
  await threadBox.fill('inside the thread');
  await threadBox.press('Enter');
  await expect(
    alice.page
      .getByRole('log', { name: `Messages in thread ${root}` })
      .getByText('inside the thread'),
  ).toBeVisible();
  await scrollTo(bob.page, root);
  const summary = row(bob.page, root).getByRole('button', { name: /^Thread .* 1 reply\b/ });
  await expect(summary).toBeVisible();
  await summary.click();
  await expect(
    bob.page
      .getByRole('log', { name: `Messages in thread ${root}` })
      .getByText('inside the thread'),
  ).toBeVisible();
  await bob.page.getByRole('button', { name: 'Close thread' }).click();
  await bob.page.getByRole('button', { name: 'Threads', exact: true }).click();
  await expect(bob.page.getByRole('list', { name: 'Threads' })).toContainText(root);
  await bob.page.getByRole('button', { name: 'Close threads' }).click();

  // Unicode reaction through the picker; Alice sees it, adds hers: two, hers highlighted.
  await react(bob.page, root, 'thumbs up', 'thumbs up');
  await scrollTo(alice.page, root);
  await expect(chip(alice.page, root, '👍')).toHaveAccessibleName(`👍 1, by ${bob.username}`);
  await chip(alice.page, root, '👍').click();
  await expect(chip(alice.page, root, '👍')).toHaveAttribute('aria-pressed', 'true');
  await expect(chip(bob.page, root, '👍')).toHaveAccessibleName(
    `👍 2, by ${bob.username}, ${alice.username}`,
  );

  // Custom emoji: the owner uploads one and reacts with it; Bob sees its image and count.
  await action(owner.page, root, 'React');
  const picker = owner.page.getByRole('dialog', { name: 'Add a reaction' });
  await picker.getByRole('button', { name: 'Manage custom emoji' }).click();
  const manager = owner.page.getByRole('dialog', { name: 'Custom emoji' });
  await manager.getByLabel('Name').fill('e2e_cat');
  await manager
    .getByLabel(/^Image/)
    .setInputFiles({ name: 'cat.png', mimeType: 'image/png', buffer: PNG });
  await manager.getByRole('button', { name: 'Upload emoji' }).click();
  await expect(manager.getByRole('list', { name: 'Custom emoji' })).toContainText(':e2e_cat:');
  await manager.getByRole('button', { name: 'Done' }).click();
  await picker.getByRole('button', { name: ':e2e_cat:' }).click();
  const custom = row(bob.page, root).getByRole('button', { name: /^:e2e_cat: 1, by/ });
  await expect(custom).toBeVisible();
  await expect(custom.locator('img')).toHaveJSProperty('complete', true);
  expect(await custom.locator('img').evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(2);

  // Pin: the owner (manage messages) pins Alice's message; Bob finds it in the pinned list.
  await action(owner.page, root, 'Pin');
  await bob.page.getByRole('button', { name: 'Pinned messages' }).click();
  await expect(bob.page.getByRole('list', { name: /^Pinned messages in #general/ })).toContainText(
    root,
  );
  // Members without manage messages get no Pin button.
  await row(bob.page, root).hover();
  await expect(row(bob.page, root).getByRole('button', { name: 'Pin', exact: true })).toHaveCount(
    0,
  );
});

test('a reaction and a reply made offline reach the other user exactly once', async ({
  openUser,
  server,
}) => {
  const alice = await openUser('alice');
  const bob = await openUser('bob');
  await registerViaUi(alice.page, alice.username);
  await registerViaUi(bob.page, bob.username);
  const target = `offline target ${bob.username}`;
  await sendMessage(bob.page, target);
  await expect(row(alice.page, target)).toBeVisible();

  await alice.goOffline();
  await expect(connectionStatus(alice.page)).toHaveText(/^\s*Offline/, reconnectTimeout);
  await react(alice.page, target, 'party popper', 'party popper');
  await expect(chip(alice.page, target, '🎉')).toHaveAttribute('aria-pressed', 'true');
  await action(alice.page, target, 'Reply');
  const reply = `offline reply ${alice.username}`;
  await sendMessage(alice.page, reply);
  await expect(row(alice.page, reply)).toContainText('sending…');
  await expect(connectionStatus(alice.page)).toHaveText(/^Offline — \d+ queued$/);

  await alice.goOnline();
  await expect(connectionStatus(alice.page)).toHaveText('Online', reconnectTimeout);
  await expect(chip(bob.page, target, '🎉')).toHaveAccessibleName(`🎉 1, by ${alice.username}`);
  await expect(messageText(bob.page, reply)).toHaveCount(1);
  await expect(
    row(bob.page, reply).getByRole('button', { name: new RegExp(`^Replying to ${bob.username}`) }),
  ).toBeVisible();

  const session = await loginViaApi(server.url, bob.username);
  const reader = await SyncClient.connect(server.url, session.accessToken);
  try {
    const general = reader.channelNamed('general');
    const all = await reader.allMessages(general.id);
    const original = all.find((m) => m.content === target);
    expect(all.filter((m) => m.content === reply).map((m) => m.replyToId)).toEqual([original?.id]);
    expect(original?.reactions).toEqual([{ emoji: '🎉', userIds: [expect.any(String)] }]);
  } finally {
    await reader.close();
  }
});

test('on a phone the thread pane covers the screen; picker and pane pass axe', async ({
  openUser,
}) => {
  const alice = await openUser('alice', {
    viewport: { width: 390, height: 844 },
    isMobile: true,
    hasTouch: true,
  });
  await registerViaUi(alice.page, alice.username);
  const text = `phone root ${alice.username}`;
  await sendMessage(alice.page, text);
  // Tap the message once it is sent: the row shifts when the send is confirmed, and a tap
  // that lands in that moment hits whatever moved under it (1 run in 4 without this wait).
  await expect(row(alice.page, text)).not.toContainText('sending');
  // Touch screens open the message's actions in a sheet, on a tap.
  const sheet = alice.page.getByRole('dialog', { name: /^Message from/ });
  await row(alice.page, text).getByText(text).tap();
  await sheet.getByRole('button', { name: 'React', exact: true }).click();
  const picker = alice.page.getByRole('dialog', { name: 'Add a reaction' });
  await expect(picker.getByRole('button', { name: 'grinning face', exact: true })).toBeVisible();
  expect(await seriousAxeViolations(alice.page)).toEqual([]);
  await picker.getByRole('button', { name: 'grinning face', exact: true }).click();
  await expect(chip(alice.page, text, '😀')).toHaveAttribute('aria-pressed', 'true');

  await row(alice.page, text).getByText(text).tap();
  await sheet.getByRole('button', { name: 'Thread', exact: true }).click();
  const pane = alice.page.getByRole('complementary', { name: 'Thread' });
  await expect(pane.getByRole('textbox', { name: `Message thread ${text}` })).toBeVisible();
  const box = await pane.boundingBox();
  expect(box).toEqual({ x: 0, y: 0, width: 390, height: 844 });
  expect(await seriousAxeViolations(alice.page)).toEqual([]);
  await pane.getByRole('button', { name: 'Close thread' }).click();
  await expect(pane).toBeHidden();
});
