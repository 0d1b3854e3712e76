import type { Page } from '@playwright/test';
import { expect, test } from './fixtures/test.ts';
import { loginViaUi, registerViaUi, sendMessage } from './fixtures/ui.ts';

/** The IndexedDB databases this page's origin holds. */
const databases = (page: Page) =>
  page.evaluate(async () => (await indexedDB.databases()).map((d) => d.name ?? ''));

test('logging out deletes this device’s copy of the account’s channel notes', async ({
  openUser,
}) => {
  const alice = await openUser('alice');
  const bob = await openUser('bob');
  await registerViaUi(bob.page, bob.username);
  await registerViaUi(alice.page, alice.username);
  const secret = `notes of ${alice.username} only`;
  await alice.page.getByRole('button', { name: 'Notes' }).click();
  const editor = alice.page.getByRole('textbox', { name: 'Channel notes' });
  await editor.click();
  await alice.page.keyboard.type(secret);
  await expect(alice.page.getByTestId('notes-state')).toHaveText('Live');
  await sendMessage(alice.page, `message from ${alice.username}`);
  const notesDbs = async () =>
    (await databases(alice.page)).filter((n) => n.startsWith('echora-notes:'));
  await expect.poll(notesDbs).toHaveLength(1);
  const [aliceCopy] = await notesDbs();

  await alice.page.getByRole('button', { name: 'Log out' }).click();
  await expect(alice.page.getByRole('button', { name: 'Create account' })).toBeVisible();
  await expect.poll(notesDbs).toEqual([]);

  // Bob signs in on the same browser: his notes copy is his own, Alice's is not back.
  await loginViaUi(alice.page, bob.username);
  await alice.page.getByRole('button', { name: 'Notes' }).click();
  await expect(editor).toContainText(secret);
  await expect.poll(notesDbs).toHaveLength(1);
  expect(await notesDbs()).not.toContain(aliceCopy);
});
