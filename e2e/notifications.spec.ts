import type { Locator, Page } from '@playwright/test';
import {
  clickShown,
  expectOpenedAt,
  hideableAndRecorded,
  laterTalk,
  mention,
  setHidden,
  shown,
} from './fixtures/notifications.ts';
import { SyncClient } from './fixtures/sync-client.ts';
import { expect, test } from './fixtures/test.ts';
import { messageRow, messageText, openChannel, registerViaUi, sendMessage } from './fixtures/ui.ts';

// Browser notifications for mentions, in a tab the test hides (fixtures/notifications.ts).

const channelEntry = (page: Page, name: string): Locator =>
  page
    .getByRole('navigation', { name: 'Channels' })
    .getByRole('button', { name: new RegExp(`^\\s*#?\\s*${name}\\b`) });

test('a mention while Bob’s tab is hidden notifies him, clicking it opens the message, and a muted channel stays quiet', async ({
  openUser,
  server,
}) => {
  test.setTimeout(180_000);
  const channel = `notify-${Date.now().toString(36)}`;
  const owner = await SyncClient.connect(server.url, server.owner.accessToken);
  const channelId = await owner.createTextChannel(channel);

  const alice = await openUser('alice');
  const bob = await openUser('bob', { permissions: ['notifications'] });
  await bob.page.addInitScript(hideableAndRecorded);
  await registerViaUi(alice.page, alice.username);
  await registerViaUi(bob.page, bob.username);

  // Off until Bob turns it on.
  const toggle = bob.page.getByRole('switch', { name: 'Desktop notifications for mentions' });
  await expect(toggle).not.toBeChecked();
  await toggle.check();
  await expect(toggle).toBeChecked();

  // While Bob looks at the app, a mention badges the channel and shows no notification.
  await openChannel(alice.page, channel);
  await mention(alice.page, channel, bob.username, ' while you look');
  const badge = channelEntry(bob.page, channel).getByTestId('mention-badge');
  await expect(badge).toHaveText('1', { timeout: 15_000 });
  expect(await shown(bob.page)).toEqual([]);

  // Hidden: the next mention is a notification naming the author and channel, as plain text.
  await setHidden(bob.page, true);
  await mention(alice.page, channel, bob.username, ' **wake** up');
  await expect.poll(() => shown(bob.page), { timeout: 15_000 }).toHaveLength(1);
  const [first] = await shown(bob.page);
  expect(first?.title).toBe(`${alice.username} in #${channel}`);
  expect(first?.body).toBe(`@${bob.username} wake up`);

  // Later talk pushes the mention out of the channel's first view (its end).
  await laterTalk(owner, channelId, bob.page);
  await owner.close();

  // Clicking it brings Bob to the channel, scrolled to the mention.
  await setHidden(bob.page, false);
  await clickShown(bob.page, 0);
  await expectOpenedAt(bob.page, channel, 'wake up');
  // Scrolled back to the mention, the channel is read to its end when Bob says so (Esc).
  await bob.page.keyboard.press('Escape');
  await expect(badge).toHaveCount(0, { timeout: 15_000 });

  // Bob mutes the channel: mentions still count, but no longer notify.
  await openChannel(bob.page, 'general');
  await channelEntry(bob.page, channel).click({ button: 'right' });
  await bob.page.getByRole('menuitem', { name: 'Mute channel' }).click();
  await expect(channelEntry(bob.page, channel)).toHaveClass(/muted/);
  await setHidden(bob.page, true);
  await mention(alice.page, channel, bob.username, ' muted now');
  await expect(badge).toHaveText('1', { timeout: 15_000 });
  expect(await shown(bob.page)).toHaveLength(1);
});

/** Whether the page's replica (its IndexedDB) holds a message with exactly this text. */
const holds = (page: Page, content: string): Promise<boolean> =>
  page.evaluate(
    (text) =>
      new Promise<boolean>((resolve, reject) => {
        const open = indexedDB.open('echora');
        open.onerror = () => reject(new Error('cannot open the replica'));
        open.onsuccess = () => {
          const req = open.result.transaction('messages').objectStore('messages').getAll();
          req.onsuccess = () =>
            resolve((req.result as { content: string }[]).some((m) => m.content === text));
        };
      }),
    content,
  );

test('every direct message notifies Bob’s hidden tab, the first one sent right after “Message” too; a muted conversation stays quiet', async ({
  openUser,
}) => {
  test.setTimeout(180_000);
  const alice = await openUser('alice');
  const bob = await openUser('bob', { permissions: ['notifications'] });
  await bob.page.addInitScript(hideableAndRecorded);
  await registerViaUi(alice.page, alice.username);
  await registerViaUi(bob.page, bob.username);
  await bob.page.getByRole('switch', { name: 'Desktop notifications for mentions' }).check();

  const hello = `hi from ${bob.username}`;
  await sendMessage(bob.page, hello);
  await expect(messageText(alice.page, hello)).toBeVisible({ timeout: 15_000 });

  // Alice starts the conversation from Bob's card and writes at once.
  await messageRow(alice.page, hello)
    .getByRole('button', { name: bob.username, exact: true })
    .click();
  await alice.page
    .getByRole('dialog', { name: bob.username })
    .getByRole('button', { name: 'Message' })
    .click();
  const box = alice.page.getByRole('textbox', { name: `Message @${bob.username}` });
  const dm = async (text: string) => {
    await box.fill(text);
    await box.press('Enter');
    await expect(box).toHaveValue('');
    await expect(messageText(alice.page, text)).toBeVisible();
  };
  await dm('first, while you look');

  // Bob has the first message before his tab hides; looking at it notifies nothing.
  const conversation = bob.page
    .getByTestId('dm-section')
    .getByRole('button', { name: new RegExp(alice.username) });
  await conversation.click();
  await expect(messageText(bob.page, 'first, while you look')).toBeVisible({ timeout: 15_000 });
  await openChannel(bob.page, 'general');
  expect(await shown(bob.page)).toEqual([]);

  // Hidden: a direct message notifies without any mention, titled with its author.
  await setHidden(bob.page, true);
  await dm('are you there?');
  await expect
    .poll(() => shown(bob.page), { timeout: 15_000 })
    .toEqual([{ title: alice.username, body: 'are you there?' }]);

  // Bob mutes the conversation: the next direct message stays quiet.
  await setHidden(bob.page, false);
  await conversation.click();
  await bob.page.getByRole('button', { name: 'Conversation settings' }).click();
  const mute = bob.page.getByRole('switch', { name: /Mute this conversation/ });
  await mute.check();
  await expect(mute).toBeChecked();
  await bob.page.keyboard.press('Escape');
  await openChannel(bob.page, 'general');
  await setHidden(bob.page, true);
  await dm('quiet now');
  await expect.poll(() => holds(bob.page, 'quiet now'), { timeout: 15_000 }).toBe(true);
  // A mention after it still notifies: by then the quiet message was weighed, and stayed quiet.
  await openChannel(alice.page, 'general');
  await mention(alice.page, 'general', bob.username, ' still here');
  await expect.poll(() => shown(bob.page), { timeout: 15_000 }).toHaveLength(2);
  expect((await shown(bob.page)).map((n) => n.body)).toEqual([
    'are you there?',
    `@${bob.username} still here`,
  ]);
});
