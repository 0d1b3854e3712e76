import { expect, test } from './fixtures/test.ts';
import { connectionStatus, registerViaUi } from './fixtures/ui.ts';
import type { Page } from '@playwright/test';

/** Reconnecting waits out the client's backoff, which may have grown while cut. */
const reconnectTimeout = { timeout: 30_000 };
const question = 'Where do we eat on Friday?';

const card = (page: Page) => page.getByRole('region', { name: `Poll: ${question}` });
const option = (page: Page, text: string) =>
  card(page).getByRole('button', { name: new RegExp(`^${text}:`) });

test('a poll voted on by three people, one of them offline, converges for all', async ({
  openUser,
}) => {
  const alice = await openUser('alice');
  const bob = await openUser('bob');
  const carol = await openUser('carol');
  for (const u of [alice, bob, carol]) await registerViaUi(u.page, u.username);

  // Alice makes the poll from the composer; posting an unfinished one says what is missing.
  await alice.page.getByRole('button', { name: 'Create poll' }).click();
  const dialog = alice.page.getByRole('dialog', { name: 'Create a poll' });
  await dialog.getByRole('button', { name: 'Post poll' }).click();
  await expect(dialog.getByText('Ask a question.')).toBeVisible();
  await expect(dialog.getByText('Fill in this option or remove it.')).toHaveCount(2);
  await dialog.getByLabel('Question').fill(question);
  await dialog.getByRole('textbox', { name: 'Option 1' }).fill('Pizza');
  await dialog.getByRole('textbox', { name: 'Option 2' }).fill('Sushi');
  await dialog.getByRole('button', { name: 'Add option' }).click();
  await dialog.getByRole('textbox', { name: 'Option 3' }).fill('Tacos');
  await dialog.getByLabel('Duration').selectOption({ label: '1 day' });
  await alice.page.screenshot({ path: 'test-results/polls-dialog.png' });
  await dialog.getByRole('button', { name: 'Post poll' }).click();
  await expect(dialog).toBeHidden();

  for (const u of [alice, bob, carol]) {
    await expect(card(u.page)).toContainText('0 votes');
    await expect(card(u.page)).toContainText('Ends in 1 day');
  }

  await carol.goOffline();
  await expect(connectionStatus(carol.page)).toHaveText(/^\s*Offline/, reconnectTimeout);

  await option(alice.page, 'Pizza').click();
  await option(bob.page, 'Sushi').click();
  // Carol's vote shows at once and waits in her outbox.
  await option(carol.page, 'Sushi').click();
  await expect(option(carol.page, 'Sushi')).toHaveAttribute('aria-pressed', 'true');
  await expect(connectionStatus(carol.page)).toHaveText('Offline — 1 queued');
  await expect(card(alice.page)).toContainText('2 votes');
  await expect(card(bob.page)).toContainText('2 votes');

  await carol.goOnline();
  await expect(connectionStatus(carol.page)).toHaveText('Online', reconnectTimeout);
  for (const u of [alice, bob, carol]) {
    await expect(card(u.page)).toContainText('3 votes');
    await expect(option(u.page, 'Sushi')).toHaveAccessibleName(/^Sushi: 2 votes, 67%/);
    await expect(option(u.page, 'Pizza')).toHaveAccessibleName(/^Pizza: 1 vote, 33%/);
    await expect(option(u.page, 'Tacos')).toHaveAccessibleName(/^Tacos: 0 votes, 0%/);
  }
  await expect(option(alice.page, 'Pizza')).toHaveAttribute('aria-pressed', 'true');
  await expect(option(bob.page, 'Sushi')).toHaveAttribute('aria-pressed', 'true');

  // A named poll lists who chose what.
  await card(bob.page).getByText('Show voters').click();
  await expect(card(bob.page)).toContainText(`${bob.username}, ${carol.username}`);
  await card(bob.page).screenshot({ path: 'test-results/polls-card.png' });

  // Its author ends it: nobody can vote any more.
  await card(alice.page).getByRole('button', { name: 'End poll' }).click();
  for (const u of [alice, bob, carol]) {
    await expect(card(u.page)).toContainText('Closed');
    await expect(option(u.page, 'Tacos')).toBeDisabled();
  }
});
