import { PreviewServer } from '@echora/testkit';
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures/test.ts';
import { messageRow, registerViaUi, sendMessage } from './fixtures/ui.ts';

// The test's own preview site runs on loopback: the operator allow-list lets the server reach it.
test.use({ serverEnv: { OUTBOUND_ALLOW: '127.0.0.1' } });

const card = (page: Page) =>
  page.getByRole('region', { name: 'Link preview: Release notes & more' });

test('a link preview card reaches another member, with its image; the author removes it for everyone', async ({
  openUser,
}) => {
  const site = await PreviewServer.start();
  try {
    const alice = await openUser('alice');
    const bob = await openUser('bob');
    for (const u of [alice, bob]) await registerViaUi(u.page, u.username);

    const link = `${site.url}/article`;
    await sendMessage(alice.page, `release is out: ${link}`);
    // The unfurl worker polls its queue: wait for the card, not for a clock.
    for (const page of [alice.page, bob.page]) {
      await expect(card(page)).toBeVisible({ timeout: 15_000 });
      await expect(card(page)).toContainText('Preview Site');
      await expect(card(page)).toContainText('What changed in this release.');
    }
    const title = card(bob.page).getByRole('link', { name: 'Release notes & more' });
    await expect(title).toHaveAttribute('href', link);
    await expect(title).toHaveAttribute('target', '_blank');
    await expect(title).toHaveAttribute('rel', 'noopener noreferrer nofollow');
    // The image is the server's copy, loaded from its files route.
    const image = card(bob.page).locator('img');
    await expect(image).toHaveAttribute('src', /\/api\/files\/[0-9a-f-]{36}$/);
    await expect
      .poll(() => image.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth))
      .toBe(400);
    expect(site.count('/card.png')).toBe(1);
    await bob.page.screenshot({ path: test.info().outputPath('link-preview-card.png') });

    // Only the author is offered the removal.
    await expect(bob.page.getByRole('button', { name: 'Remove preview' })).toHaveCount(0);
    await messageRow(alice.page, 'release is out')
      .getByRole('button', { name: 'Remove preview' })
      .click();
    await expect(card(alice.page)).toHaveCount(0);
    await expect(card(bob.page)).toHaveCount(0);
    await expect(messageRow(bob.page, 'release is out')).toBeVisible();
  } finally {
    await site.close();
  }
});
