import type { BrowserContextOptions, Page } from '@playwright/test';
import { registerViaApi } from './fixtures/api.ts';
import { axeViolations, seriousAxeViolations } from './fixtures/axe.ts';
import { SyncClient } from './fixtures/sync-client.ts';
import { expect, test } from './fixtures/test.ts';
import { composer, loginViaUi, messageRow, registerViaUi } from './fixtures/ui.ts';

test('axe finds no serious or critical violation on the login view', async ({ openUser }) => {
  const alice = await openUser('alice');
  await alice.page.goto('/');
  await expect(alice.page.getByRole('button', { name: 'Create account' })).toBeVisible();
  expect(await seriousAxeViolations(alice.page)).toEqual([]);
});

test('axe finds no serious or critical violation on the main view', async ({ openUser }) => {
  const alice = await openUser('alice');
  await registerViaUi(alice.page, alice.username);
  await expect(composer(alice.page)).toBeVisible();
  expect(await seriousAxeViolations(alice.page)).toEqual([]);
});

const forms: Record<'desktop' | 'phone', BrowserContextOptions> = {
  desktop: { viewport: { width: 1280, height: 800 } },
  phone: { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true },
};

/** Expects no axe violation at all (any impact) on what `page` shows now. */
async function expectClean(page: Page, screen: string): Promise<void> {
  expect(await axeViolations(page), screen).toEqual([]);
}

for (const theme of ['dark', 'light'] as const) {
  for (const form of ['desktop', 'phone'] as const) {
    test(`axe finds no violation of any impact on the main screens: ${theme} theme, ${form}`, async ({
      openUser,
      server,
    }) => {
      const alice = await openUser('alice', forms[form]);
      const { page } = alice;
      // Signed out, the theme comes from this device's copy of the settings.
      await page.goto('/');
      await page.evaluate(
        (t) => localStorage.setItem('echora.settings', JSON.stringify({ theme: t })),
        theme,
      );
      await page.reload();
      await expect(page.locator('html')).toHaveAttribute('data-theme', theme);
      await expect(page.getByRole('button', { name: 'Create account' })).toBeVisible();
      await expectClean(page, 'login');

      const session = await registerViaApi(server.url, alice.username);
      const bob = await registerViaApi(server.url, `bob${alice.username.slice(-6)}`);
      const mine = await SyncClient.connect(server.url, session.accessToken);
      expect(await mine.mutate('settings.update', { theme })).toMatchObject({ type: 'ack' });
      await mine.close();
      const general = await SyncClient.connect(server.url, bob.accessToken);
      const channelId = general.channelNamed('general').id;
      const [messageId] = await general.sendMessages(channelId, [
        'Release notes, **bold** and `code`:\n```ts\nconst answer: number = 42;\n```',
      ]);
      expect(
        await general.mutate('reaction.toggle', { messageId, emoji: '🎉', on: true }),
      ).toMatchObject({ type: 'ack' });
      await general.close();

      await loginViaUi(page, alice.username);
      await expect(page.locator('html')).toHaveAttribute('data-theme', theme);
      await expect(messageRow(page, 'Release notes')).toBeVisible();
      await expectClean(page, 'chat');

      if (form === 'phone') {
        await page.getByRole('button', { name: 'Open channels' }).click();
        await expect(page.getByRole('navigation', { name: 'Channels' })).toBeInViewport();
        await expectClean(page, 'drawer');
      }
      await page.getByRole('button', { name: 'User settings' }).click();
      const settings = page.getByRole('dialog', { name: 'User settings' });
      await expect(settings).toBeVisible();
      await expectClean(page, 'user settings');
      await settings.getByRole('button', { name: 'Done' }).click();

      await page.keyboard.press('Control+k');
      await expect(page.getByRole('dialog', { name: 'Quick switcher' })).toBeVisible();
      await page.keyboard.type('gen');
      await expectClean(page, 'quick switcher');
      await page.keyboard.press('Escape');

      await page.keyboard.press('Control+/');
      await expect(page.getByRole('dialog', { name: 'Keyboard shortcuts' })).toBeVisible();
      await expectClean(page, 'shortcuts');
    });
  }
}
