import { registerViaApi } from './fixtures/api.ts';
import { SyncClient } from './fixtures/sync-client.ts';
import { expect, test } from './fixtures/test.ts';
import { composer, loginViaUi, messageText } from './fixtures/ui.ts';

/*
 * Keyboard first: after signing in, everything here is done with keys alone
 * (no click): the quick switcher, moving between channels and unread ones,
 * and the shortcuts sheet. Bob writes from his own socket, so Alice's
 * unread channel is real.
 */

test('the quick switcher, Alt+arrows and the shortcuts sheet work by keyboard alone', async ({
  openUser,
  server,
}) => {
  const tag = Date.now().toString(36);
  const names = {
    design: `design-review-${tag}`,
    notes: `release-notes-${tag}`,
    random: `random-${tag}`,
  };
  const owner = await SyncClient.connect(server.url, server.owner.accessToken);
  const ids = {
    design: await owner.createTextChannel(names.design),
    notes: await owner.createTextChannel(names.notes),
    random: await owner.createTextChannel(names.random),
  };
  await owner.close();

  const alice = await openUser('alice');
  await registerViaApi(server.url, alice.username);
  const bobSession = await registerViaApi(server.url, `bob${tag}`);
  await loginViaUi(alice.page, alice.username);
  const { page } = alice;

  // Ctrl+K, a few letters in order (not a prefix), Enter: the channel is open, typing goes there.
  await page.keyboard.press('Control+k');
  const switcher = page.getByRole('dialog', { name: 'Quick switcher' });
  const query = switcher.getByRole('combobox', { name: 'Where to?' });
  await expect(query).toBeFocused();
  await page.keyboard.type('dsgnrev');
  await expect(switcher.getByRole('option').first()).toContainText(names.design);
  await expect(switcher.getByRole('option').first()).toHaveAttribute('aria-selected', 'true');
  await page.keyboard.press('Enter');
  await expect(switcher).toBeHidden();
  await expect(composer(page, names.design)).toBeFocused();
  const text = `sent by keyboard ${tag}`;
  await page.keyboard.type(text);
  await page.keyboard.press('Enter');
  await expect(messageText(page, text)).toBeVisible();

  // Alt+↓ and Alt+↑ walk the channel list in sidebar order.
  await page.keyboard.press('Alt+ArrowDown');
  await expect(composer(page, names.notes)).toBeVisible();
  await page.keyboard.press('Alt+ArrowUp');
  await expect(composer(page, names.design)).toBeVisible();

  // Bob writes in #random: Alt+Shift+↓ skips the read channels and lands there.
  const bob = await SyncClient.connect(server.url, bobSession.accessToken);
  await bob.sendMessages(ids.random, [`news from bob ${tag}`]);
  await bob.close();
  await expect(
    page
      .getByRole('navigation', { name: 'Channels' })
      .getByRole('button', { name: `${names.random} (unread)` }),
  ).toBeVisible();
  await page.keyboard.press('Alt+Shift+ArrowDown');
  await expect(composer(page, names.random)).toBeVisible();
  await expect(messageText(page, `news from bob ${tag}`)).toBeVisible();

  // Arrow keys choose among matches; @ narrows to people; Enter opens their card.
  await page.keyboard.press('Control+k');
  await expect(query).toBeFocused();
  await page.keyboard.type(`@bob${tag}`);
  await expect(switcher.getByRole('option')).toHaveCount(1);
  await page.keyboard.press('Enter');
  await expect(page.getByRole('dialog', { name: new RegExp(`bob${tag}`) })).toBeVisible();
  await page.keyboard.press('Escape');

  // With nothing typed, ↓ moves the choice; Esc closes and leaves the channel as it was.
  await page.keyboard.press('Control+k');
  await expect(switcher.getByRole('option').first()).toHaveAttribute('aria-selected', 'true');
  await page.keyboard.press('ArrowDown');
  await expect(switcher.getByRole('option').nth(1)).toHaveAttribute('aria-selected', 'true');
  await page.keyboard.press('Escape');
  await expect(switcher).toBeHidden();
  await expect(composer(page, names.random)).toBeVisible();

  // Ctrl+/ lists the shortcuts.
  await page.keyboard.press('Control+/');
  const sheet = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
  await expect(sheet).toBeVisible();
  await expect(sheet).toContainText('Quick switcher');
  await expect(sheet).toContainText('Previous or next unread channel');
  await page.keyboard.press('Escape');
  await expect(sheet).toBeHidden();
});
