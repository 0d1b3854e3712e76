import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from '@playwright/test';
import { registerViaApi } from './fixtures/api.ts';
import { SyncClient } from './fixtures/sync-client.ts';
import { expect, test } from './fixtures/test.ts';
import { loginViaUi, messageRow } from './fixtures/ui.ts';
import { uuidv7 } from './fixtures/uuid.ts';
import { reportVoice } from './fixtures/voice-report.ts';

/*
 * Not a test: a tour of the main screens in both themes, desktop and phone,
 * saved as PNGs in e2e/screenshots/ (`npm run screenshots`). It drives real
 * servers and browsers like the specs, so what it shows is what people see.
 */

const out = path.join(path.dirname(fileURLToPath(import.meta.url)), 'screenshots');
const voiceSecret = randomBytes(32).toString('hex');
test.use({ serverEnv: { VOICE_GRANT_SECRET: voiceSecret } });

const desktop = { viewport: { width: 1280, height: 800 } };
const phone = {
  viewport: { width: 390, height: 844 },
  isMobile: true,
  hasTouch: true,
  deviceScaleFactor: 2,
};

/** A 640×360 picture drawn in the browser, as PNG bytes. */
async function drawPicture(page: Page): Promise<Buffer> {
  const dataUrl = await page.evaluate(() => {
    const canvas = document.createElement('canvas');
    canvas.width = 640;
    canvas.height = 360;
    const ctx = canvas.getContext('2d');
    if (!ctx) return '';
    const sky = ctx.createLinearGradient(0, 0, 0, 360);
    sky.addColorStop(0, '#3a7bd5');
    sky.addColorStop(1, '#f8b195');
    ctx.fillStyle = sky;
    ctx.fillRect(0, 0, 640, 360);
    ctx.fillStyle = '#2d4a3e';
    ctx.beginPath();
    ctx.moveTo(0, 360);
    ctx.lineTo(180, 170);
    ctx.lineTo(320, 300);
    ctx.lineTo(470, 140);
    ctx.lineTo(640, 360);
    ctx.fill();
    ctx.fillStyle = '#fff6d5';
    ctx.beginPath();
    ctx.arc(520, 80, 36, 0, Math.PI * 2);
    ctx.fill();
    return canvas.toDataURL('image/png');
  });
  return Buffer.from(dataUrl.split(',')[1] ?? '', 'base64');
}

async function upload(baseUrl: string, token: string, png: Buffer): Promise<string> {
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(png)], { type: 'image/png' }), 'ridge.png');
  const response = await fetch(new URL('/api/uploads', baseUrl), {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
    body: form,
  });
  const body = (await response.json()) as { file: { id: string } };
  return body.file.id;
}

test('screenshots of the main screens, both themes, desktop and phone', async ({
  openUser,
  server,
}) => {
  test.setTimeout(300_000);
  await mkdir(out, { recursive: true });
  const owner = server.owner;
  const bob = await registerViaApi(server.url, `bob${randomBytes(3).toString('hex')}`);
  const mine = await SyncClient.connect(server.url, owner.accessToken);
  const generalId = mine.channelNamed('general').id;
  const voiceId = mine.channelNamed('General').id;
  await mine.createTextChannel('design-review');
  await mine.createTextChannel('release-announcements');
  const randomId = await mine.createTextChannel('random');
  const theirs = await SyncClient.connect(server.url, bob.accessToken);

  const desk = await openUser('owner', desktop);
  await loginViaUi(desk.page, owner.user.username);
  const picture = await upload(server.url, bob.accessToken, await drawPicture(desk.page));
  await theirs.sendMessages(generalId, ['Morning all! The build is green again 🎉']);
  await mine.sendMessages(generalId, [
    'Nice. Here is the fix, for the record:\n```ts\nexport function retry<T>(run: () => Promise<T>, times = 3): Promise<T> {\n  return run().catch((e) => (times > 1 ? retry(run, times - 1) : Promise.reject(e)));\n}\n```',
  ]);
  const [withPicture] = await theirs.mutateInOrder([
    {
      name: 'message.send',
      args: {
        id: uuidv7(),
        channelId: generalId,
        content: 'View from the ridge on Saturday **so** worth the climb',
        attachmentIds: [picture],
      },
    },
  ]);
  expect(withPicture).toMatchObject({ type: 'ack' });
  const [last] = await theirs.sendMessages(generalId, ['Lunch at 12:30? 🍜 Reply here 👇']);
  for (const [who, emoji] of [
    [mine, '👍'],
    [theirs, '👍'],
    [mine, '🍜'],
  ] as const)
    await who.mutate('reaction.toggle', { messageId: last, emoji, on: true });
  await theirs.sendMessages(randomId, ['Anyone up for a board game night?']);
  const voice = await reportVoice(server.url, voiceSecret, [
    { userId: owner.user.id, channelId: voiceId },
    { userId: bob.user.id, channelId: voiceId, serverMuted: true },
  ]);

  const hand = await openUser('owner-phone', phone);
  await loginViaUi(hand.page, owner.user.username);
  try {
    for (const theme of ['dark', 'light'] as const) {
      await mine.mutate('settings.update', { theme });
      for (const page of [desk.page, hand.page])
        await expect(page.locator('html')).toHaveAttribute('data-theme', theme);
      const shot = (page: Page, name: string) =>
        page.screenshot({ path: path.join(out, `${theme}-${name}.png`) });

      await expect(messageRow(desk.page, 'Lunch at 12:30')).toBeVisible();
      await expect(desk.page.getByRole('img').first()).toBeVisible();
      await desk.page.mouse.move(640, 10);
      await shot(desk.page, 'chat');
      await desk.page
        .getByRole('navigation', { name: 'Channels' })
        .screenshot({ path: path.join(out, `${theme}-voice-sidebar.png`) });

      await desk.page.getByRole('button', { name: 'User settings' }).click();
      await shot(desk.page, 'settings');
      await desk.page
        .getByRole('dialog', { name: 'User settings' })
        .getByRole('button', { name: 'Done' })
        .click();

      await desk.page.keyboard.press('Control+k');
      await desk.page.keyboard.type('re');
      await shot(desk.page, 'quick-switcher');
      await desk.page.keyboard.press('Escape');
      await desk.page.keyboard.press('Control+/');
      await shot(desk.page, 'shortcuts');
      await desk.page.keyboard.press('Escape');

      await expect(messageRow(hand.page, 'Lunch at 12:30')).toBeVisible();
      await shot(hand.page, 'phone-chat');
      await hand.page.getByRole('button', { name: 'Open channels' }).click();
      const drawer = hand.page.getByRole('navigation', { name: 'Channels' });
      // Wait for the slide-in to end, not just to begin.
      await expect.poll(async () => (await drawer.boundingBox())?.x).toBe(0);
      await shot(hand.page, 'phone-drawer');
      await hand.page.getByRole('button', { name: 'Close channels' }).click();

      const visitor = await openUser('visitor', desktop);
      await visitor.page.goto('/');
      await visitor.page.evaluate(
        (t) => localStorage.setItem('echora.settings', JSON.stringify({ theme: t })),
        theme,
      );
      await visitor.page.reload();
      await expect(visitor.page.getByRole('button', { name: 'Create account' })).toBeVisible();
      await shot(visitor.page, 'login');
      await visitor.context.close();
    }
  } finally {
    voice.stop();
    await Promise.all([mine.close(), theirs.close()]);
  }
});
