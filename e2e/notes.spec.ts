import { expect, test } from './fixtures/test.ts';
import {
  cursorOf,
  expectSameDocument,
  notesEditor as editor,
  notesState,
  openNotes,
  reconnectTimeout,
  typeAtEnd,
} from './fixtures/notes.ts';
import { connectionStatus, registerViaUi, waitForServiceWorker } from './fixtures/ui.ts';

test('two people type in the same notes and see each other’s text and cursor', async ({
  openUser,
}) => {
  const alice = await openUser('alice');
  const bob = await openUser('bob');
  await registerViaUi(alice.page, alice.username);
  await registerViaUi(bob.page, bob.username);
  await openNotes(alice.page);
  await openNotes(bob.page);
  await expect(notesState(alice.page)).toHaveText('Live');
  await expect(notesState(bob.page)).toHaveText('Live');

  const fromAlice = `\n# Agenda by ${alice.username}`;
  const fromBob = `\n- item from ${bob.username}`;
  await Promise.all([typeAtEnd(alice.page, fromAlice), typeAtEnd(bob.page, fromBob)]);
  for (const page of [alice.page, bob.page]) {
    await expect(editor(page)).toContainText(`Agenda by ${alice.username}`);
    await expect(editor(page)).toContainText(`item from ${bob.username}`);
  }
  // Each sees the other's cursor, labelled with the name from their own member list.
  await expect(cursorOf(alice.page, bob.username)).toHaveCount(1);
  await expect(cursorOf(bob.page, alice.username)).toHaveCount(1);
  await expectSameDocument(alice.page, bob.page);
});

test('offline edits survive a reload and merge with the other side’s when back online', async ({
  openUser,
}) => {
  const alice = await openUser('alice');
  const bob = await openUser('bob');
  await registerViaUi(alice.page, alice.username);
  await registerViaUi(bob.page, bob.username);
  await waitForServiceWorker(alice.page);
  await openNotes(alice.page);
  await openNotes(bob.page);
  await expect(notesState(alice.page)).toHaveText('Live');

  await alice.goOffline();
  await expect(connectionStatus(alice.page)).toHaveText(/^\s*Offline/, reconnectTimeout);
  await expect(notesState(alice.page)).toHaveText('Offline — edits stay on this device');
  const offline = `\noffline line from ${alice.username}`;
  const online = `\nonline line from ${bob.username}`;
  await typeAtEnd(alice.page, offline);
  await typeAtEnd(bob.page, online);
  await expect(editor(bob.page)).not.toContainText(offline.trim());

  // Still cut: the notes come back from the device's copy.
  await alice.page.reload();
  await openNotes(alice.page);
  await expect(editor(alice.page)).toContainText(offline.trim());
  expect(alice.proxy.isCut).toBe(true);

  await alice.goOnline();
  await expect(notesState(alice.page)).toHaveText('Live', reconnectTimeout);
  for (const page of [alice.page, bob.page]) {
    await expect(editor(page)).toContainText(offline.trim());
    await expect(editor(page)).toContainText(online.trim());
  }
  await expectSameDocument(alice.page, bob.page);
  await alice.page.screenshot({ path: 'test-results/notes-alice.png' });
});
