import { SyncClient } from './fixtures/sync-client.ts';
import { expect, test } from './fixtures/test.ts';
import { composer, messageRow, registerViaUi, sendMessage } from './fixtures/ui.ts';

test('the typing line clears as soon as the typist’s message arrives', async ({ openUser }) => {
  const alice = await openUser('alice');
  const bob = await openUser('bob');
  await registerViaUi(alice.page, alice.username);
  await registerViaUi(bob.page, bob.username);

  const typingLine = bob.page.locator('p.typing[aria-live="polite"]');
  await composer(alice.page).pressSequentially('almost done');
  await expect(typingLine).toHaveText(`${alice.username} is typing…`);
  await composer(alice.page).press('Enter');
  await expect(messageRow(bob.page, 'almost done')).toBeVisible();
  // The entry would linger for ~7.5 s on its own; the message ends it at once.
  await expect(typingLine).toHaveText('', { timeout: 2_000 });
});

test('pins and reply quotes show inline markdown on one line, sanitized', async ({
  openUser,
  server,
}) => {
  const alice = await openUser('alice');
  const bob = await openUser('bob');
  await registerViaUi(alice.page, alice.username);
  await registerViaUi(bob.page, bob.username);

  const tag = alice.username;
  const text = `**bold ${tag}** _soft_ \`code()\` [site](https://example.com) <img src=x onerror=alert(1)>\n> second line`;
  await sendMessage(alice.page, text);
  await expect(messageRow(bob.page, `bold ${tag}`)).toBeVisible();

  // The owner pins it; Bob opens the pins.
  const owner = await SyncClient.connect(server.url, server.owner.accessToken);
  try {
    await owner.waitFor(() => [...owner.messages.values()].some((m) => m.content === text));
    const id = [...owner.messages.values()].find((m) => m.content === text)?.id;
    expect(await owner.mutate('message.pin', { id, pinned: true })).toMatchObject({ type: 'ack' });
  } finally {
    await owner.close();
  }
  await bob.page.getByRole('button', { name: 'Pinned messages' }).click();
  const pins = bob.page.getByRole('list', { name: /^Pinned messages in #general/ });
  const pin = pins.getByRole('listitem').filter({ hasText: `bold ${tag}` });
  await expect(pin.locator('.inline-md strong')).toHaveText(`bold ${tag}`);
  await expect(pin.locator('.inline-md em')).toHaveText('soft');
  await expect(pin.locator('.inline-md code')).toHaveText('code()');
  await expect(pin.getByRole('link', { name: 'site' })).toHaveAttribute(
    'href',
    'https://example.com',
  );
  await expect(pin).not.toContainText('**');
  await expect(pin.locator('img, blockquote, p p, br')).toHaveCount(0);
  await expect(pin).toContainText('<img src=x onerror=alert(1)> > second line');
  // One line: the preview is as tall as one line of text.
  const preview = pin.locator('.inline-md');
  const box = await preview.boundingBox();
  const lineHeight = await preview.evaluate((el) => parseFloat(getComputedStyle(el).lineHeight));
  expect(box?.height).toBeLessThanOrEqual(lineHeight + 6);

  // Bob replies; both see the quote rendered, on one line, with no nested link in its button.
  const row = bob.page
    .getByRole('log')
    .locator('article')
    .filter({ hasText: `bold ${tag}` });
  await row.hover();
  await row.getByRole('button', { name: 'Reply', exact: true }).click();
  await sendMessage(bob.page, `reply from ${bob.username}`);
  for (const page of [alice.page, bob.page]) {
    const quote = messageRow(page, `reply from ${bob.username}`).getByRole('button', {
      name: /^Replying to/,
    });
    await expect(quote.locator('strong')).toHaveText(`bold ${tag}`);
    await expect(quote.locator('code')).toHaveText('code()');
    await expect(quote.locator('a')).toHaveCount(0);
    await expect(quote).not.toContainText('**');
  }
});
