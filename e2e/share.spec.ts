import { pngBytes } from './fixtures/files.ts';
import { expect, test } from './fixtures/test.ts';
import { composer, messageRow, registerViaUi, waitForServiceWorker } from './fixtures/ui.ts';

/*
 * Share to Echora. An installed app's "Share" sheet posts a multipart form to
 * the manifest's share target (`POST /share`); here the page submits that
 * very form, so the navigation goes through the service worker exactly as
 * Android's share intent does. The worker keeps the text and file and opens
 * the app, which asks where they go; nothing is sent before the user sends.
 */
test('text, a link and an image shared from another app are posted where the user picks', async ({
  openUser,
}) => {
  const alice = await openUser('alice');
  const bob = await openUser('bob');
  await registerViaUi(alice.page, alice.username);
  await registerViaUi(bob.page, bob.username);
  await waitForServiceWorker(alice.page);

  // The manifest offers the share target the worker answers.
  const manifest = await alice.page.evaluate(async () => {
    const link = document.querySelector<HTMLLinkElement>('link[rel="manifest"]');
    return link ? ((await (await fetch(link.href)).json()) as { share_target?: unknown }) : {};
  });
  expect(manifest.share_target).toMatchObject({ action: '/share', method: 'POST' });

  await alice.page.evaluate(() => {
    const form = document.createElement('form');
    form.method = 'POST';
    form.action = '/share';
    form.enctype = 'multipart/form-data';
    for (const [name, value] of [
      ['title', 'A page title'],
      ['text', 'Look at this release'],
      ['url', 'https://example.org/release'],
    ]) {
      const input = document.createElement('input');
      input.type = 'hidden';
      input.name = name ?? '';
      input.value = value ?? '';
      form.append(input);
    }
    const files = document.createElement('input');
    files.type = 'file';
    files.name = 'files';
    files.id = 'shared-files';
    form.append(files);
    document.body.append(form);
  });
  await alice.page.setInputFiles('#shared-files', {
    name: 'shared.png',
    mimeType: 'image/png',
    buffer: pngBytes(),
  });
  await Promise.all([
    alice.page.waitForURL((url) => url.searchParams.has('share') || url.pathname === '/'),
    alice.page.evaluate(() =>
      document.querySelector<HTMLFormElement>('form[action="/share"]')?.submit(),
    ),
  ]);

  const dialog = alice.page.getByRole('dialog', { name: 'Share to…' });
  await expect(dialog).toBeVisible();
  await expect(dialog).toContainText('Look at this release · shared.png');
  // The address no longer names the share: a reload does not ask again.
  await expect.poll(() => new URL(alice.page.url()).searchParams.has('share')).toBe(false);
  await dialog.getByRole('searchbox', { name: 'Find a channel or conversation' }).fill('gen');
  await dialog.getByRole('button', { name: '#general' }).click();
  await expect(dialog).toBeHidden();

  const box = composer(alice.page);
  await expect(box).toHaveValue('Look at this release\nhttps://example.org/release');
  await expect(
    alice.page.getByRole('list', { name: 'Files to send' }).getByRole('listitem'),
  ).toHaveCount(1);
  await box.press('Enter');

  await expect(messageRow(bob.page, 'Look at this release')).toBeVisible();
  await expect(
    messageRow(bob.page, 'Look at this release').getByRole('img', { name: 'shared.png' }),
  ).toBeVisible();

  // What the worker kept is gone once taken.
  const left = await alice.page.evaluate(async () => {
    const cache = await caches.open('echora-share');
    return (await cache.keys()).length;
  });
  expect(left).toBe(0);
});
