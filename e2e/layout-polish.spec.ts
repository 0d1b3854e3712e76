import { randomBytes } from 'node:crypto';
import type { Locator, Page } from '@playwright/test';
import { registerViaApi } from './fixtures/api.ts';
import { openSettings, settingsTab } from './fixtures/community.ts';
import { SyncClient } from './fixtures/sync-client.ts';
import { expect, test } from './fixtures/test.ts';
import { composer, loginViaUi, messageRow, openChannel, sendMessage } from './fixtures/ui.ts';
import { reportVoice } from './fixtures/voice-report.ts';

/*
 * The view's rough edges from issue 15, each measured the way the report
 * described it: names squeezed by controls, a header a long name breaks,
 * dialogs that run off their box, unstyled inputs, raw validator messages.
 */

const voiceSecret = randomBytes(32).toString('hex');
// This file renames the community and fakes voice reports: a server of its own.
test.use({ serverEnv: { VOICE_GRANT_SECRET: voiceSecret } });

const phone = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };

/** True when the element shows its whole text: not cut off, not zero wide. */
async function readable(target: Locator): Promise<{ shown: number; needed: number }> {
  return target.evaluate((el) => ({ shown: el.clientWidth, needed: el.scrollWidth }));
}

async function expectReadable(target: Locator, what: string): Promise<void> {
  await expect(target).toBeVisible();
  const { shown, needed } = await readable(target);
  expect(shown, `${what}: ${shown}px shown of ${needed}px`).toBeGreaterThanOrEqual(needed);
  expect(shown, `${what} has width`).toBeGreaterThan(0);
}

test('an owner sees voice occupants and the open channel by their full names, controls on hover', async ({
  openUser,
  server,
}) => {
  const owner = await openUser('owner', { viewport: { width: 1280, height: 800 } });
  const bob = await registerViaApi(server.url, `bob${randomBytes(3).toString('hex')}`);
  const sync = await SyncClient.connect(server.url, server.owner.accessToken);
  const voiceId = sync.channelNamed('General').id;
  const longName = 'release-announcements';
  await sync.createTextChannel(longName);
  await sync.close();
  const voice = await reportVoice(server.url, voiceSecret, [
    { userId: server.owner.user.id, channelId: voiceId },
    { userId: bob.user.id, channelId: voiceId },
  ]);
  try {
    await loginViaUi(owner.page, server.owner.user.username);
    await openChannel(owner.page, longName);
    const nav = owner.page.getByRole('navigation', { name: 'Channels' });
    const occupants = nav.getByRole('list', { name: 'In voice channel General' });
    await expect(occupants.getByRole('listitem')).toHaveCount(2);
    // Nothing hovered or focused: names only.
    await owner.page.mouse.move(900, 400);
    await composer(owner.page, longName).focus();
    await expectReadable(occupants.getByText(bob.user.username, { exact: true }), 'Bob in voice');
    await expectReadable(
      occupants.getByText(server.owner.user.username, { exact: true }),
      'the owner in voice',
    );
    await expectReadable(
      nav.getByRole('button', { name: longName }).getByText(longName, { exact: true }),
      'the open channel',
    );
    // The moderation controls are still there for a pointer, and by keyboard.
    const bobRow = occupants.getByRole('listitem').filter({ hasText: bob.user.username });
    await bobRow.hover();
    await expect(
      bobRow.getByRole('button', { name: `Server mute ${bob.user.username}` }),
    ).toBeVisible();
  } finally {
    voice.stop();
  }
});

test('the sidebar names the community after a rename, for the owner and live for members', async ({
  openUser,
  server,
}) => {
  const owner = await openUser('owner');
  await loginViaUi(owner.page, server.owner.user.username);
  const member = await openUser('member');
  await registerViaApi(server.url, member.username);
  await loginViaUi(member.page, member.username);

  const settings = await openSettings(owner.page);
  await settingsTab(settings, 'Overview');
  const newName = 'Pinecone Hikers';
  await settings.getByLabel('Community name').fill(newName);
  await settings.getByRole('button', { name: 'Save changes' }).click();
  await settings.getByRole('button', { name: 'Close settings' }).click();
  const heading = (page: Page) =>
    page.getByRole('navigation', { name: 'Channels' }).getByRole('heading', { level: 2 });
  await expect(heading(owner.page)).toHaveText(newName);
  // The member's sidebar follows live, through the community feed: no reload.
  await expect(heading(member.page)).toHaveText(newName);
});

test('a channel name of the longest length keeps the header on one line, desktop and phone', async ({
  openUser,
  server,
}) => {
  const sync = await SyncClient.connect(server.url, server.owner.accessToken);
  const longName = `the-${'very-'.repeat(23)}long`.slice(0, 100);
  expect(longName).toHaveLength(100);
  await sync.createTextChannel(longName);
  await sync.close();
  for (const options of [{ viewport: { width: 1280, height: 800 } }, phone]) {
    const user = await openUser('reader', options);
    await registerViaApi(server.url, user.username);
    await loginViaUi(user.page, user.username);
    if (options === phone) {
      await user.page.getByRole('button', { name: 'Open channels' }).click();
    }
    await openChannel(user.page, longName);
    const header = user.page.locator('main > header');
    const box = await header.evaluate((el) => ({
      height: el.getBoundingClientRect().height,
      scroll: el.scrollWidth,
      client: el.clientWidth,
    }));
    expect(box.scroll, 'nothing spills out of the header').toBeLessThanOrEqual(box.client);
    expect(box.height, 'the header stays one row').toBeLessThanOrEqual(60);
    const title = header.getByRole('heading', { level: 1 });
    const members = header.getByRole('button', { name: 'Show members' });
    const [titleBox, membersBox] = [await title.boundingBox(), await members.boundingBox()];
    const viewport = user.page.viewportSize();
    expect(titleBox && membersBox && viewport).toBeTruthy();
    if (!titleBox || !membersBox || !viewport) return;
    expect(membersBox.x + membersBox.width, 'the last button is on screen').toBeLessThanOrEqual(
      viewport.width,
    );
    expect(titleBox.x + titleBox.width, 'the title ends before the buttons').toBeLessThanOrEqual(
      membersBox.x,
    );
    // The full name is still there for whoever needs it.
    await expect(title).toHaveAttribute('title', longName);
  }
});

/** Every part of `inner` lies inside `outer`'s box (1 px of rounding allowed). */
async function expectInside(outer: Locator, inner: Locator, what: string): Promise<void> {
  const [o, i] = [await outer.boundingBox(), await inner.boundingBox()];
  expect(o && i, what).toBeTruthy();
  if (!o || !i) return;
  expect(i.x + i.width, `${what}: right edge`).toBeLessThanOrEqual(o.x + o.width + 1);
  expect(i.x, `${what}: left edge`).toBeGreaterThanOrEqual(o.x - 1);
  const overflow = await outer.evaluate((el) => el.scrollWidth - el.clientWidth);
  expect(overflow, `${what}: no sideways scrolling`).toBeLessThanOrEqual(0);
}

test('the emoji picker and the custom emoji dialog fit their box, desktop and phone', async ({
  openUser,
  server,
}) => {
  const owner = await openUser('owner', { viewport: { width: 1280, height: 800 } });
  const { page } = owner;
  await loginViaUi(page, server.owner.user.username);
  const text = `pick an emoji ${randomBytes(3).toString('hex')}`;
  await sendMessage(page, text);
  const row = messageRow(page, text);
  await row.hover();
  await row.getByRole('button', { name: 'React' }).click();
  const picker = page.getByRole('dialog', { name: 'Add a reaction' });
  const manager = page.getByRole('dialog', { name: 'Custom emoji' });
  await expect(picker.getByRole('button', { name: 'grinning face', exact: true })).toBeVisible();
  // The same dialogs at a desktop width, then at a phone's.
  for (const viewport of [{ width: 1280, height: 800 }, phone.viewport]) {
    await page.setViewportSize(viewport);
    const at = `${viewport.width} px`;
    await expectInside(
      picker,
      picker.getByRole('searchbox', { name: 'Search emoji' }),
      `search, ${at}`,
    );
    await expectInside(
      picker,
      picker.getByRole('group', { name: 'Emoji categories' }),
      `groups, ${at}`,
    );
  }
  await picker.getByRole('button', { name: 'Manage custom emoji' }).click();
  await expect(manager).toBeVisible();
  for (const viewport of [phone.viewport, { width: 1280, height: 800 }]) {
    await page.setViewportSize(viewport);
    const at = `${viewport.width} px`;
    await expectInside(
      manager,
      manager.getByRole('button', { name: 'Upload emoji' }),
      `upload, ${at}`,
    );
    await expectInside(manager, manager.getByLabel('Name'), `name field, ${at}`);
  }
});

test('the profile editor has the same fields as every other form', async ({ openUser }) => {
  const alice = await openUser('alice');
  await alice.page.goto('/');
  await alice.page.getByLabel('Username').fill(alice.username);
  await alice.page.getByLabel('Password', { exact: true }).fill('Correct-Horse-Battery-9');
  await alice.page.getByRole('button', { name: 'Create account' }).click();
  await expect(composer(alice.page)).toBeVisible({ timeout: 30_000 });
  await alice.page.getByRole('button', { name: 'Edit profile' }).click();
  const editor = alice.page.getByRole('dialog', { name: 'Edit profile' });
  for (const label of ['Display name', 'Pronouns', 'Status', 'About me']) {
    const field = editor.getByLabel(label, { exact: true });
    const style = await field.evaluate((el) => {
      const probe = document.createElement('div');
      probe.style.background = 'var(--bg-field)';
      document.body.append(probe);
      const expected = getComputedStyle(probe).backgroundColor;
      probe.remove();
      const s = getComputedStyle(el);
      return { background: s.backgroundColor, expected, height: el.getBoundingClientRect().height };
    });
    expect(style.background, `${label}: the theme's field colour`).toBe(style.expected);
    expect(style.height, `${label}: a comfortable tap target`).toBeGreaterThanOrEqual(44);
  }
  await expect(editor.getByRole('button', { name: 'Save profile' })).toHaveCSS(
    'background-color',
    await alice.page.evaluate(() => {
      const probe = document.createElement('div');
      probe.style.background = 'var(--accent)';
      document.body.append(probe);
      const c = getComputedStyle(probe).backgroundColor;
      probe.remove();
      return c;
    }),
  );
});

test('the sign-in form explains what is wrong in plain words, before asking the server', async ({
  openUser,
}) => {
  const alice = await openUser('alice');
  const { page } = alice;
  const sent: string[] = [];
  page.on('request', (r) => {
    if (r.url().includes('/api/auth/')) sent.push(r.url());
  });
  await page.goto('/');
  await page.getByLabel('Username').fill(alice.username);
  await page.getByLabel('Password', { exact: true }).fill('short');
  await page.getByRole('button', { name: 'Create account' }).click();
  const password = page.getByLabel('Password', { exact: true });
  await expect(password).toHaveAttribute('aria-invalid', 'true');
  await expect(password).toHaveAccessibleDescription(
    'Use at least 8 characters for your password.',
  );
  await expect(page.getByText(/must be at least/)).toHaveCount(0);

  await page.getByLabel('Username').fill('no spaces!');
  await page.getByLabel('Password', { exact: true }).fill('Correct-Horse-Battery-9');
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page.getByLabel('Username')).toHaveAccessibleDescription(
    'Use only letters, numbers, and the characters _ . -',
  );
  expect(sent, 'nothing went to the server').toEqual([]);

  // What only the server knows still reads as a sentence.
  await page.getByLabel('Username').fill(alice.username);
  await page.getByLabel('Password', { exact: true }).fill('Wrong-Horse-Battery-9');
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page.locator('#auth-error')).toHaveText('Wrong username or password.');
});
