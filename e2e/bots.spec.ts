import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { seriousAxeViolations } from './fixtures/axe.ts';
import { pngBytes } from './fixtures/files.ts';
import { openSettings, settingsTab } from './fixtures/community.ts';
import { expect, test } from './fixtures/test.ts';
import { SyncClient } from './fixtures/sync-client.ts';
import { loginViaUi, messageRow, registerViaUi } from './fixtures/ui.ts';
import { uuidv7 } from './fixtures/uuid.ts';

const screenshots = path.join(path.dirname(fileURLToPath(import.meta.url)), 'screenshots');

test('a manager makes a bot and a webhook in the UI; their posts show with a badge for others', async ({
  openUser,
  server,
}) => {
  await mkdir(screenshots, { recursive: true });
  const owner = await openUser('owner');
  const bob = await openUser('bob');
  await loginViaUi(owner.page, server.owner.user.username);
  await registerViaUi(bob.page, bob.username);

  // The bot: created in community settings, its token shown once.
  const settings = await openSettings(owner.page);
  await settingsTab(settings, 'Bots');
  await settings.getByLabel('Name').fill('Deploy bot');
  await settings.getByRole('button', { name: 'Create bot' }).click();
  const tokenBox = settings.getByLabel('Token of Deploy bot');
  await expect(tokenBox).toHaveValue(/^ebot_/);
  const token = await tokenBox.inputValue();
  await expect(settings.getByText('Deploy bot', { exact: true })).toBeVisible();
  // Its avatar: an image uploaded through the files pipeline.
  const image = { name: 'bot.png', mimeType: 'image/png', buffer: pngBytes() };
  await settings.getByRole('button', { name: 'Avatar of Deploy bot' }).setInputFiles(image);
  await expect(settings.locator('img.avatar')).toHaveAttribute('src', /\/api\/files\//);
  expect(await seriousAxeViolations(owner.page)).toEqual([]);
  await owner.page.screenshot({ path: path.join(screenshots, 'bots-settings.png') });
  await settings.getByRole('button', { name: 'Close settings' }).click();

  // The bot holds a sync socket with its token (where it learns #general's id) and posts over HTTP.
  const socket = await SyncClient.connect(server.url, token);
  const general = [...socket.channels.values()].find((c) => c.name === 'general');
  await socket.close();
  const sent = await fetch(new URL('/api/mutations', server.url), {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: `Bot ${token}`,
      'idempotency-key': uuidv7(),
    },
    body: JSON.stringify({
      name: 'message.send',
      args: { id: uuidv7(), channelId: general?.id, content: 'deployed v1.2' },
    }),
  });
  expect(await sent.json()).toMatchObject({ ok: true });
  const botRow = messageRow(bob.page, 'deployed v1.2');
  await expect(botRow).toBeVisible();
  await expect(botRow.getByText('BOT', { exact: true })).toBeVisible();
  await expect(botRow.locator('img.avatar')).toHaveAttribute('src', /\/api\/files\//);
  // The member list marks the bot too.
  const memberList = bob.page.getByRole('complementary', { name: 'Members' });
  await expect(
    memberList.getByRole('button', { name: /Deploy bot/ }).getByText('BOT', { exact: true }),
  ).toBeVisible();

  // The webhook: created in #general's settings, its URL shown once.
  await owner.page
    .getByRole('group', { name: '#general', exact: true })
    .getByRole('button', { name: 'Edit channel' })
    .click();
  await owner.page.getByRole('button', { name: 'Webhooks' }).click();
  const panel = owner.page.getByRole('dialog', { name: 'Webhooks of #general' });
  await panel.getByLabel('Name').fill('CI');
  await panel.getByRole('button', { name: 'Create webhook' }).click();
  const urlBox = panel.getByLabel('Webhook URL');
  await expect(urlBox).toHaveValue(/\/api\/webhooks\/[^/]+\/[^/]+$/);
  const hookUrl = new URL(new URL(await urlBox.inputValue()).pathname, server.url);
  await panel.getByRole('button', { name: 'Avatar of CI' }).setInputFiles(image);
  await expect(panel.locator('img.avatar')).toHaveAttribute('src', /\/api\/files\//);
  expect(await seriousAxeViolations(owner.page)).toEqual([]);
  await owner.page.screenshot({ path: path.join(screenshots, 'webhooks-settings.png') });
  await panel.getByRole('button', { name: 'Done' }).click();

  const slack = await fetch(hookUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ text: 'build **passed**' }),
  });
  expect(slack.status).toBe(200);
  const hookRow = messageRow(bob.page, 'build passed');
  await expect(hookRow).toBeVisible();
  await expect(hookRow.getByText('WEBHOOK', { exact: true })).toBeVisible();
  await expect(hookRow.getByRole('button', { name: 'CI', exact: true })).toBeVisible();
  await expect(hookRow.locator('img.avatar')).toHaveAttribute('src', /\/api\/files\//);
  // Slack's form-encoded payload, as Slack's own tools send it.
  const form = await fetch(hookUrl, {
    method: 'POST',
    body: new URLSearchParams({ payload: JSON.stringify({ text: 'form post' }) }),
  });
  expect(form.status).toBe(200);
  await expect(messageRow(bob.page, 'form post')).toBeVisible();
  await bob.page.screenshot({ path: path.join(screenshots, 'bot-badges.png') });
});
