import type { Page } from '@playwright/test';
import { openSettings, settingsTab } from './fixtures/community.ts';
import { expect, test, type User } from './fixtures/test.ts';
import {
  loginViaUi,
  messageRow,
  messageText,
  openChannel,
  registerViaUi,
  sendMessage,
} from './fixtures/ui.ts';

/*
 * Moderation of direct messages in the browser (issue 19), with three people:
 * Bob reports one of Alice's direct messages; the owner's Reports tab shows
 * a copy of that message only (no way into the conversation) and resolves
 * it; Bob blocks Alice, whose next direct message is refused and whose
 * channel messages Bob sees collapsed.
 */

const dmEntry = (page: Page, label: string) =>
  page.getByTestId('dm-section').getByRole('button', { name: new RegExp(label) });

const dmComposer = (page: Page, label: string) =>
  page.getByRole('textbox', { name: `Message @${label}` });

async function sendDm(page: Page, label: string, text: string): Promise<void> {
  const box = dmComposer(page, label);
  await box.click();
  await box.fill(text);
  await box.press('Enter');
  await expect(box).toHaveValue('');
}

/** Alice opens Bob's card from his message in #general and starts a conversation. */
async function messageFromCard(page: Page, other: User, theirText: string): Promise<void> {
  await messageRow(page, theirText)
    .getByRole('button', { name: other.username, exact: true })
    .click();
  await page
    .getByRole('dialog', { name: other.username })
    .getByRole('button', { name: 'Message' })
    .click();
  await expect(dmComposer(page, other.username)).toBeVisible();
}

test('Bob reports a direct message; the owner sees a copy of it only and resolves it; Bob blocks Alice', async ({
  openUser,
  server,
}, testInfo) => {
  test.setTimeout(240_000);
  const owner = await openUser('owner');
  const alice = await openUser('alice');
  const bob = await openUser('bob');
  await loginViaUi(owner.page, server.owner.user.username);
  await registerViaUi(alice.page, alice.username);
  await registerViaUi(bob.page, bob.username);

  const hello = `hi from ${bob.username}`;
  await sendMessage(bob.page, hello);
  await expect(messageText(alice.page, hello)).toBeVisible();

  const tag = Date.now().toString(36);
  const before = `before-${tag}`;
  const reported = `buy **cheap** pills ${tag}`;
  const shown = `buy cheap pills ${tag}`;
  const after = `after-${tag}`;

  await test.step('Alice DMs Bob three messages', async () => {
    await messageFromCard(alice.page, bob, hello);
    for (const text of [before, reported, after]) await sendDm(alice.page, bob.username, text);
    await dmEntry(bob.page, alice.username).click();
    await expect(messageText(bob.page, after)).toBeVisible({ timeout: 15_000 });
  });

  await test.step('Bob reports the middle one with a reason and sees a confirmation', async () => {
    const row = messageRow(bob.page, shown);
    await row.hover();
    await row.getByRole('button', { name: 'Report' }).click();
    const dialog = bob.page.getByRole('dialog', { name: 'Report message' });
    await expect(dialog).toContainText(reported);
    await dialog.getByLabel('Reason (optional)').fill('spam offer');
    await dialog.getByRole('button', { name: 'Report' }).click();
    await expect(bob.page.getByText('Reported to the moderators. Thank you.')).toBeVisible({
      timeout: 15_000,
    });
    // His own messages offer no Report.
    await sendDm(bob.page, alice.username, `reply-${tag}`);
    const own = messageRow(bob.page, `reply-${tag}`);
    await own.hover();
    await expect(own.getByRole('button', { name: 'Edit' })).toBeVisible();
    await expect(own.getByRole('button', { name: 'Report' })).toHaveCount(0);
  });

  await test.step('the owner sees exactly that message’s copy, with no way into the DM', async () => {
    const settings = await openSettings(owner.page);
    await settingsTab(settings, 'Reports');
    const open = settings.getByRole('list', { name: 'Open reports' });
    const report = open.getByRole('listitem', { name: `Report of ${alice.username}'s message` });
    await expect(report).toHaveCount(1);
    await expect(report).toContainText(`Reported by ${bob.username}`);
    await expect(report).toContainText('Direct message');
    await expect(report).toContainText(shown);
    await expect(report).toContainText('Reason: spam offer');
    // The same sanitized markdown as the message list: bold, not asterisks.
    await expect(report.locator('strong', { hasText: 'cheap' })).toBeVisible();
    await expect(report.getByRole('link')).toHaveCount(0);
    await expect(settings).not.toContainText(before);
    await expect(settings).not.toContainText(after);
    // Shortcuts to moderating the author.
    const moderate = report.getByRole('group', { name: `Moderate ${alice.username}` });
    await expect(moderate.getByRole('button', { name: /^Time out/ })).toBeVisible();
    await expect(moderate.getByRole('button', { name: /^Kick/ })).toBeVisible();
    await expect(moderate.getByRole('button', { name: /^Ban/ })).toBeVisible();

    await owner.page.screenshot({ path: testInfo.outputPath('reports-desktop.png') });
    await owner.page.setViewportSize({ width: 390, height: 844 });
    await expect(report).toBeVisible();
    await owner.page.screenshot({ path: testInfo.outputPath('reports-phone.png') });
    await owner.page.setViewportSize({ width: 1280, height: 800 });

    await report.getByRole('button', { name: 'Resolve' }).click();
    await expect(owner.page.getByText('Report resolved.')).toBeVisible();
    await expect(report).toHaveCount(0);
    await expect(settings.getByText('No open reports.', { exact: false })).toBeVisible();
    await settings.getByRole('button', { name: 'Resolved', exact: true }).click();
    const closed = settings
      .getByRole('list', { name: 'Resolved reports' })
      .getByRole('listitem', { name: `Report of ${alice.username}'s message` });
    await expect(closed).toContainText(`Resolved by ${server.owner.user.username}`);
    // Still closed after a reload of the list.
    await settings.getByRole('button', { name: 'Open', exact: true }).click();
    await expect(settings.getByText('No open reports.', { exact: false })).toBeVisible();
    await settings.getByRole('button', { name: 'Close settings' }).click();
  });

  await test.step('Bob blocks Alice: her next DM is not sent; her channel message is collapsed', async () => {
    await bob.page.getByRole('button', { name: 'Conversation settings' }).click();
    const conversation = bob.page.getByRole('dialog', { name: 'Conversation' });
    await conversation.getByRole('button', { name: 'Block' }).click();
    await expect(conversation.getByRole('button', { name: 'Unblock' })).toBeVisible();
    await bob.page.keyboard.press('Escape');

    const refused = `refused-${tag}`;
    await sendDm(alice.page, bob.username, refused);
    await expect(messageRow(alice.page, refused).getByText(/^Not sent: /)).toBeVisible({
      timeout: 15_000,
    });

    await openChannel(bob.page, 'general');
    const hidden = `in-general-${tag}`;
    await openChannel(alice.page, 'general');
    await sendMessage(alice.page, hidden);
    const collapsed = bob.page.getByRole('button', {
      name: 'Message from someone you blocked — show',
    });
    await expect(collapsed).toHaveCount(1, { timeout: 15_000 });
    await expect(messageText(bob.page, hidden)).toHaveCount(0);
    await collapsed.click();
    await expect(messageText(bob.page, hidden)).toBeVisible();
  });
});

test('on a phone, Bob reports a message from the touch action sheet; the report names its channel', async ({
  openUser,
  server,
}) => {
  test.setTimeout(180_000);
  const owner = await openUser('owner');
  const alice = await openUser('alice');
  const bob = await openUser('bob', {
    viewport: { width: 390, height: 844 },
    isMobile: true,
    hasTouch: true,
  });
  await loginViaUi(owner.page, server.owner.user.username);
  await registerViaUi(alice.page, alice.username);
  await registerViaUi(bob.page, bob.username);

  const text = `rude words ${Date.now().toString(36)}`;
  await sendMessage(alice.page, text);
  await messageText(bob.page, text).tap({ timeout: 15_000 });
  const sheet = bob.page.getByRole('dialog', { name: `Message from ${alice.username}` });
  await sheet.getByRole('button', { name: 'Report' }).tap();
  const dialog = bob.page.getByRole('dialog', { name: 'Report message' });
  await dialog.getByRole('button', { name: 'Report' }).tap();
  await expect(bob.page.getByText('Reported to the moderators. Thank you.')).toBeVisible({
    timeout: 15_000,
  });

  const settings = await openSettings(owner.page);
  await settingsTab(settings, 'Reports');
  const report = settings
    .getByRole('list', { name: 'Open reports' })
    .getByRole('listitem', { name: `Report of ${alice.username}'s message` })
    .filter({ hasText: text });
  await expect(report).toContainText('#general');
  await expect(report).toContainText('No reason given.');
  await report.getByRole('button', { name: 'Dismiss' }).click();
  await expect(report).toHaveCount(0);
  await settings.getByRole('button', { name: 'Resolved', exact: true }).click();
  await expect(
    settings.getByRole('list', { name: 'Resolved reports' }).filter({ hasText: text }),
  ).toContainText(`Dismissed by ${server.owner.user.username}`);
});
