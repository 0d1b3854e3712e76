import { loginViaApi, testPassword, uniqueName } from './fixtures/api.ts';
import { seriousAxeViolations } from './fixtures/axe.ts';
import {
  channelEntry,
  createInviteViaUi,
  memberEntry,
  openMemberCard,
  openSettings,
  settingsTab,
} from './fixtures/community.ts';
import { SyncClient } from './fixtures/sync-client.ts';
import { expect, test } from './fixtures/test.ts';
import { uuidv7 } from './fixtures/uuid.ts';
import {
  composer,
  loginViaUi,
  messageRow,
  messageText,
  registerViaUi,
  sendMessage,
} from './fixtures/ui.ts';

test('the owner makes Bob a moderator; Bob times Carol out; her composer counts down and a forged send is refused; the audit log shows it', async ({
  openUser,
  server,
}) => {
  const owner = await openUser('owner');
  const bob = await openUser('bob');
  const carol = await openUser('carol');
  const ownerName = server.owner.user.username;
  await loginViaUi(owner.page, ownerName);
  await registerViaUi(bob.page, bob.username);
  await registerViaUi(carol.page, carol.username);

  // Before any role, Bob may not moderate Carol: no moderation actions on her card.
  const early = await openMemberCard(bob.page, carol.username);
  await expect(early.getByRole('group', { name: `Moderate ${carol.username}` })).toHaveCount(0);
  await early.getByRole('button', { name: 'Close' }).click();

  await test.step('the owner creates "Moderator" with the timeout permission and gives it to Bob', async () => {
    const settings = await openSettings(owner.page);
    await settingsTab(settings, 'Roles');
    await settings.getByLabel('New role name').fill('Moderator');
    await settings.getByRole('button', { name: 'Create role' }).click();
    const editor = settings.getByRole('region', { name: 'Edit role Moderator' });
    const timeoutBit = editor.getByRole('checkbox', { name: 'Time out members' });
    await timeoutBit.check();
    await expect(timeoutBit).toBeChecked();

    await settingsTab(settings, 'Members');
    await settings.getByLabel('Find a member').fill(bob.username);
    const bobsRoles = settings.getByRole('group', { name: `Roles of ${bob.username}` });
    await bobsRoles.getByRole('checkbox', { name: 'Moderator' }).check();
    await expect(bobsRoles.getByRole('checkbox', { name: 'Moderator' })).toBeChecked();
    await settings.getByRole('button', { name: 'Close settings' }).click();
  });

  await test.step('Bob times Carol out for 5 minutes', async () => {
    const card = await openMemberCard(bob.page, carol.username);
    const actions = card.getByRole('group', { name: `Moderate ${carol.username}` });
    // The role reaches Bob through sync; only the permission it grants shows.
    await expect(actions.getByRole('button', { name: 'Time out' })).toBeVisible({
      timeout: 15_000,
    });
    await expect(actions.getByRole('button', { name: 'Kick' })).toHaveCount(0);
    await expect(actions.getByRole('button', { name: 'Ban' })).toHaveCount(0);
    await actions.getByRole('button', { name: 'Time out' }).click();
    await card.getByRole('radio', { name: '5 minutes' }).check();
    await card.getByLabel(/^Reason/).fill('cool off');
    await card.getByRole('button', { name: 'Time out' }).click();
    await expect(card.getByText(/Timed out — [45]:\d\d remaining/)).toBeVisible();
    await card.getByRole('button', { name: 'Close' }).click();
  });

  await test.step("Carol's composer is disabled with a live countdown", async () => {
    await expect(composer(carol.page)).toBeDisabled({ timeout: 15_000 });
    const notice = carol.page.getByText(/You are timed out — [45]:\d\d remaining/);
    await expect(notice).toBeVisible();
    const first = await notice.textContent();
    await expect.poll(() => notice.textContent(), { timeout: 5_000 }).not.toBe(first);
  });

  await test.step('a forged send on a raw socket is refused', async () => {
    const session = await loginViaApi(server.url, carol.username);
    const forger = await SyncClient.connect(server.url, session.accessToken);
    try {
      const general = forger.channelNamed('general');
      const answer = await forger.mutate('message.send', {
        id: uuidv7(),
        channelId: general.id,
        content: 'forged while timed out',
      });
      expect(answer.type).toBe('reject');
      expect(answer.type === 'reject' ? answer.error.kind : undefined).toBe('forbidden');
    } finally {
      await forger.close();
    }
    await expect(messageText(bob.page, 'forged while timed out')).toHaveCount(0);
  });

  await test.step('the audit log shows who timed out whom, and why', async () => {
    const settings = await openSettings(owner.page);
    await settingsTab(settings, 'Audit log');
    const log = settings.getByRole('list', { name: 'Audit log entries, newest first' });
    const entry = log
      .getByRole('listitem')
      .filter({ hasText: `${bob.username} timed out ${carol.username}` });
    await expect(entry).toBeVisible();
    await expect(entry).toContainText('for 5 minutes');
    await expect(entry).toContainText('Reason: cool off');
    await settings.getByRole('button', { name: 'Close settings' }).click();

    // A moderator without "view audit log" has no such tab.
    const bobsSettings = await openSettings(bob.page);
    await expect(bobsSettings.getByRole('tab', { name: 'Audit log' })).toHaveCount(0);
    await bobsSettings.getByRole('button', { name: 'Close settings' }).click();
  });

  await test.step('Bob removes the timeout and Carol can send again', async () => {
    const card = await openMemberCard(bob.page, carol.username);
    await card.getByRole('button', { name: 'Remove timeout' }).click();
    await card.getByRole('button', { name: 'Remove timeout' }).click();
    await card.getByRole('button', { name: 'Close' }).click();
    await expect(composer(carol.page)).toBeEnabled({ timeout: 15_000 });
    await expect(carol.page.getByText(/You are timed out/)).toHaveCount(0);
    const text = `back again ${carol.username}`;
    await sendMessage(carol.page, text);
    await expect(messageText(bob.page, text)).toBeVisible();
  });

  await test.step("with manage messages, Bob deletes Carol's message", async () => {
    const text = `back again ${carol.username}`;
    const row = messageRow(bob.page, text);
    await row.hover();
    await expect(row.getByRole('button', { name: 'Delete' })).toHaveCount(0);

    const settings = await openSettings(owner.page);
    await settingsTab(settings, 'Roles');
    await settings.getByRole('button', { name: 'Moderator', exact: true }).click();
    const editor = settings.getByRole('region', { name: 'Edit role Moderator' });
    await editor.getByRole('checkbox', { name: 'Manage messages' }).check();
    await settings.getByRole('button', { name: 'Close settings' }).click();

    await row.hover();
    await row.getByRole('button', { name: 'Delete' }).click({ timeout: 15_000 });
    await bob.page
      .getByRole('dialog', { name: 'Delete message' })
      .getByRole('button', { name: 'Delete' })
      .click();
    await expect(messageText(carol.page, text)).toHaveCount(0);
    await expect(messageText(bob.page, text)).toHaveCount(0);
  });
});

test('a ban deletes the last hour of messages and refuses login and invites with a clear message; unban lets them back', async ({
  openUser,
  server,
}) => {
  const owner = await openUser('owner');
  const dave = await openUser('dave');
  await loginViaUi(owner.page, server.owner.user.username);
  await registerViaUi(dave.page, dave.username);
  const spam = `spam from ${dave.username}`;
  await sendMessage(dave.page, spam);
  await expect(messageText(owner.page, spam)).toBeVisible();

  await test.step("the owner bans Dave from his message's author name", async () => {
    await messageRow(owner.page, spam)
      .getByRole('button', { name: dave.username, exact: true })
      .click();
    const card = owner.page.getByRole('dialog', { name: dave.username });
    await card
      .getByRole('group', { name: `Moderate ${dave.username}` })
      .getByRole('button', { name: 'Ban' })
      .click();
    await card.getByLabel('Delete their messages').selectOption({ label: 'Last hour' });
    await card.getByLabel(/^Reason/).fill('spam');
    expect(await seriousAxeViolations(owner.page)).toEqual([]);
    await card.getByRole('button', { name: 'Ban' }).click();
    await expect(card).toHaveCount(0);
    await expect(messageText(owner.page, spam)).toHaveCount(0);
    await expect(memberEntry(owner.page, dave.username)).toHaveCount(0);
  });

  const invitePath = await test.step('Dave is refused at login and through an invite', async () => {
    const again = await openUser('dave-again');
    await again.page.goto('/');
    await again.page.getByLabel('Username').fill(dave.username);
    await again.page.getByLabel('Password', { exact: true }).fill(testPassword);
    await again.page.getByRole('button', { name: 'Log in' }).click();
    await expect(again.page.getByRole('alert')).toHaveText('You are banned from this community.');

    const settings = await openSettings(owner.page);
    await settingsTab(settings, 'Invites');
    const path = new URL(
      await createInviteViaUi(settings, { maxUses: 'No limit', expiry: '1 hour' }),
    ).pathname;
    await again.page.goto(path);
    await again.page.getByLabel('Username').fill(dave.username);
    await again.page.getByLabel('Password', { exact: true }).fill(testPassword);
    await again.page.getByRole('button', { name: 'Log in' }).click();
    await expect(again.page.getByRole('alert')).toHaveText('You are banned from this community.');

    await settingsTab(settings, 'Bans');
    const ban = settings.getByRole('listitem').filter({ hasText: dave.username });
    await expect(ban).toContainText('spam');
    expect(await seriousAxeViolations(owner.page)).toEqual([]);
    await ban.getByRole('button', { name: `Unban ${dave.username}` }).click();
    await ban.getByRole('button', { name: 'Unban', exact: true }).click();
    await expect(ban).toHaveCount(0);
    await settings.getByRole('button', { name: 'Close settings' }).click();
    return { path, again };
  });

  await test.step('unbanned, Dave joins again through the invite', async () => {
    const { path, again } = invitePath;
    await again.page.goto(path);
    await again.page.getByLabel('Username').fill(dave.username);
    await again.page.getByLabel('Password', { exact: true }).fill(testPassword);
    await again.page.getByRole('button', { name: 'Log in' }).click();
    await expect(composer(again.page)).toBeVisible({ timeout: 30_000 });
    await expect(memberEntry(owner.page, dave.username)).toBeVisible();
  });
});

test('"Make private" hides a channel from everyone but the chosen role, at once', async ({
  openUser,
  server,
}) => {
  const owner = await openUser('owner');
  const bob = await openUser('bob');
  const carol = await openUser('carol');
  await loginViaUi(owner.page, server.owner.user.username);
  await registerViaUi(bob.page, bob.username);
  await registerViaUi(carol.page, carol.username);
  const channel = uniqueName('secret');
  const role = uniqueName('insiders');

  await owner.page.getByRole('button', { name: 'Create text channel' }).click();
  await owner.page.getByLabel('Channel name').fill(channel);
  await owner.page.getByRole('button', { name: 'Create channel' }).click();
  await expect(channelEntry(carol.page, channel)).toBeVisible();

  const settings = await openSettings(owner.page);
  await settingsTab(settings, 'Roles');
  await settings.getByLabel('New role name').fill(role);
  await settings.getByRole('button', { name: 'Create role' }).click();
  await settingsTab(settings, 'Members');
  await settings.getByLabel('Find a member').fill(bob.username);
  await settings
    .getByRole('group', { name: `Roles of ${bob.username}` })
    .getByRole('checkbox', { name: role })
    .check();
  await settings.getByRole('button', { name: 'Close settings' }).click();

  await owner.page
    .getByRole('group', { name: `#${channel}` })
    .getByRole('button', { name: 'Edit channel' })
    .click();
  await owner.page.getByRole('button', { name: 'Permissions' }).click();
  const editor = owner.page.getByRole('dialog', { name: `Permissions of #${channel}` });
  await editor.getByLabel('Role allowed to see it').selectOption({ label: role });
  await editor.getByRole('button', { name: 'Make private' }).click();
  await expect(editor.getByRole('button', { name: 'Make public' })).toBeVisible();
  // The override editor shows @everyone's view denied.
  await expect(
    editor.getByRole('radiogroup', { name: 'View channels for @everyone' }).getByLabel('Deny'),
  ).toBeChecked();
  expect(await seriousAxeViolations(owner.page)).toEqual([]);
  await editor.getByRole('button', { name: 'Done' }).click();

  await expect(channelEntry(carol.page, channel)).toHaveCount(0, { timeout: 15_000 });
  await expect(channelEntry(bob.page, channel)).toBeVisible();
});

test('a 60-second timeout ends on its own: the countdown runs out and the composer comes back', async ({
  openUser,
  server,
}) => {
  // A real minute of waiting on top of the usual steps.
  test.setTimeout(200_000);
  const owner = await openUser('owner');
  const erin = await openUser('erin');
  await loginViaUi(owner.page, server.owner.user.username);
  await registerViaUi(erin.page, erin.username);

  const card = await openMemberCard(owner.page, erin.username);
  await card.getByRole('button', { name: 'Time out' }).click();
  await card.getByRole('radio', { name: '60 seconds' }).check();
  await card.getByRole('button', { name: 'Time out' }).click();
  await card.getByRole('button', { name: 'Close' }).click();

  await expect(composer(erin.page)).toBeDisabled({ timeout: 15_000 });
  await expect(erin.page.getByText(/You are timed out — (1:00|0:[0-5]\d) remaining/)).toBeVisible();
  // Nobody lifts it: the client's own clock re-enables the composer when it ends.
  await expect(composer(erin.page)).toBeEnabled({ timeout: 75_000 });
  await expect(erin.page.getByText(/You are timed out/)).toHaveCount(0);
  const text = `free again ${erin.username}`;
  await sendMessage(erin.page, text);
  await expect(messageText(owner.page, text)).toBeVisible();
});

test('roles are renamed, recoloured, reordered and deleted; a manager cannot touch roles at or above their own', async ({
  openUser,
  server,
}) => {
  const owner = await openUser('owner');
  const bob = await openUser('bob');
  await loginViaUi(owner.page, server.owner.user.username);
  await registerViaUi(bob.page, bob.username);
  const alpha = uniqueName('alpha');
  const beta = uniqueName('beta');
  const gamma = uniqueName('gamma');

  const settings = await openSettings(owner.page);
  await settingsTab(settings, 'Roles');
  for (const name of [alpha, beta]) {
    await settings.getByLabel('New role name').fill(name);
    await settings.getByRole('button', { name: 'Create role' }).click();
  }
  const list = settings.getByRole('list', { name: 'Roles, most senior first' });
  const order = async () =>
    (await list.getByRole('button').allTextContents())
      .map((t) => t.trim())
      .filter((t) => t === alpha || t === beta || t === gamma);
  // A new role starts lowest, just above @everyone.
  await expect.poll(order).toEqual([alpha, beta]);

  await list.getByRole('button', { name: beta }).click();
  let editor = settings.getByRole('region', { name: `Edit role ${beta}` });
  await editor.getByRole('button', { name: 'Move up' }).click();
  await expect.poll(order).toEqual([beta, alpha]);

  await editor.getByLabel('Role name').fill(gamma);
  await editor.getByRole('button', { name: 'Rename' }).click();
  editor = settings.getByRole('region', { name: `Edit role ${gamma}` });
  await expect(editor).toBeVisible();
  await editor.getByRole('radio', { name: 'Red' }).check();
  await expect(editor.getByRole('radio', { name: 'Red' })).toBeChecked();
  await editor.getByRole('checkbox', { name: 'Manage roles' }).check();
  await expect.poll(order).toEqual([gamma, alpha]);

  await list.getByRole('button', { name: alpha }).click();
  await settings.getByRole('button', { name: 'Delete role…' }).click();
  await settings.getByRole('button', { name: 'Delete role', exact: true }).click();
  await expect.poll(order).toEqual([gamma]);

  // Bob gets gamma (manage roles): he may create roles below it, not edit gamma itself.
  await settingsTab(settings, 'Members');
  await settings.getByLabel('Find a member').fill(bob.username);
  await settings
    .getByRole('group', { name: `Roles of ${bob.username}` })
    .getByRole('checkbox', { name: gamma })
    .check();

  const bobs = await openSettings(bob.page);
  await settingsTab(bobs, 'Roles');
  await bobs
    .getByRole('list', { name: 'Roles, most senior first' })
    .getByRole('button', { name: gamma })
    .click();
  const own = bobs.getByRole('region', { name: `Edit role ${gamma}` });
  await expect(own.getByText('at or above your highest role')).toBeVisible();
  await expect(own.getByLabel('Role name')).toBeDisabled();
  await expect(own.getByRole('checkbox', { name: 'Manage roles' })).toBeDisabled();
  await expect(own.getByRole('button', { name: 'Delete role…' })).toHaveCount(0);

  const junior = uniqueName('junior');
  await bobs.getByLabel('New role name').fill(junior);
  await bobs.getByRole('button', { name: 'Create role' }).click();
  const juniorEditor = bobs.getByRole('region', { name: `Edit role ${junior}` });
  await expect(juniorEditor.getByLabel('Role name')).toBeEnabled();
  // Bits Bob does not hold himself stay out of reach.
  await expect(juniorEditor.getByRole('checkbox', { name: 'Administrator' })).toBeDisabled();
  await expect(juniorEditor.getByRole('checkbox', { name: 'Manage messages' })).toBeDisabled();
  await expect(juniorEditor.getByRole('checkbox', { name: 'Send messages' })).toBeEnabled();
  expect(await seriousAxeViolations(bob.page)).toEqual([]);
  await bobs.getByRole('button', { name: 'Close settings' }).click();

  // Managing roles but not channels: a channel's overrides, not its name or place.
  const tools = bob.page.getByRole('group', { name: '#general', exact: true });
  await expect(tools.getByRole('button', { name: 'Edit channel' })).toHaveCount(0);
  await tools.getByRole('button', { name: 'Channel permissions' }).click();
  const editor2 = bob.page.getByRole('dialog', { name: 'Permissions of #general' });
  await expect(editor2.getByLabel('Role or member')).toBeVisible();
  await editor2.getByRole('button', { name: 'Done' }).click();
});

test('a kick removes the member at once; with open registration they can log back in', async ({
  openUser,
  server,
}) => {
  const owner = await openUser('owner');
  const finn = await openUser('finn');
  await loginViaUi(owner.page, server.owner.user.username);
  await registerViaUi(finn.page, finn.username);

  const card = await openMemberCard(owner.page, finn.username);
  await card.getByRole('button', { name: 'Kick' }).click();
  await card.getByLabel(/^Reason/).fill('testing kicks');
  await card.getByRole('button', { name: 'Kick' }).click();
  await expect(memberEntry(owner.page, finn.username)).toHaveCount(0);

  const settings = await openSettings(owner.page);
  await settingsTab(settings, 'Audit log');
  // Finn's member row is gone, so the entry names him only if the server logged his name.
  await expect(
    settings.getByRole('listitem').filter({ hasText: 'Reason: testing kicks' }),
  ).toContainText(new RegExp(`kicked (${finn.username}|a former member)`));
  await settings.getByRole('button', { name: 'Close settings' }).click();

  const back = await openUser('finn-back');
  await loginViaUi(back.page, finn.username);
  await expect(memberEntry(owner.page, finn.username)).toBeVisible();
});

test('the audit log pages back through older entries', async ({ openUser, server }) => {
  const owner = await openUser('owner');
  const session = await loginViaApi(server.url, server.owner.user.username);
  // 55 audited actions, made fast through the API.
  const codes: string[] = [];
  for (let i = 0; i < 55; i++) {
    const response = await fetch(new URL('/api/invites', server.url), {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${session.accessToken}`,
      },
      body: JSON.stringify({ maxUses: 1 }),
    });
    expect(response.status).toBe(201);
    codes.push(((await response.json()) as { code: string }).code);
  }
  await loginViaUi(owner.page, server.owner.user.username);
  const settings = await openSettings(owner.page);
  await settingsTab(settings, 'Audit log');
  const entries = settings
    .getByRole('list', { name: 'Audit log entries, newest first' })
    .getByRole('listitem');
  await expect(entries).toHaveCount(50);
  await settings.getByRole('button', { name: 'Load older' }).click();
  await expect.poll(() => entries.count()).toBeGreaterThanOrEqual(55);
  // Both pages together hold each of the 55 entries exactly once.
  const texts = await entries.allTextContents();
  for (const code of codes) {
    expect(texts.filter((t) => t.includes(`created the invite ${code}`)).length, code).toBe(1);
  }
});
