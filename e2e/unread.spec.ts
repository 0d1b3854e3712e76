import type { Locator, Page } from '@playwright/test';
import { loginViaApi } from './fixtures/api.ts';
import { SyncClient } from './fixtures/sync-client.ts';
import { expect, test } from './fixtures/test.ts';
import { composer, loginViaUi, openChannel, registerViaUi } from './fixtures/ui.ts';
import { uuidv7 } from './fixtures/uuid.ts';

/** A text channel's entry in the sidebar. */
const channelEntry = (page: Page, name: string): Locator =>
  page
    .getByRole('navigation', { name: 'Channels' })
    .getByRole('button', { name: new RegExp(`^\\s*#?\\s*${name}\\b`) });

const badge = (entry: Locator) => entry.getByTestId('mention-badge');

test('a mention picked with autocomplete badges Bob’s channel; reading it on his second device clears it on the first', async ({
  openUser,
  server,
}) => {
  test.setTimeout(180_000);
  const channel = `random-${Date.now().toString(36)}`;
  const owner = await SyncClient.connect(server.url, server.owner.accessToken);
  await owner.createTextChannel(channel);
  await owner.close();

  const alice = await openUser('alice');
  const bob = await openUser('bob');
  await registerViaUi(alice.page, alice.username);
  await registerViaUi(bob.page, bob.username);

  // Alice mentions Bob in the other channel, picking him from the suggestions by keyboard.
  await openChannel(alice.page, channel);
  const box = composer(alice.page, channel);
  await box.click();
  await box.pressSequentially(`hey @${bob.username.slice(0, -1)}`);
  const suggestions = alice.page.getByRole('listbox', { name: 'Mention suggestions' });
  await expect(suggestions.getByRole('option', { name: new RegExp(bob.username) })).toBeVisible();
  await expect(suggestions.getByRole('option').first()).toHaveAttribute('aria-selected', 'true');
  await box.press('Tab');
  await expect(suggestions).toBeHidden();
  await expect(box).toHaveValue(`hey @${bob.username} `);
  await box.pressSequentially('look at this');
  await box.press('Enter');
  await expect(box).toHaveValue('');
  // Sent as a token, shown as a chip with Bob's name.
  await expect(alice.page.locator('.mention', { hasText: `@${bob.username}` })).toBeVisible();

  // Bob, in #general: the channel is unread and has one mention.
  const entry = channelEntry(bob.page, channel);
  await expect(badge(entry)).toHaveText('1', { timeout: 15_000 });
  await expect(badge(entry)).toHaveAttribute('aria-label', '1 mention');
  await expect(entry).toHaveClass(/unread/);
  await expect(channelEntry(bob.page, 'general')).not.toHaveClass(/unread/);

  // Bob's second device sees the same, then he opens the channel there.
  const phone = await openUser('bob-phone');
  await loginViaUi(phone.page, bob.username);
  const phoneEntry = channelEntry(phone.page, channel);
  await expect(badge(phoneEntry)).toHaveText('1', { timeout: 15_000 });
  await openChannel(phone.page, channel);
  await expect(phone.page.getByRole('separator', { name: 'New messages' })).toBeVisible();
  const mentioned = phone.page.locator('article.mentioned', { hasText: 'look at this' });
  await expect(mentioned).toBeVisible();
  await expect(mentioned.locator('.mention.self')).toHaveText(`@${bob.username}`);

  // The read mark travels through Bob's user scope: the first device clears too.
  await expect(badge(entry)).toHaveCount(0, { timeout: 15_000 });
  await expect(entry).not.toHaveClass(/unread/);
  await expect(badge(phoneEntry)).toHaveCount(0);

  // Per-channel mute from the context menu, seen on both devices.
  await openChannel(phone.page, 'general');
  await entry.click({ button: 'right' });
  const menu = bob.page.getByRole('menu', { name: `#${channel}` });
  await expect(menu.getByRole('menuitem').first()).toBeFocused();
  await menu.getByRole('menuitem', { name: 'Mute channel' }).click();
  await expect(entry).toHaveClass(/muted/);
  await expect(phoneEntry).toHaveClass(/muted/, { timeout: 15_000 });

  // A muted channel is not bold, but a mention still counts; "Mark as read" clears it everywhere.
  await box.pressSequentially(`ping @${bob.username.slice(0, -1)}`);
  await box.press('Enter');
  await box.pressSequentially('please');
  await box.press('Enter');
  await expect(badge(entry)).toHaveText('1', { timeout: 15_000 });
  await expect(entry).not.toHaveClass(/unread/);
  await expect(badge(phoneEntry)).toHaveText('1');
  await entry.click({ button: 'right' });
  await bob.page.getByRole('menuitem', { name: 'Mark as read' }).click();
  await expect(badge(entry)).toHaveCount(0);
  await expect(badge(phoneEntry)).toHaveCount(0, { timeout: 15_000 });
});

test('Esc marks the open channel read', async ({ openUser, server }) => {
  const channel = `esc-${Date.now().toString(36)}`;
  const owner = await SyncClient.connect(server.url, server.owner.accessToken);
  await owner.createTextChannel(channel);
  await expect.poll(() => [...owner.channels.values()].some((c) => c.name === channel)).toBe(true);

  const bob = await openUser('bob');
  await registerViaUi(bob.page, bob.username);
  await openChannel(bob.page, channel);
  // Bob's read marks, as his other devices would get them.
  const session = await loginViaApi(server.url, bob.username);
  const watcher = await SyncClient.connect(server.url, session.accessToken);
  const markOf = () =>
    watcher.frames
      .flatMap((f) => (f.type === 'changes' ? f.changes : []))
      .flatMap((c) =>
        c.op === 'upsert' &&
        c.entity === 'readState' &&
        c.data.id === owner.channelNamed(channel).id
          ? [c.data.lastReadSeq]
          : [],
      )
      .at(-1);

  // Bob looks away: a message arriving while the app is hidden stays unread.
  await bob.page.evaluate(() => {
    Object.defineProperty(document, 'visibilityState', { value: 'hidden', configurable: true });
    document.dispatchEvent(new Event('visibilitychange'));
  });
  const text = `while away ${bob.username}`;
  const sent = await owner.mutate('message.send', {
    id: uuidv7(),
    channelId: owner.channelNamed(channel).id,
    content: text,
  });
  expect(sent.type, JSON.stringify(sent)).toBe('ack');
  await expect(bob.page.getByText(text)).toBeVisible();
  await bob.page.waitForTimeout(1_000);
  expect(markOf()).toBeUndefined();
  await expect(bob.page.getByRole('separator', { name: 'New messages' })).toBeVisible();

  await bob.page.keyboard.press('Escape');
  // The ack's version is the message's seq.
  await expect.poll(markOf, { timeout: 15_000 }).toBe(sent.type === 'ack' ? sent.version : -1);
  await Promise.all([watcher.close(), owner.close()]);
});
