import type { Page, Response } from '@playwright/test';
import { testPassword } from './fixtures/api.ts';
import { expect, test } from './fixtures/test.ts';
import { composer, messageText, registerViaUi, sendMessage } from './fixtures/ui.ts';

/*
 * Access tokens of 4 s are refreshed every 2 s, so a minute here holds the
 * refresh cycles of several hours at the default 15 minutes. Refresh tokens
 * of 30 s: a session outlives them only by rotating them.
 */
test.use({ serverEnv: { ACCESS_TTL_SECONDS: '4', REFRESH_TTL_SECONDS: '30' } });

const CYCLES = 30;

/** Records every answer to `POST /api/auth/refresh` a page receives. */
function watchRefreshes(page: Page, tab: string, into: { tab: string; status: number }[]): void {
  page.on('response', (response: Response) => {
    if (new URL(response.url()).pathname === '/api/auth/refresh') {
      into.push({ tab, status: response.status() });
    }
  });
}

/** The session a page keeps in IndexedDB (the replica's kv row "session"). */
function storedSession(page: Page): Promise<Record<string, unknown> | null> {
  return page.evaluate(
    () =>
      new Promise<Record<string, unknown> | null>((resolve, reject) => {
        const open = indexedDB.open('echora');
        open.onerror = () => reject(new Error('cannot open the replica'));
        open.onsuccess = () => {
          const read = open.result.transaction('kv').objectStore('kv').get('session');
          read.onsuccess = () => {
            const row = read.result as { value?: Record<string, unknown> } | undefined;
            open.result.close();
            resolve(row?.value ?? null);
          };
          read.onerror = () => reject(new Error('cannot read the session'));
        };
      }),
  );
}

test('two tabs stay signed in through many token expiries; the server never sees a reused token', async ({
  openUser,
  server,
}) => {
  test.setTimeout(240_000);
  const alice = await openUser('alice');
  const refreshes: { tab: string; status: number }[] = [];
  const tabA = alice.page;
  watchRefreshes(tabA, 'A', refreshes);
  await registerViaUi(tabA, alice.username);
  // The second tab of the same browser: same cookie jar, same IndexedDB.
  const tabB = await alice.context.newPage();
  watchRefreshes(tabB, 'B', refreshes);
  await tabB.goto('/');
  await expect(composer(tabB)).toBeVisible({ timeout: 30_000 });

  const byTab = (tab: string) => refreshes.filter((r) => r.tab === tab).length;
  const summary = () =>
    `refreshes: A ${byTab('A')}, B ${byTab('B')}; statuses ${refreshes.map((r) => r.status).join(',')}`;
  // Waits for the cycles, or stops at the first refused refresh (a session ended).
  const progress = () => {
    if (refreshes.some((r) => r.status !== 200)) return 'refused';
    return refreshes.length >= CYCLES ? 'done' : 'running';
  };
  await expect
    .poll(progress, { message: `${CYCLES} refreshes`, timeout: 200_000, intervals: [1_000] })
    .not.toBe('running');
  expect(progress(), summary()).toBe('done');
  expect(server.warnings().filter((line) => line.includes('refresh token reused'))).toEqual([]);
  // The browser never holds its refresh token where a script could read it.
  const stored = await storedSession(tabA);
  expect(stored).toMatchObject({ user: { username: alice.username } });
  expect(stored).not.toHaveProperty('refreshToken');

  // Both tabs are still signed in with working tokens: their sockets, cut and
  // reconnected, authenticate again, and each tab's message reaches the other.
  await alice.goOffline();
  await alice.goOnline();
  const fromA = `from tab A ${alice.username}`;
  const fromB = `from tab B ${alice.username}`;
  await sendMessage(tabA, fromA);
  await sendMessage(tabB, fromB);
  await expect(messageText(tabB, fromA)).toBeVisible({ timeout: 20_000 });
  await expect(messageText(tabA, fromB)).toBeVisible({ timeout: 20_000 });
  await expect(tabA.getByRole('button', { name: 'Log in' })).toHaveCount(0);
  await expect(tabB.getByRole('button', { name: 'Log in' })).toHaveCount(0);
});

test('a session stored with its refresh token by an older version moves to the cookie', async ({
  openUser,
  server,
}) => {
  const bob = await openUser('bob');
  const refreshes: { tab: string; status: number }[] = [];
  watchRefreshes(bob.page, 'bob', refreshes);
  // A session as older versions kept it: the refresh token in IndexedDB, no cookie.
  const legacy = await fetch(new URL('/api/auth/register', server.url), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: bob.username, password: testPassword, tokenDelivery: 'body' }),
  }).then((r) => r.json() as Promise<Record<string, unknown>>);
  expect(legacy.refreshToken).toEqual(expect.any(String));
  await bob.page.goto('/');
  await expect(bob.page.getByRole('button', { name: 'Log in' })).toBeVisible();
  await bob.page.evaluate(
    (value) =>
      new Promise<void>((resolve, reject) => {
        const open = indexedDB.open('echora');
        open.onsuccess = () => {
          const tx = open.result.transaction('kv', 'readwrite');
          tx.objectStore('kv').put({ key: 'session', value });
          tx.oncomplete = () => {
            open.result.close();
            resolve();
          };
          tx.onerror = () => reject(new Error('cannot write the session'));
        };
      }),
    legacy,
  );
  await bob.page.reload();
  await expect(composer(bob.page)).toBeVisible({ timeout: 30_000 });
  // The stored token is traded once for the cookie, then forgotten...
  await expect.poll(async () => storedSession(bob.page)).not.toHaveProperty('refreshToken');
  expect(refreshes[0]).toEqual({ tab: 'bob', status: 200 });
  // ...and the cookie carries the session on: more refreshes, all accepted.
  await expect.poll(() => refreshes.length, { timeout: 30_000 }).toBeGreaterThanOrEqual(3);
  expect(refreshes.every((r) => r.status === 200)).toBe(true);
  expect(server.warnings().filter((line) => line.includes('refresh token reused'))).toEqual([]);
});
