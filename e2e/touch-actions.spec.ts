import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { seriousAxeViolations } from './fixtures/axe.ts';
import { expect, test } from './fixtures/test.ts';
import { composer, messageRow, registerViaUi, sendMessage } from './fixtures/ui.ts';

const screenshots = path.join(path.dirname(fileURLToPath(import.meta.url)), 'screenshots');
const phone = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };

test('touch: no action buttons under messages; a tap or long-press opens an accessible action sheet', async ({
  openUser,
}) => {
  const alice = await openUser('alice', phone);
  const bob = await openUser('bob', { viewport: { width: 1280, height: 800 } });
  await registerViaUi(alice.page, alice.username);
  await registerViaUi(bob.page, bob.username);
  const mine = `mine ${alice.username}`;
  const theirs = `theirs ${bob.username}`;
  await sendMessage(alice.page, mine);
  await sendMessage(bob.page, theirs);

  const { page } = alice;
  const row = messageRow(page, theirs);
  await expect(row).toBeVisible();
  // No Reply / React / Thread under each message on a touch screen.
  for (const name of ['Reply', 'React', 'Thread'])
    await expect(row.getByRole('button', { name, exact: true })).not.toBeInViewport();
  const height = (await row.boundingBox())?.height ?? 0;
  expect(height).toBeLessThan(80);

  // A tap on someone else's message: Reply, React, Thread, Copy text; no Edit or Delete.
  await row.getByText(theirs).tap();
  const sheet = page.getByRole('dialog', { name: `Message from ${bob.username}` });
  await expect(sheet).toBeVisible();
  for (const name of ['Reply', 'React', 'Thread', 'Copy text'])
    await expect(sheet.getByRole('button', { name, exact: true })).toBeVisible();
  await expect(sheet.getByRole('button', { name: 'Edit' })).toHaveCount(0);
  await expect(sheet.getByRole('button', { name: 'Delete' })).toHaveCount(0);
  await expect(sheet.getByRole('button', { name: 'Pin' })).toHaveCount(0);
  expect(await seriousAxeViolations(page)).toEqual([]);
  await page.screenshot({ path: path.join(screenshots, 'phone-action-sheet.png') });
  // Focus is inside the sheet and stays there.
  await expect(sheet.locator(':focus')).toHaveCount(1);
  for (let i = 0; i < 8; i++) await page.keyboard.press('Tab');
  expect(await sheet.evaluate((el) => el.contains(document.activeElement))).toBe(true);
  // Esc closes it.
  await page.keyboard.press('Escape');
  await expect(sheet).toBeHidden();

  // Reply from the sheet.
  await row.getByText(theirs).tap();
  await sheet.getByRole('button', { name: 'Reply', exact: true }).tap();
  await expect(sheet).toBeHidden();
  await expect(page.getByText(new RegExp(`Replying to .*${bob.username}`))).toBeVisible();
  await sendMessage(page, `answer ${alice.username}`);
  await expect(
    messageRow(bob.page, `answer ${alice.username}`).getByRole('button', { name: /^Replying to/ }),
  ).toContainText(theirs);

  // A long-press (the browser's context menu gesture on touch) on my own message: Edit and Delete too.
  const own = messageRow(page, mine);
  await own.getByText(mine).dispatchEvent('contextmenu');
  const mySheet = page.getByRole('dialog', { name: `Message from ${alice.username}` });
  await expect(mySheet.getByRole('button', { name: 'Edit' })).toBeVisible();
  await expect(mySheet.getByRole('button', { name: 'Delete' })).toBeVisible();
  // A tap outside (on the backdrop) closes it.
  await page.mouse.click(195, 60);
  await expect(mySheet).toBeHidden();
  await expect(composer(page)).toBeVisible();
});

test('desktop keeps the hover actions and opens no sheet on click', async ({ openUser }) => {
  const alice = await openUser('alice', { viewport: { width: 1280, height: 800 } });
  await registerViaUi(alice.page, alice.username);
  const text = `desktop ${alice.username}`;
  await sendMessage(alice.page, text);
  const row = messageRow(alice.page, text);
  await row.getByText(text).click();
  await expect(alice.page.getByRole('dialog')).toHaveCount(0);
  await row.hover();
  await expect(row.getByRole('button', { name: 'Reply', exact: true })).toBeVisible();
});
