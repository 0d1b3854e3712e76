import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PNG_BASE64, pasteFile } from './fixtures/files.ts';
import { belowView, listState, replicaHolds, topInView } from './fixtures/list-offsets.ts';
import { SyncClient } from './fixtures/sync-client.ts';
import { expect, test, type User } from './fixtures/test.ts';
import { composer, openChannel, registerViaUi } from './fixtures/ui.ts';

// Seeding a scrollable channel needs more than the default sends per minute.
test.use({ serverEnv: { SEND_RATE_PER_MINUTE: '100000' } });

const phone = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };

/** A channel of its own with `count` older messages (some tall), so the list scrolls. */
async function seededChannel(serverUrl: string, token: string, count = 60): Promise<string> {
  const name = `list-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 5)}`;
  const seeder = await SyncClient.connect(serverUrl, token);
  try {
    await seeder.createTextChannel(name);
    await seeder.waitFor(
      (f) => f.type === 'changes' && [...seeder.channels.values()].some((c) => c.name === name),
    );
    await seeder.sendMessages(
      seeder.channelNamed(name).id,
      Array.from({ length: count }, (_, i) =>
        i % 7 === 3
          ? `seed ${i}\n\`\`\`ts\n${Array.from({ length: 8 }, (_, j) => `const line${j} = ${j};`).join('\n')}\n\`\`\``
          : `seed ${i} ${'words '.repeat(i % 5 === 0 ? 40 : 3)}`,
      ),
    );
  } finally {
    await seeder.close();
  }
  return name;
}

async function join(user: User, channel: string): Promise<void> {
  await registerViaUi(user.page, user.username);
  await openChannel(user.page, channel);
}

/** The newest message `text` ends up fully in view (within a pixel) and stays there. */
async function expectNewestInView(user: User, text: string): Promise<void> {
  try {
    await expect
      .poll(async () => (await listState(user.page, text)).rendered, {
        message: `${user.name}: "${text}" rendered`,
      })
      .toBe(true);
  } catch (e) {
    // Say whether the list left the bottom, or the replica never got the message.
    const list = await listState(user.page, text);
    const replica = await replicaHolds(user.page, text.split(' ')[0] ?? text);
    throw new Error(
      `${String(e)}\nlist: ${JSON.stringify(list)}\nreplica: ${JSON.stringify(replica)}`,
    );
  }
  await expect
    .poll(() => belowView(user.page, text), { message: `${user.name}: "${text}" below the view` })
    .toBeLessThanOrEqual(1);
  // Fully in view, and at the bottom: not somewhere above it either.
  expect(await belowView(user.page, text)).toBeGreaterThan(-80);
}

const codeBlock = (tag: string) =>
  `${tag}\n\`\`\`js\n${Array.from({ length: 24 }, (_, i) => `console.log(${i}); // ${tag}`).join('\n')}\n\`\`\``;
const multiLine = (tag: string) =>
  Array.from({ length: 14 }, (_, i) => `${tag} line ${i} of a long message`).join('\n');

async function typeAndSend(user: User, channel: string, text: string): Promise<void> {
  const box = composer(user.page, channel);
  await box.fill(text);
  await box.press('Enter');
  await expect(box).toHaveValue('');
}

test('the newest message stays fully in view for sender and reader: code block, long message, image, burst', async ({
  openUser,
  server,
}) => {
  test.setTimeout(120_000);
  const channel = await seededChannel(server.url, server.owner.accessToken);
  const alice = await openUser('alice');
  const bob = await openUser('bob');
  await join(alice, channel);
  await join(bob, channel);
  await expectNewestInView(alice, 'seed 59');
  await expectNewestInView(bob, 'seed 59');

  const code = `code from ${alice.username}`;
  await typeAndSend(alice, channel, codeBlock(code));
  await expectNewestInView(alice, `console.log(23); // ${code}`);
  await expectNewestInView(bob, `console.log(23); // ${code}`);

  const long = `long from ${alice.username}`;
  await typeAndSend(alice, channel, multiLine(long));
  await expectNewestInView(alice, `${long} line 13`);
  await expectNewestInView(bob, `${long} line 13`);

  // An image: the row grows when the upload lands and again when the picture loads.
  await pasteFile(alice.page, `textarea[aria-label="Message #${channel}"]`, {
    name: 'photo.png',
    type: 'image/png',
    base64: PNG_BASE64,
  });
  const caption = `photo from ${alice.username}`;
  await typeAndSend(alice, channel, caption);
  for (const user of [alice, bob]) {
    await expect(user.page.getByRole('img', { name: 'photo.png' })).toBeVisible();
    await expect
      .poll(() =>
        user.page
          .getByRole('img', { name: 'photo.png' })
          .evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0),
      )
      .toBe(true);
    await expect
      .poll(() =>
        user.page.getByRole('log').evaluate((log) => {
          const img = log.querySelector('img[alt="photo.png"]');
          return img
            ? Math.round(img.getBoundingClientRect().bottom - log.getBoundingClientRect().bottom)
            : null;
        }),
      )
      .toBeLessThanOrEqual(0);
  }

  // Another person's burst: Bob sends ten, some tall; Alice follows to the last.
  const seeder = await SyncClient.connect(server.url, server.owner.accessToken);
  try {
    const burst = Array.from({ length: 10 }, (_, i) =>
      i % 3 === 0 ? codeBlock(`burst ${i}`) : multiLine(`burst ${i}`),
    );
    await seeder.sendMessages(seeder.channelNamed(channel).id, burst);
  } finally {
    await seeder.close();
  }
  await expectNewestInView(alice, 'console.log(23); // burst 9');
  await expectNewestInView(bob, 'console.log(23); // burst 9');
});

test('a reader scrolled up keeps the exact position and sees "Jump to present" with the count', async ({
  openUser,
  server,
}) => {
  test.setTimeout(120_000);
  const channel = await seededChannel(server.url, server.owner.accessToken);
  const alice = await openUser('alice');
  const bob = await openUser('bob');
  await join(alice, channel);
  await join(bob, channel);
  await expectNewestInView(bob, 'seed 59');

  // Bob scrolls up with the mouse wheel, as a reader does.
  const log = bob.page.getByRole('log');
  await log.hover();
  await bob.page.mouse.wheel(0, -900);
  await expect.poll(() => topInView(bob.page, 'seed 50 ')).not.toBeNull();
  await expect(async () => {
    const a = await topInView(bob.page, 'seed 50 ');
    await bob.page.evaluate(
      () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))),
    );
    expect(await topInView(bob.page, 'seed 50 ')).toBe(a);
  }).toPass();
  const before = await topInView(bob.page, 'seed 50 ');
  expect(before).not.toBeNull();

  for (let i = 0; i < 3; i++) await typeAndSend(alice, channel, multiLine(`while away ${i}`));
  await typeAndSend(alice, channel, codeBlock('while away 3'));
  await expectNewestInView(alice, 'console.log(23); // while away 3');

  const bar = bob.page.getByText(/newer messages?$/);
  await expect(bar).toBeVisible();
  const count = Number((await bar.textContent())?.match(/\d+/)?.[0]);
  // Everything below Bob's view: the seeds under it and Alice's four.
  expect(count).toBeGreaterThanOrEqual(4);
  expect(await topInView(bob.page, 'seed 50 ')).toBeCloseTo(before ?? NaN, 0);
  await bob.page.screenshot({
    path: path.join(
      path.dirname(fileURLToPath(import.meta.url)),
      'screenshots',
      'jump-to-present.png',
    ),
  });

  await bob.page.getByRole('button', { name: 'Jump to present' }).click();
  await expectNewestInView(bob, 'console.log(23); // while away 3');
  await expect(bar).toBeHidden();

  // Scrolled up again, Bob writes: sending takes him to the present.
  await log.hover();
  await bob.page.mouse.wheel(0, -1500);
  await expect(bob.page.getByRole('button', { name: 'Jump to present' })).toBeVisible();
  await typeAndSend(bob, channel, codeBlock('answer from bob'));
  await expectNewestInView(bob, 'console.log(23); // answer from bob');
  await expect(bob.page.getByRole('button', { name: 'Jump to present' })).toBeHidden();
});

test('on a phone, a channel opens at the newest message', async ({ openUser, server }) => {
  test.setTimeout(120_000);
  // #general, where a new member lands: 150 messages that wrap to many lines at 390 px.
  const seeder = await SyncClient.connect(server.url, server.owner.accessToken);
  try {
    await seeder.sendMessages(
      seeder.channelNamed('general').id,
      Array.from({ length: 150 }, (_, i) =>
        i % 6 === 2
          ? `phone ${i}\n\`\`\`\n${'a fairly long line of code that wraps or scrolls\n'.repeat(6)}\`\`\``
          : `phone ${i} ${'several words that wrap on a narrow screen '.repeat(i % 4 === 0 ? 6 : 1)}`,
      ),
    );
  } finally {
    await seeder.close();
  }
  const alice = await openUser('alice', { ...phone, deviceScaleFactor: 2 });
  await registerViaUi(alice.page, alice.username);
  await expectNewestInView(alice, 'phone 149 ');
  // And it stays there once everything has settled (fonts, highlighting).
  await alice.page.evaluate(() => document.fonts.ready);
  await expectNewestInView(alice, 'phone 149 ');
  // Coming back later: the replica already holds the channel when the list mounts.
  await alice.page.reload();
  await expect(composer(alice.page)).toBeVisible();
  await expectNewestInView(alice, 'phone 149 ');

  // Another channel opened from the drawer opens at its newest message too.
  const channel = await seededChannel(server.url, server.owner.accessToken, 150);
  await alice.page.getByRole('button', { name: 'Open channels' }).click();
  await alice.page
    .getByRole('navigation', { name: 'Channels' })
    .getByText(channel, { exact: true })
    .click();
  await expect(composer(alice.page, channel)).toBeVisible();
  await expectNewestInView(alice, 'seed 149 ');
});
