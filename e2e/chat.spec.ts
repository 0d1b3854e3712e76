import { loginViaApi } from './fixtures/api.ts';
import { SyncClient } from './fixtures/sync-client.ts';
import { expect, test } from './fixtures/test.ts';
import { composer, messageRow, messageText, registerViaUi, sendMessage } from './fixtures/ui.ts';

test('Alice and Bob chat in #general; Bob edits his message; Alice cannot edit it', async ({
  openUser,
  server,
}) => {
  const alice = await openUser('alice');
  const bob = await openUser('bob');
  await registerViaUi(alice.page, alice.username);
  await registerViaUi(bob.page, bob.username);
  await expect(composer(alice.page)).toBeVisible();
  await expect(composer(bob.page)).toBeVisible();

  // Each message shows on Bob's screen. How fast is measured by the benchmarks (P2), not
  // asserted here: a shared CI machine under load is no place for a latency bound.
  const hello = `Hello Bob ${alice.username}`;
  const delays: number[] = [];
  for (const text of [hello, `${hello}, second`, `${hello}, third`]) {
    await composer(alice.page).fill(text);
    const sentAt = Date.now();
    await composer(alice.page).press('Enter');
    await expect(messageText(bob.page, text)).toBeVisible({ timeout: 15_000 });
    delays.push(Date.now() - sentAt);
  }
  test.info().annotations.push({
    type: 'latency',
    description: `ms from Alice's Enter to Bob's screen: ${delays.join(', ')}`,
  });

  const draft = `Hi Alice ${bob.username}`;
  const edited = `Hi Alice, edited ${bob.username}`;
  await sendMessage(bob.page, draft);
  await expect(messageText(alice.page, draft)).toBeVisible();

  const bobsRow = messageRow(bob.page, draft);
  await bobsRow.hover();
  await bobsRow.getByRole('button', { name: 'Edit' }).click();
  await bob.page.keyboard.press('ControlOrMeta+a');
  await bob.page.keyboard.type(edited);
  await bob.page.keyboard.press('Enter');
  await expect(messageText(bob.page, edited)).toBeVisible();

  await expect(messageText(alice.page, edited)).toBeVisible();
  await expect(messageText(alice.page, draft)).toHaveCount(0);
  await expect(messageRow(alice.page, edited)).toContainText('(edited)');

  // No menu for someone else's message, by mouse or by keyboard focus.
  const rowForAlice = messageRow(alice.page, edited);
  await rowForAlice.hover();
  await expect(rowForAlice.getByRole('button', { name: 'Edit' })).toHaveCount(0);
  await expect(rowForAlice.getByRole('button', { name: 'Delete' })).toHaveCount(0);

  // The server is the last word: Alice forges the edit on a raw socket with her own token.
  const session = await loginViaApi(server.url, alice.username);
  const forger = await SyncClient.connect(server.url, session.accessToken);
  try {
    const target = [...forger.messages.values()].find((m) => m.content === edited);
    expect(target, 'Bob’s message is in the catch-up').toBeDefined();
    const answer = await forger.mutate('message.edit', {
      id: target?.id,
      content: 'forged by Alice',
    });
    expect(answer.type).toBe('reject');
    expect(answer.type === 'reject' ? answer.error.kind : undefined).toBe('forbidden');
  } finally {
    await forger.close();
  }
  await expect(messageText(bob.page, edited)).toBeVisible();
  await expect(messageText(bob.page, 'forged by Alice')).toHaveCount(0);
});
