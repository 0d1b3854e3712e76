import type { Page } from '@playwright/test';
import { loginViaApi, testPassword } from './fixtures/api.ts';
import { openMemberCard, openSettings, settingsTab } from './fixtures/community.ts';
import { SyncClient } from './fixtures/sync-client.ts';
import { expect, test } from './fixtures/test.ts';
import {
  composer,
  connectionStatus,
  loginViaUi,
  messageRow,
  messageText,
  registerViaUi,
  sendMessage,
  waitForServiceWorker,
} from './fixtures/ui.ts';

/** Reconnecting waits out the client's backoff, which may have grown while cut. */
const reconnectTimeout = { timeout: 30_000 };

/** Rows in each object store of the page's replica (IndexedDB `echora`) and upload queue. */
function storedRows(page: Page): Promise<Record<string, number>> {
  return page.evaluate(async () => {
    const counts: Record<string, number> = {};
    for (const dbName of ['echora', 'echora-uploads']) {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const open = indexedDB.open(dbName);
        open.onsuccess = () => resolve(open.result);
        open.onerror = () => reject(open.error ?? new Error('open failed'));
      });
      for (const store of Array.from(db.objectStoreNames)) {
        counts[`${dbName}/${store}`] = await new Promise<number>((resolve, reject) => {
          const count = db.transaction(store).objectStore(store).count();
          count.onsuccess = () => resolve(count.result);
          count.onerror = () => reject(count.error ?? new Error('count failed'));
        });
      }
      db.close();
    }
    return counts;
  });
}

/** A moderation call as the owner, through the API. */
async function moderate(baseUrl: string, token: string, action: 'ban' | 'kick', userId: string) {
  const response = await fetch(new URL(`/api/moderation/${action}`, baseUrl), {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ userId }),
  });
  expect(response.status).toBe(204);
}

const userIdOf = async (baseUrl: string, username: string) =>
  (await loginViaApi(baseUrl, username)).user.id;

/** A fresh access token of the owner (the fixture's may be older than its lifetime). */
const ownerToken = async (baseUrl: string, username: string) =>
  (await loginViaApi(baseUrl, username)).accessToken;

test('banned while online: Bob is told at once and his device forgets the community; Alice still sees his name; the audit log names him', async ({
  openUser,
  server,
}) => {
  const owner = await openUser('owner');
  const bob = await openUser('bob');
  await loginViaUi(owner.page, server.owner.user.username);
  await registerViaUi(bob.page, bob.username);
  const text = `an old message from ${bob.username}`;
  await sendMessage(bob.page, text);
  await expect(messageRow(bob.page, text)).not.toContainText('sending…');
  await expect(messageText(owner.page, text)).toBeVisible();
  const before = await storedRows(bob.page);
  expect(before['echora/messages']).toBeGreaterThan(0);
  expect(before['echora/channels']).toBeGreaterThan(0);
  const bobId = await userIdOf(server.url, bob.username);

  const token = await ownerToken(server.url, server.owner.user.username);
  const started = Date.now();
  await moderate(server.url, token, 'ban', bobId);
  const title = bob.page.getByRole('heading', { name: 'You were banned from Echora' });
  await expect(title).toBeVisible({ timeout: 1_000 });
  console.log(`ban to banned screen: ${Date.now() - started} ms`);
  await expect(bob.page.getByTestId('discarded')).toHaveText('No unsent messages were waiting.');
  await expect(composer(bob.page)).toHaveCount(0);
  await expect(connectionStatus(bob.page)).toHaveCount(0);
  const after = await storedRows(bob.page);
  // Only the notice of why is kept.
  expect(after).toEqual(
    Object.fromEntries(Object.keys(after).map((k) => [k, k === 'echora/kv' ? 1 : 0])),
  );
  await bob.page.screenshot({ path: test.info().outputPath('banned.png') });

  // A reload still says why; the button leads back to sign-in.
  await bob.page.reload();
  await expect(title).toBeVisible();
  await bob.page.getByRole('button', { name: 'Back to sign-in' }).click();
  await expect(bob.page.getByRole('button', { name: 'Log in' })).toBeVisible();

  // Alice still sees who wrote the message, now and after a reload.
  const author = messageRow(owner.page, text).getByRole('button', {
    name: bob.username,
    exact: true,
  });
  await expect(author).toBeVisible();
  await owner.page.reload();
  await expect(author).toBeVisible();
  await expect(owner.page.getByText('Unknown member')).toHaveCount(0);

  const settings = await openSettings(owner.page);
  await settingsTab(settings, 'Audit log');
  await expect(
    settings.getByRole('listitem').filter({ hasText: `banned ${bob.username}` }),
  ).toHaveCount(1);
  await expect(settings.getByRole('listitem').first()).toContainText(server.owner.user.username);
});

test('banned while offline with queued messages: on reconnect the screen says how many were discarded, and none reach the channel', async ({
  openUser,
  server,
}) => {
  const owner = await openUser('owner');
  const carol = await openUser('carol');
  await loginViaUi(owner.page, server.owner.user.username);
  await registerViaUi(carol.page, carol.username);
  await expect(connectionStatus(carol.page)).toHaveText('Online');
  await waitForServiceWorker(carol.page);
  const carolId = await userIdOf(server.url, carol.username);

  await carol.goOffline();
  await expect(connectionStatus(carol.page)).toHaveText(/^\s*Offline/, reconnectTimeout);
  const texts = [1, 2].map((n) => `queued ${n} by ${carol.username}`);
  for (const t of texts) await sendMessage(carol.page, t);
  await expect(connectionStatus(carol.page)).toHaveText('Offline — 2 queued');

  await moderate(
    server.url,
    await ownerToken(server.url, server.owner.user.username),
    'ban',
    carolId,
  );
  await carol.goOnline();
  await expect(
    carol.page.getByRole('heading', { name: 'You were banned from Echora' }),
  ).toBeVisible(reconnectTimeout);
  await expect(carol.page.getByTestId('discarded')).toHaveText('2 unsent messages were discarded.');
  await expect(composer(carol.page)).toHaveCount(0);
  await expect(carol.page.getByText(/queued/)).toHaveCount(0);
  expect((await storedRows(carol.page))['echora/outbox']).toBe(0);

  const reader = await SyncClient.connect(
    server.url,
    await ownerToken(server.url, server.owner.user.username),
  );
  try {
    const general = reader.channelNamed('general');
    const stored = await reader.allMessages(general.id);
    expect(stored.filter((m) => texts.includes(m.content))).toEqual([]);
  } finally {
    await reader.close();
  }
  for (const t of texts) await expect(messageText(owner.page, t)).toHaveCount(0);
});

test('kicked: Finn is told he was removed, and comes back through an invite', async ({
  openUser,
  server,
}) => {
  const owner = await openUser('owner');
  const finn = await openUser('finn');
  await loginViaUi(owner.page, server.owner.user.username);
  await registerViaUi(finn.page, finn.username);
  const text = `hello before the kick from ${finn.username}`;
  await sendMessage(finn.page, text);
  await expect(messageText(owner.page, text)).toBeVisible();

  const card = await openMemberCard(owner.page, finn.username);
  await card.getByRole('button', { name: 'Kick' }).click();
  await card.getByRole('button', { name: 'Kick' }).click();
  await expect(
    finn.page.getByRole('heading', { name: 'You were removed from Echora' }),
  ).toBeVisible();
  await expect(finn.page.getByText('You can join again with an invite link')).toBeVisible();
  await expect(messageRow(owner.page, text)).toContainText(finn.username);

  const response = await fetch(new URL('/api/invites', server.url), {
    method: 'POST',
    headers: {
      authorization: `Bearer ${await ownerToken(server.url, server.owner.user.username)}`,
      'content-type': 'application/json',
    },
    body: JSON.stringify({}),
  });
  const { code } = (await response.json()) as { code: string };
  await finn.page.goto(`/invite/${code}`);
  await finn.page.getByLabel('Username').fill(finn.username);
  await finn.page.getByLabel('Password', { exact: true }).fill(testPassword);
  await finn.page.getByRole('button', { name: 'Log in' }).click();
  await expect(composer(finn.page)).toBeVisible({ timeout: 30_000 });
  await expect(messageText(finn.page, text)).toBeVisible();
});
