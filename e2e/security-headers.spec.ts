import type { Page } from '@playwright/test';
import { expect, test } from './fixtures/test.ts';
import {
  composer,
  messageText,
  registerViaUi,
  sendMessage,
  waitForServiceWorker,
} from './fixtures/ui.ts';

/**
 * Collects every CSP violation the page reports, from its first script on:
 * the `securitypolicyviolation` events and the console's CSP errors.
 */
async function watchCsp(page: Page): Promise<() => Promise<string[]>> {
  await page.addInitScript(() => {
    const seen: string[] = [];
    (window as unknown as { cspViolations: string[] }).cspViolations = seen;
    document.addEventListener('securitypolicyviolation', (event) => {
      seen.push(
        `${event.violatedDirective} ${event.blockedURI} ${event.sourceFile}:${event.lineNumber}`,
      );
    });
  });
  const logged: string[] = [];
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) logged.push(message.text());
  });
  return async () => [
    ...(await page.evaluate(
      () => (window as unknown as { cspViolations: string[] }).cspViolations,
    )),
    ...logged,
  ];
}

test('the built app runs under its CSP: sign-in, chat and the service worker break no rule', async ({
  openUser,
}) => {
  const alice = await openUser('alice');
  const bob = await openUser('bob');
  const aliceViolations = await watchCsp(alice.page);
  const bobViolations = await watchCsp(bob.page);

  const page = await alice.page.goto('/');
  const headers = page?.headers() ?? {};
  const csp = headers['content-security-policy'] ?? '';
  expect(csp).toContain("script-src 'self'");
  expect(csp).toContain("frame-ancestors 'none'");
  expect(csp).toContain("object-src 'none'");
  expect(csp).not.toContain('unsafe-inline');
  expect(headers['x-content-type-options']).toBe('nosniff');
  expect(headers['referrer-policy']).toBe('no-referrer');
  expect(headers['permissions-policy']).toContain('microphone=(self)');

  await registerViaUi(alice.page, alice.username);
  await registerViaUi(bob.page, bob.username);
  const hello = `Under a strict CSP ${alice.username}`;
  await sendMessage(alice.page, hello);
  await expect(messageText(bob.page, hello)).toBeVisible({ timeout: 15_000 });
  const reply = `**Bold** and \`code\` from ${bob.username}`;
  await sendMessage(bob.page, reply);
  await expect(alice.page.getByText(`from ${bob.username}`)).toBeVisible({ timeout: 15_000 });
  await waitForServiceWorker(alice.page);
  // A reload under the service worker serves the same shell, under the same rules.
  await alice.page.reload();
  await expect(composer(alice.page)).toBeVisible({ timeout: 30_000 });

  expect(await aliceViolations()).toEqual([]);
  expect(await bobViolations()).toEqual([]);
});
