import { loginViaApi } from './fixtures/api.ts';
import { SyncClient } from './fixtures/sync-client.ts';
import { expect, test } from './fixtures/test.ts';
import {
  composer,
  connectionStatus,
  messageRow,
  messageText,
  registerViaUi,
  sendMessage,
  waitForServiceWorker,
} from './fixtures/ui.ts';

/** Reconnecting waits out the client's backoff, which may have grown while cut. */
const reconnectTimeout = { timeout: 30_000 };

test('messages sent offline survive a reload and reach Bob exactly once, in order', async ({
  openUser,
  server,
}) => {
  const alice = await openUser('alice');
  const bob = await openUser('bob');
  await registerViaUi(alice.page, alice.username);
  await registerViaUi(bob.page, bob.username);
  await expect(connectionStatus(alice.page)).toHaveText('Online');
  await waitForServiceWorker(alice.page);

  await alice.goOffline();
  await expect(connectionStatus(alice.page)).toHaveText(/^\s*Offline/, reconnectTimeout);

  const texts = [1, 2, 3].map((n) => `offline ${n} from ${alice.username}`);
  for (const text of texts) await sendMessage(alice.page, text);
  for (const text of texts) await expect(messageRow(alice.page, text)).toContainText('sending…');
  await expect(connectionStatus(alice.page)).toHaveText('Offline — 3 queued');

  // Still cut: the shell comes from the service worker, the channel and the queue from IndexedDB.
  await alice.page.reload();
  await expect(composer(alice.page)).toBeVisible();
  for (const text of texts) await expect(messageRow(alice.page, text)).toContainText('sending…');
  await expect(connectionStatus(alice.page)).toHaveText('Offline — 3 queued');
  expect(alice.proxy.isCut).toBe(true);

  await alice.goOnline();
  await expect(connectionStatus(alice.page)).toHaveText('Online', reconnectTimeout);
  for (const text of texts) {
    await expect(messageText(bob.page, text)).toHaveCount(1);
    await expect(messageRow(alice.page, text)).not.toContainText('sending…');
  }

  const tops = await Promise.all(
    texts.map(async (text) => (await messageText(bob.page, text).boundingBox())?.y ?? Number.NaN),
  );
  expect(tops, 'Bob sees them in the order Alice wrote them').toEqual(
    [...tops].sort((a, b) => a - b),
  );

  // Alice's outbox is empty now, so the server's history is final: each text once, in order.
  const session = await loginViaApi(server.url, bob.username);
  const reader = await SyncClient.connect(server.url, session.accessToken);
  try {
    const general = reader.channelNamed('general');
    const stored = (await reader.allMessages(general.id)).filter((m) => texts.includes(m.content));
    expect(stored.map((m) => m.content)).toEqual(texts);
  } finally {
    await reader.close();
  }
  for (const text of texts) await expect(messageText(bob.page, text)).toHaveCount(1);
});

test('a cold start without network after one online visit shows the shell and the cached channel', async ({
  openUser,
}) => {
  const alice = await openUser('alice');
  await registerViaUi(alice.page, alice.username);
  const text = `cached before going offline ${alice.username}`;
  await sendMessage(alice.page, text);
  await expect(messageRow(alice.page, text)).not.toContainText('sending…');
  await waitForServiceWorker(alice.page);

  await alice.goOffline();
  await alice.page.close();
  const coldPage = await alice.context.newPage();
  await coldPage.goto('/');
  await expect(composer(coldPage)).toBeVisible();
  await expect(messageText(coldPage, text)).toBeVisible();
  await expect(connectionStatus(coldPage)).toHaveText(/^\s*(Offline|Connecting)/);
  expect(alice.proxy.isCut).toBe(true);
});
