import type { Page } from '@playwright/test';
import { loginViaApi } from './fixtures/api.ts';
import { expect, test } from './fixtures/test.ts';
import {
  composer,
  connectionStatus,
  registerViaUi,
  sendMessage,
  waitForServiceWorker,
} from './fixtures/ui.ts';

/*
 * Access tokens of 4 s: an app that was offline across a ban comes back with
 * an expired one, so it learns of the ban from the refresh, not the socket.
 */
test.use({ serverEnv: { ACCESS_TTL_SECONDS: '4' } });

/** When the access token the page keeps (replica kv "session") expires, in ms since the epoch. */
function storedTokenExpiry(page: Page): Promise<number> {
  return page.evaluate(
    () =>
      new Promise<number>((resolve, reject) => {
        const open = indexedDB.open('echora');
        open.onerror = () => reject(new Error('cannot open the replica'));
        open.onsuccess = () => {
          const read = open.result.transaction('kv').objectStore('kv').get('session');
          read.onsuccess = () => {
            open.result.close();
            const token = (read.result as { value?: { accessToken?: string } } | undefined)?.value
              ?.accessToken;
            const payload = token?.split('.')[1] ?? '';
            const claims = JSON.parse(atob(payload.replace(/-/g, '+').replace(/_/g, '/'))) as {
              exp: number;
            };
            resolve(claims.exp * 1000);
          };
          read.onerror = () => reject(new Error('cannot read the session'));
        };
      }),
  );
}

test('banned while offline, back with an expired token: the refresh says why and the queue is discarded', async ({
  openUser,
  server,
}) => {
  const carol = await openUser('carol');
  await registerViaUi(carol.page, carol.username);
  await expect(connectionStatus(carol.page)).toHaveText('Online');
  await waitForServiceWorker(carol.page);
  const carolId = (await loginViaApi(server.url, carol.username)).user.id;

  await carol.goOffline();
  await expect(connectionStatus(carol.page)).toHaveText(/^\s*Offline/, { timeout: 30_000 });
  await sendMessage(carol.page, `queued by ${carol.username}`);
  await expect(connectionStatus(carol.page)).toHaveText('Offline — 1 queued');

  const owner = await loginViaApi(server.url, server.owner.user.username);
  const banned = await fetch(new URL('/api/moderation/ban', server.url), {
    method: 'POST',
    headers: { authorization: `Bearer ${owner.accessToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ userId: carolId }),
  });
  expect(banned.status).toBe(204);
  // Offline, no refresh can succeed: wait until the token the app holds has expired.
  const expiry = await storedTokenExpiry(carol.page);
  await expect.poll(() => Date.now() > expiry, { timeout: 10_000 }).toBe(true);

  const refreshes: number[] = [];
  carol.page.on('response', (response) => {
    if (new URL(response.url()).pathname === '/api/auth/refresh') refreshes.push(response.status());
  });
  await carol.goOnline();
  await expect(
    carol.page.getByRole('heading', { name: 'You were banned from Echora' }),
  ).toBeVisible({ timeout: 30_000 });
  await expect(carol.page.getByTestId('discarded')).toHaveText('1 unsent message was discarded.');
  await expect(composer(carol.page)).toHaveCount(0);
  expect(refreshes).toContain(403);
});
