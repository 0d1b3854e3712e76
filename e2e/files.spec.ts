import { readFile } from 'node:fs/promises';
import type { Message } from '@echora/shared';
import { loginViaApi } from './fixtures/api.ts';
import { dropFile, pasteFile, pdfBytes, PNG_BASE64 } from './fixtures/files.ts';
import { SyncClient } from './fixtures/sync-client.ts';
import { expect, test } from './fixtures/test.ts';
import {
  composer,
  connectionStatus,
  messageText,
  registerViaUi,
  waitForServiceWorker,
} from './fixtures/ui.ts';

const COMPOSER = 'textarea[aria-label="Message #general"]';
const VIEW_CHANNEL = 1;
const reconnect = { timeout: 30_000 };

test('Alice pastes an image and drops a PDF; Bob sees both and downloads the same bytes; Carol cannot', async ({
  openUser,
  server,
}) => {
  const alice = await openUser('alice');
  const bob = await openUser('bob');
  const carol = await openUser('carol');
  await registerViaUi(alice.page, alice.username);
  await registerViaUi(bob.page, bob.username);
  await registerViaUi(carol.page, carol.username);

  // The owner takes #general away from Carol (a member override).
  const owner = await SyncClient.connect(server.url, server.owner.accessToken);
  const carolId = (await loginViaApi(server.url, carol.username)).user.id;
  const general = owner.channelNamed('general');
  expect(
    await owner.mutate('channel.overrides', {
      channelId: general.id,
      targetType: 'member',
      targetId: carolId,
      allow: 0,
      deny: VIEW_CHANNEL,
    }),
  ).toMatchObject({ type: 'ack' });
  await owner.close();

  const pdf = pdfBytes(alice.username);
  await pasteFile(alice.page, COMPOSER, {
    name: 'pasted.png',
    type: 'image/png',
    base64: PNG_BASE64,
  });
  await dropFile(alice.page, 'form.composer', {
    name: 'report.pdf',
    type: 'application/pdf',
    base64: pdf.toString('base64'),
  });
  const staged = alice.page.getByRole('list', { name: 'Files to send' });
  await expect(staged.getByRole('listitem')).toHaveCount(2);
  const caption = `two files from ${alice.username}`;
  await composer(alice.page).fill(caption);
  await composer(alice.page).press('Enter');
  await expect(staged).toHaveCount(0);

  // Bob: the image inline (loaded), the PDF as a card.
  const image = bob.page.getByRole('img', { name: 'pasted.png' });
  await expect(image).toBeVisible({ timeout: 20_000 });
  await expect
    .poll(() => image.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth))
    .toBeGreaterThan(0);
  await expect(messageText(bob.page, caption)).toHaveCount(1);
  const card = bob.page.getByRole('group', { name: 'File report.pdf' });
  await expect(card).toContainText('report.pdf');
  const [download] = await Promise.all([
    bob.page.waitForEvent('download'),
    card.getByRole('link', { name: 'Download report.pdf' }).click(),
  ]);
  expect(download.suggestedFilename()).toBe('report.pdf');
  expect((await readFile(await download.path())).equals(pdf)).toBe(true);

  // The lightbox opens the full image.
  await bob.page.getByRole('button', { name: 'Open image pasted.png' }).click();
  await expect(bob.page.getByRole('dialog', { name: 'pasted.png' })).toBeVisible();
  await bob.page.getByRole('button', { name: 'Close' }).click();

  // Carol has the link but may not see the channel: 404, signed in or not.
  const href = await card.getByRole('link', { name: 'Download report.pdf' }).getAttribute('href');
  expect(href).toMatch(/^\/api\/files\/[0-9a-f-]{36}$/);
  const asCarol = await carol.page.request.get(href ?? '');
  expect(asCarol.status()).toBe(404);
  const carolToken = (await loginViaApi(server.url, carol.username)).accessToken;
  const withHeader = await fetch(new URL(href ?? '', server.url), {
    headers: { authorization: `Bearer ${carolToken}` },
  });
  expect(withHeader.status).toBe(404);
  expect((await fetch(new URL(href ?? '', server.url))).status).toBe(401);
  // Bob's own browser session (the media cookie) fetches it.
  expect((await bob.page.request.get(href ?? '')).status()).toBe(200);
});

test('an image attached offline is uploaded and delivered once after reconnecting', async ({
  openUser,
  server,
}) => {
  const alice = await openUser('alice');
  const bob = await openUser('bob');
  await registerViaUi(alice.page, alice.username);
  await registerViaUi(bob.page, bob.username);
  await waitForServiceWorker(alice.page);

  await alice.goOffline();
  await expect(connectionStatus(alice.page)).toHaveText(/^\s*Offline/, reconnect);
  await alice.page.getByLabel('Files to attach').setInputFiles({
    name: 'offline.png',
    mimeType: 'image/png',
    buffer: Buffer.from(PNG_BASE64, 'base64'),
  });
  const caption = `offline picture from ${alice.username}`;
  await composer(alice.page).fill(caption);
  await composer(alice.page).press('Enter');
  const uploads = alice.page.getByRole('list', { name: 'Uploads' });
  await expect(uploads).toContainText(caption);
  await expect(uploads).toContainText('Waiting for the connection');

  // The queued file survives a reload without network (the Blob is in IndexedDB).
  await alice.page.reload();
  await expect(composer(alice.page)).toBeVisible();
  await expect(alice.page.getByRole('list', { name: 'Uploads' })).toContainText(caption);
  await expect(messageText(bob.page, caption)).toHaveCount(0);

  await alice.goOnline();
  await expect(connectionStatus(alice.page)).toHaveText('Online', reconnect);
  await expect(messageText(bob.page, caption)).toHaveCount(1, { timeout: 30_000 });
  await expect(bob.page.getByRole('img', { name: 'offline.png' })).toBeVisible();
  await expect(alice.page.getByRole('list', { name: 'Uploads' })).toHaveCount(0);

  // The server holds it once, with its one file.
  const reader = await SyncClient.connect(
    server.url,
    (await loginViaApi(server.url, bob.username)).accessToken,
  );
  try {
    const all = await reader.allMessages(reader.channelNamed('general').id);
    const sent = all.filter((m: Message) => m.content === caption);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.attachments.map((a) => [a.name, a.contentType])).toEqual([
      ['offline.png', 'image/png'],
    ]);
  } finally {
    await reader.close();
  }
  await expect(messageText(bob.page, caption)).toHaveCount(1);
});

test('a profile edit (name, status, avatar) shows for another user', async ({ openUser }) => {
  const alice = await openUser('alice');
  const bob = await openUser('bob');
  await registerViaUi(alice.page, alice.username);
  await registerViaUi(bob.page, bob.username);
  const hello = `hello from ${alice.username}`;
  await composer(alice.page).fill(hello);
  await composer(alice.page).press('Enter');
  await expect(messageText(bob.page, hello)).toBeVisible();

  await alice.page.getByRole('button', { name: 'Edit profile' }).click();
  const editor = alice.page.getByRole('dialog', { name: 'Edit profile' });
  const newName = `Alice ${alice.username.slice(-4)}`;
  await editor.getByLabel('Display name').fill(newName);
  await editor.getByLabel('Pronouns').fill('she/her');
  await editor.getByLabel('Status').fill('Testing uploads');
  await editor.getByLabel('About me').fill('I write end-to-end tests.');
  await editor.getByLabel('Choose avatar').setInputFiles({
    name: 'me.png',
    mimeType: 'image/png',
    buffer: Buffer.from(PNG_BASE64, 'base64'),
  });
  await editor.getByRole('button', { name: 'Save profile' }).click();
  await expect(editor).toBeHidden({ timeout: 20_000 });

  // Bob sees the new name and avatar, and the card with the rest.
  const avatarButton = bob.page.getByRole('button', { name: `Profile of ${newName}` }).first();
  await expect(avatarButton).toBeVisible({ timeout: 20_000 });
  await expect
    .poll(() =>
      avatarButton
        .locator('img')
        .evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth),
    )
    .toBe(64);
  await avatarButton.click();
  const card = bob.page.getByRole('dialog', { name: `Profile of ${newName}` });
  await expect(card).toContainText('she/her');
  await expect(card).toContainText('Testing uploads');
  await expect(card).toContainText('I write end-to-end tests.');
});
