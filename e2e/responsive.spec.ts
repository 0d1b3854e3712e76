import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from './fixtures/test.ts';
import { composer, messageRow, messageText, registerViaUi, sendMessage } from './fixtures/ui.ts';

const screenshots = path.join(path.dirname(fileURLToPath(import.meta.url)), 'screenshots');
const phone = {
  viewport: { width: 390, height: 844 },
  isMobile: true,
  hasTouch: true,
  deviceScaleFactor: 2,
};

test.beforeAll(async () => {
  await mkdir(screenshots, { recursive: true });
});

test('desktop layout: sidebar, messages and member list side by side', async ({ openUser }) => {
  const alice = await openUser('alice', { viewport: { width: 1280, height: 800 } });
  await registerViaUi(alice.page, alice.username);
  const text = `desktop hello from ${alice.username}`;
  await sendMessage(alice.page, text);
  await expect(messageRow(alice.page, text)).not.toContainText('sending…');
  // Wide enough for everything at once: no drawer button.
  await expect(alice.page.getByRole('button', { name: 'Open channels' })).toBeHidden();
  await alice.page.screenshot({ path: path.join(screenshots, 'desktop.png') });
});

test('phone layout: the channel drawer opens and closes, and sending works', async ({
  openUser,
}) => {
  const alice = await openUser('alice', phone);
  const { page } = alice;
  await registerViaUi(page, alice.username);
  await page.screenshot({ path: path.join(screenshots, 'phone.png') });

  // A closed drawer may be inert (out of the accessibility tree), so find it either way.
  const drawer = page.getByRole('navigation', { name: 'Channels', includeHidden: true });
  await expect(drawer).not.toBeInViewport();

  await page.getByRole('button', { name: 'Open channels' }).click();
  await expect(drawer).toBeInViewport();
  await expect(drawer.getByText('general').first()).toBeVisible();
  await page.screenshot({ path: path.join(screenshots, 'phone-drawer.png') });

  await page.getByRole('button', { name: 'Close channels' }).click();
  await expect(drawer).not.toBeInViewport();
  await expect(page.getByRole('button', { name: 'Open channels' })).toBeVisible();

  const text = `phone hello from ${alice.username}`;
  await sendMessage(page, text);
  await expect(messageText(page, text)).toBeInViewport();
  await expect(messageRow(page, text)).not.toContainText('sending…');
  await expect(composer(page)).toBeInViewport();
});

test('phone layout: the member list hides behind "Show members"', async ({ openUser }) => {
  const alice = await openUser('alice', phone);
  const { page } = alice;
  await registerViaUi(page, alice.username);
  const me = page.getByRole('complementary').getByText(alice.username);
  await expect(me).not.toBeInViewport();
  await page.getByRole('button', { name: 'Show members' }).click();
  await expect(me).toBeInViewport();
});
