import { loginViaApi, testPassword, uniqueName } from './fixtures/api.ts';
import { seriousAxeViolations } from './fixtures/axe.ts';
import { createInviteViaUi, openSettings, settingsTab } from './fixtures/community.ts';
import { expect, test } from './fixtures/test.ts';
import { composer, loginViaUi } from './fixtures/ui.ts';

// A server of its own: these tests switch the community to invite-only.
test.use({ serverEnv: { REGISTRATION: 'open' } });

interface InviteRow {
  code: string;
  expiresAt: string | null;
}

/** An invite expiring a minute from now, made before the other tests so its wait overlaps them. */
let expiring: InviteRow;

test.beforeAll(async ({ server }) => {
  const owner = await loginViaApi(server.url, server.owner.user.username);
  const response = await fetch(new URL('/api/invites', server.url), {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${owner.accessToken}` },
    body: JSON.stringify({ expiresInMinutes: 1 }),
  });
  expect(response.status).toBe(201);
  expiring = (await response.json()) as InviteRow;
});

/** Registers through the API with an invite and returns the status and error message. */
async function registerWithInvite(baseURL: string, invite: string) {
  const response = await fetch(new URL('/api/auth/register', baseURL), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: uniqueName('late'), password: testPassword, invite }),
  });
  const body = (await response.json()) as { error?: { kind: string; message: string } };
  return { status: response.status, error: body.error };
}

test('an invite with one use admits the first person and refuses the second with a clear message', async ({
  openUser,
  server,
}) => {
  const owner = await openUser('owner');
  const dave = await openUser('dave');
  const erin = await openUser('erin');
  await loginViaUi(owner.page, server.owner.user.username);

  const settings = await openSettings(owner.page);
  await settingsTab(settings, 'Invites');
  const link = await createInviteViaUi(settings, { maxUses: '1 use', expiry: '1 day' });
  const path = new URL(link).pathname;

  // Both open the link while it is still unused.
  await dave.page.goto(path);
  await erin.page.goto(path);
  await expect(dave.page.getByRole('heading', { name: /^Join / })).toBeVisible();
  await expect(erin.page.getByRole('heading', { name: /^Join / })).toBeVisible();
  expect(await seriousAxeViolations(dave.page)).toEqual([]);

  await dave.page.getByLabel('Username').fill(dave.username);
  await dave.page.getByLabel('Password', { exact: true }).fill(testPassword);
  await dave.page.getByRole('button', { name: 'Create account' }).click();
  await expect(composer(dave.page)).toBeVisible({ timeout: 30_000 });
  await expect(dave.page).toHaveURL(/\/$/);

  // Erin's page still offers the form, but the server refuses the used-up invite.
  await erin.page.getByLabel('Username').fill(erin.username);
  await erin.page.getByLabel('Password', { exact: true }).fill(testPassword);
  await erin.page.getByRole('button', { name: 'Create account' }).click();
  await expect(erin.page.getByRole('alert')).toHaveText('This invite has been used up.');
  await expect(composer(erin.page)).toHaveCount(0);

  // Opened afresh, the page says so before anyone types.
  await erin.page.reload();
  await expect(erin.page.getByRole('alert')).toHaveText('This invite has been used up.');
  expect(await seriousAxeViolations(erin.page)).toEqual([]);
  await expect(erin.page.getByRole('button', { name: 'Create account' })).toHaveCount(0);

  // The owner's list counts the use.
  await settingsTab(settings, 'Overview');
  await settingsTab(settings, 'Invites');
  const code = path.split('/').at(-1) ?? '';
  const row = settings.getByRole('row').filter({ hasText: code });
  await expect(row).toContainText('1 / 1');
  await expect(row).toContainText('used up');
});

test('an expired invite is refused, on its page and by the server', async ({
  openUser,
  server,
}) => {
  const frank = await openUser('frank');
  const expiresAt = Date.parse(expiring.expiresAt ?? '');
  expect(Number.isFinite(expiresAt)).toBe(true);
  // Past its minute (and a little clock slack).
  await frank.page.waitForTimeout(Math.max(0, expiresAt - Date.now() + 1_500));

  await frank.page.goto(`/invite/${expiring.code}`);
  await expect(frank.page.getByRole('alert')).toHaveText('This invite has expired.');
  await expect(frank.page.getByRole('button', { name: 'Create account' })).toHaveCount(0);

  const refused = await registerWithInvite(server.url, expiring.code);
  expect(refused.status).toBe(409);
  expect(refused.error?.message).toBe('This invite has expired.');

  await frank.page.goto('/invite/no-such-code');
  await expect(frank.page.getByRole('alert')).toHaveText('This invite does not exist.');
});

test('invite-only: registering needs an invite; the invite link still works', async ({
  openUser,
  server,
}) => {
  const owner = await openUser('owner');
  const gina = await openUser('gina');
  await loginViaUi(owner.page, server.owner.user.username);
  const settings = await openSettings(owner.page);
  await settingsTab(settings, 'Overview');
  await settings.getByRole('radio', { name: /Only people with an invite/ }).check();
  await settings.getByRole('button', { name: 'Save changes' }).click();
  await expect(owner.page.getByText('Community settings saved.')).toBeVisible();

  try {
    await gina.page.goto('/');
    await gina.page.getByLabel('Username').fill(gina.username);
    await gina.page.getByLabel('Password', { exact: true }).fill(testPassword);
    await gina.page.getByRole('button', { name: 'Create account' }).click();
    await expect(gina.page.getByRole('alert')).toContainText('needs an invite');

    await settingsTab(settings, 'Invites');
    const link = await createInviteViaUi(settings, { maxUses: 'No limit', expiry: '1 hour' });
    await gina.page.goto(new URL(link).pathname);
    await gina.page.getByLabel('Username').fill(gina.username);
    await gina.page.getByLabel('Password', { exact: true }).fill(testPassword);
    await gina.page.getByRole('button', { name: 'Create account' }).click();
    await expect(composer(gina.page)).toBeVisible({ timeout: 30_000 });

    // Revoked, the same link turns the next person away.
    const code = new URL(link).pathname.split('/').at(-1) ?? '';
    await settings.getByRole('button', { name: `Revoke invite ${code}` }).click();
    // The list keeps only invites that can still be revoked.
    await expect(settings.getByRole('row').filter({ hasText: code })).toHaveCount(0);
    const hank = await openUser('hank');
    await hank.page.goto(new URL(link).pathname);
    await expect(hank.page.getByRole('alert')).toHaveText('This invite was revoked.');
  } finally {
    await settingsTab(settings, 'Overview');
    await settings.getByRole('radio', { name: /Anyone can register/ }).check();
    await settings.getByRole('button', { name: 'Save changes' }).click();
  }
});
