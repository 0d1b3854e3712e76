import type { Page } from '@playwright/test';
import { registerViaApi } from './fixtures/api.ts';
import { expect, test } from './fixtures/test.ts';
import { loginViaUi, messageRow, sendMessage } from './fixtures/ui.ts';

/*
 * User settings travel through the user's own sync scope: changed on one
 * device (by keyboard alone), they reach the same user's other device live,
 * survive a reload, and apply before the first paint.
 */

/** What <html> says and the page's background, as the very first frame saw them. */
async function firstFrame(page: Page): Promise<{ theme: string | null; background: string }> {
  return page.evaluate(
    () =>
      (window as unknown as { __firstFrame: { theme: string | null; background: string } })
        .__firstFrame,
  );
}

/** Records <html data-theme> and the body's colour in the first animation frame (before paint). */
function recordFirstFrame(): void {
  requestAnimationFrame(() => {
    (window as unknown as { __firstFrame: unknown }).__firstFrame = {
      theme: document.documentElement.getAttribute('data-theme'),
      background: getComputedStyle(document.documentElement).backgroundColor,
    };
  });
}

test('settings change by keyboard, reach my other device live, and apply before first paint after a reload', async ({
  openUser,
}) => {
  const desk = await openUser('alice');
  const laptop = await openUser('alice-laptop');
  await registerViaApi(desk.proxy.url, desk.username);
  await loginViaUi(desk.page, desk.username);
  await loginViaUi(laptop.page, desk.username);
  const html = (page: Page) => page.locator('html');
  await expect(html(desk.page)).toHaveAttribute('data-theme', 'dark');
  const text = `a message to measure ${desk.username}`;
  await sendMessage(desk.page, text);
  await expect(messageRow(laptop.page, text)).toBeVisible();
  const row = messageRow(desk.page, text);
  const roomy = (await row.boundingBox())?.height ?? 0;
  const time = row.locator('time').first();
  await expect(time).toHaveText(/\d\s?(AM|PM)$/i);

  // Keyboard only from here: focus the settings button and press keys.
  await desk.page.getByRole('button', { name: 'User settings' }).focus();
  await desk.page.keyboard.press('Enter');
  const dialog = desk.page.getByRole('dialog', { name: 'User settings' });
  await expect(dialog).toBeVisible();
  // The radio group: Tab reaches the checked theme, ↓ picks the next one (Light).
  await dialog.getByRole('radio', { name: 'Dark' }).focus();
  await desk.page.keyboard.press('ArrowDown');
  await expect(dialog.getByRole('radio', { name: 'Light' })).toBeChecked();
  await expect(html(desk.page)).toHaveAttribute('data-theme', 'light');
  await expect(html(laptop.page)).toHaveAttribute('data-theme', 'light');
  const white = 'rgb(255, 255, 255)';
  await expect(laptop.page.getByRole('main')).toHaveCSS('background-color', white);

  await desk.page.keyboard.press('Tab');
  await expect(dialog.getByRole('slider', { name: /Font size/ })).toBeFocused();
  await desk.page.keyboard.press('ArrowRight');
  await desk.page.keyboard.press('ArrowRight');
  await expect(html(laptop.page)).toHaveCSS('font-size', '18px');

  await desk.page.keyboard.press('Tab');
  await expect(dialog.getByRole('switch', { name: 'Compact message mode' })).toBeFocused();
  await desk.page.keyboard.press('Space');
  await expect(html(laptop.page)).toHaveAttribute('data-compact', '');

  await dialog.getByLabel('Clock').focus();
  await dialog.getByLabel('Clock').selectOption('24h');
  await expect(messageRow(laptop.page, text).locator('time').first()).toHaveText(
    /^\d{2}[:.]\d{2}$/,
  );
  await desk.page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();

  // Compact rows are shorter, even with the larger font.
  await expect
    .poll(async () => (await messageRow(desk.page, text).boundingBox())?.height ?? 0)
    .toBeLessThan(roomy);

  // A reload paints light from the first frame: no flash of the dark default.
  await desk.page.addInitScript(recordFirstFrame);
  await desk.page.reload();
  const first = await firstFrame(desk.page);
  expect(first.theme).toBe('light');
  expect(first.background).toBe(white);
  await expect(html(desk.page)).toHaveAttribute('data-compact', '');

  // Back to dark on the laptop: the desk follows.
  await laptop.page.getByRole('button', { name: 'User settings' }).focus();
  await laptop.page.keyboard.press('Enter');
  const other = laptop.page.getByRole('dialog', { name: 'User settings' });
  await other.getByRole('radio', { name: 'Light' }).focus();
  await laptop.page.keyboard.press('ArrowUp');
  await expect(html(desk.page)).toHaveAttribute('data-theme', 'dark');
});

test('follow the system: the theme tracks the device preference', async ({ openUser }) => {
  const alice = await openUser('alice', { colorScheme: 'light' });
  await registerViaApi(alice.proxy.url, alice.username);
  await loginViaUi(alice.page, alice.username);
  await alice.page.getByRole('button', { name: 'User settings' }).focus();
  await alice.page.keyboard.press('Enter');
  const dialog = alice.page.getByRole('dialog', { name: 'User settings' });
  await dialog.getByRole('radio', { name: 'Follow the system' }).focus();
  await alice.page.keyboard.press('Space');
  const html = alice.page.locator('html');
  await expect(html).toHaveAttribute('data-theme', 'light');
  await alice.page.emulateMedia({ colorScheme: 'dark' });
  await expect(html).toHaveAttribute('data-theme', 'dark');
});

test('signing out forgets the theme on this device', async ({ openUser }) => {
  const alice = await openUser('alice');
  await registerViaApi(alice.proxy.url, alice.username);
  await loginViaUi(alice.page, alice.username);
  await alice.page.getByRole('button', { name: 'User settings' }).click();
  const dialog = alice.page.getByRole('dialog', { name: 'User settings' });
  await dialog.getByRole('radio', { name: 'Light' }).check();
  await expect(alice.page.locator('html')).toHaveAttribute('data-theme', 'light');
  await dialog.getByRole('button', { name: 'Done' }).click();
  await alice.page.getByRole('button', { name: 'Log out' }).click();
  await expect(alice.page.getByRole('button', { name: 'Create account' })).toBeVisible();
  await expect(alice.page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await alice.page.reload();
  await expect(alice.page.locator('html')).toHaveAttribute('data-theme', 'dark');
});
