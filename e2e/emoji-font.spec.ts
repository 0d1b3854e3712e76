import { randomBytes } from 'node:crypto';
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures/test.ts';
import { messageRow, registerViaUi, sendMessage } from './fixtures/ui.ts';

/*
 * This machine's Chromium has no emoji font of its own, like many Linux
 * desktops: emoji must come from the font the client ships, in colour.
 */

/** Coloured (not grey) pixels when `text` is drawn in the page's font stack. */
async function colouredPixels(page: Page, text: string): Promise<number> {
  return page.evaluate(async (t) => {
    const font = `48px ${getComputedStyle(document.documentElement).fontFamily}`;
    await document.fonts.load(font, t);
    const canvas = document.createElement('canvas');
    canvas.width = 64;
    canvas.height = 64;
    const ctx = canvas.getContext('2d');
    if (!ctx) return -1;
    ctx.font = font;
    ctx.textBaseline = 'top';
    ctx.fillStyle = '#000';
    ctx.fillText(t, 4, 4);
    const { data } = ctx.getImageData(0, 0, 64, 64);
    let coloured = 0;
    for (let i = 0; i < data.length; i += 4) {
      const [r = 0, g = 0, b = 0, a = 0] = [data[i], data[i + 1], data[i + 2], data[i + 3]];
      if (a > 128 && Math.max(r, g, b) - Math.min(r, g, b) > 60) coloured++;
    }
    return coloured;
  }, text);
}

test('emoji draw in colour from the bundled font; a page without emoji never fetches it', async ({
  openUser,
}) => {
  const alice = await openUser('alice');
  const bob = await openUser('bob');
  const { page } = alice;
  await page.goto('/');
  await expect(page.getByRole('button', { name: 'Create account' })).toBeVisible();
  await page.evaluate(() => document.fonts.ready);
  const fetched = () =>
    page.evaluate(() =>
      performance
        .getEntriesByType('resource')
        .map((e) => e.name)
        .filter((n) => n.endsWith('.woff2')),
    );
  expect(await fetched(), 'the sign-in page has no emoji: no font fetched').toEqual([]);

  await registerViaUi(page, alice.username);
  await registerViaUi(bob.page, bob.username);
  const text = `party time 🎉 ${randomBytes(3).toString('hex')}`;
  await sendMessage(page, text);
  await expect(messageRow(bob.page, text)).toBeVisible();
  for (const p of [page, bob.page]) {
    expect(await colouredPixels(p, '🎉'), 'a coloured party popper').toBeGreaterThan(100);
    expect(await colouredPixels(p, '👍🏽'), 'a thumbs up with a skin tone').toBeGreaterThan(100);
  }
  await expect.poll(fetched).toHaveLength(1);
  // Digits stay in the text font: they are in the emoji font too (keycaps), but not its range.
  expect(await colouredPixels(page, '42')).toBe(0);
});
