import type { Page } from '@playwright/test';
import { expect, test, type User } from './fixtures/test.ts';
import { messageRow, messageText, openChannel, registerViaUi, sendMessage } from './fixtures/ui.ts';

/*
 * Direct conversations with three people (issue 19). Carol's socket frames
 * and her IndexedDB are searched for what Alice and Bob said to each other.
 */

/** Every text frame the page's sockets receive, from before its first load. */
function recordFrames(page: Page): string[] {
  const frames: string[] = [];
  page.on('websocket', (ws) => {
    ws.on('framereceived', (f) => {
      if (typeof f.payload === 'string') frames.push(f.payload);
    });
  });
  return frames;
}

/** Everything the page's replica holds, as text. */
function replicaText(page: Page): Promise<string> {
  return page.evaluate(
    () =>
      new Promise<string>((resolve, reject) => {
        const open = indexedDB.open('echora');
        open.onerror = () => reject(new Error('cannot open the replica'));
        open.onsuccess = () => {
          const db = open.result;
          const names = [...db.objectStoreNames];
          const tx = db.transaction(names, 'readonly');
          const parts: unknown[] = [];
          for (const name of names) {
            const req = tx.objectStore(name).getAll();
            req.onsuccess = () => parts.push(req.result);
          }
          tx.oncomplete = () => resolve(JSON.stringify(parts));
        };
      }),
  );
}

const dmEntry = (page: Page, label: string) =>
  page.getByTestId('dm-section').getByRole('button', { name: new RegExp(label) });

const dmComposer = (page: Page, label: string) =>
  page.getByRole('textbox', { name: `Message @${label}` });

/** Opens `other`'s card from their message in #general and starts a conversation. */
async function messageFromCard(page: Page, other: User, theirText: string): Promise<void> {
  await messageRow(page, theirText)
    .getByRole('button', { name: other.username, exact: true })
    .click();
  await page
    .getByRole('dialog', { name: other.username })
    .getByRole('button', { name: 'Message' })
    .click();
  await expect(dmComposer(page, other.username)).toBeVisible();
}

async function sendDm(page: Page, label: string, text: string): Promise<void> {
  const box = dmComposer(page, label);
  await box.click();
  await box.fill(text);
  await box.press('Enter');
  await expect(box).toHaveValue('');
}

test('Alice DMs Bob and Carol never receives a byte of it; a group of three loses Carol when she leaves', async ({
  openUser,
}) => {
  test.setTimeout(240_000);
  const alice = await openUser('alice');
  const bob = await openUser('bob');
  const carol = await openUser('carol');
  const carolFrames = recordFrames(carol.page);
  await registerViaUi(alice.page, alice.username);
  await registerViaUi(bob.page, bob.username);
  await registerViaUi(carol.page, carol.username);

  const hello = `hi from ${bob.username}`;
  await sendMessage(bob.page, hello);
  await expect(messageText(alice.page, hello)).toBeVisible();

  const secret = `tangerine-${Date.now().toString(36)}`;
  await test.step('Alice starts a DM from Bob’s card; Bob sees it in his sidebar', async () => {
    await messageFromCard(alice.page, bob, hello);
    await sendDm(alice.page, bob.username, secret);
    await dmEntry(bob.page, alice.username).click();
    await expect(messageText(bob.page, secret)).toBeVisible({ timeout: 15_000 });
    await sendDm(bob.page, alice.username, `${secret} back`);
    await expect(messageText(alice.page, `${secret} back`)).toBeVisible({ timeout: 15_000 });
  });

  await test.step('Carol’s socket and IndexedDB hold nothing of it', async () => {
    // A message everyone sees, sent after: once Carol has it, she has had every frame before it.
    const marker = `marker ${Date.now()}`;
    await openChannel(alice.page, 'general');
    await sendMessage(alice.page, marker);
    await expect(messageText(carol.page, marker)).toBeVisible({ timeout: 15_000 });
    const all = carolFrames.join('\n');
    expect(all).toContain(marker);
    expect(all).not.toContain(secret);
    const stored = await replicaText(carol.page);
    expect(stored).toContain(marker);
    expect(stored).not.toContain(secret);
    await expect(carol.page.getByTestId('dm-item')).toHaveCount(0);
  });

  await test.step('a group of three: Carol leaves and gets nothing after', async () => {
    await alice.page.getByRole('button', { name: 'New group message' }).click();
    const dialog = alice.page.getByRole('dialog', { name: 'New message' });
    await dialog.getByLabel('Group name (optional)').fill('trio');
    await dialog.getByRole('checkbox', { name: bob.username }).check();
    await dialog.getByRole('checkbox', { name: carol.username }).check();
    await dialog.getByRole('button', { name: 'Start' }).click();
    await sendDm(alice.page, 'trio', 'welcome both');
    await dmEntry(carol.page, 'trio').click();
    await expect(messageText(carol.page, 'welcome both')).toBeVisible({ timeout: 15_000 });
    await carol.page.getByRole('button', { name: 'Conversation settings' }).click();
    await carol.page.getByRole('button', { name: 'Leave group' }).click();
    await expect(dmEntry(carol.page, 'trio')).toHaveCount(0, { timeout: 15_000 });
    const after = `after-carol-${Date.now().toString(36)}`;
    await sendDm(alice.page, 'trio', after);
    await dmEntry(bob.page, 'trio').click();
    await expect(messageText(bob.page, after)).toBeVisible({ timeout: 15_000 });
    const marker = `marker2 ${Date.now()}`;
    await openChannel(bob.page, 'general');
    await sendMessage(bob.page, marker);
    await expect(messageText(carol.page, marker)).toBeVisible({ timeout: 15_000 });
    expect(carolFrames.join('\n')).not.toContain(after);
    const stored = await replicaText(carol.page);
    expect(stored).not.toContain(after);
    expect(stored).not.toContain('welcome both');
  });
});

test('a DM started by both sides offline at once becomes one conversation', async ({
  openUser,
}) => {
  test.setTimeout(180_000);
  const alice = await openUser('alice');
  const bob = await openUser('bob');
  await registerViaUi(alice.page, alice.username);
  await registerViaUi(bob.page, bob.username);
  const fromAlice = `hi from ${alice.username}`;
  const fromBob = `hi from ${bob.username}`;
  await sendMessage(alice.page, fromAlice);
  await sendMessage(bob.page, fromBob);
  await expect(messageText(alice.page, fromBob)).toBeVisible({ timeout: 15_000 });
  await expect(messageText(bob.page, fromAlice)).toBeVisible({ timeout: 15_000 });

  await alice.goOffline();
  await bob.goOffline();
  await messageFromCard(alice.page, bob, fromBob);
  await sendDm(alice.page, bob.username, 'offline from alice');
  await messageFromCard(bob.page, alice, fromAlice);
  await sendDm(bob.page, alice.username, 'offline from bob');
  await alice.goOnline();
  await bob.goOnline();

  for (const page of [alice.page, bob.page]) {
    await expect(messageText(page, 'offline from alice')).toBeVisible({ timeout: 30_000 });
    await expect(messageText(page, 'offline from bob')).toBeVisible({ timeout: 30_000 });
    await expect(page.getByTestId('dm-item')).toHaveCount(1);
  }
});
