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

// Two server nodes on one Postgres and one Redis: Alice reaches one, Bob the other.
test.use({ nodeCount: 2 });

test('two people on two nodes edit the notes at once, one offline for a while, and converge', async ({
  openUser,
}) => {
  const alice = await openUser('alice', { node: 0 });
  const bob = await openUser('bob', { node: 1 });
  await registerViaUi(alice.page, alice.username);
  await registerViaUi(bob.page, bob.username);
  await waitForServiceWorker(alice.page);
  await openNotes(alice.page);
  await openNotes(bob.page);
  await expect(notesState(alice.page)).toHaveText('Live');
  await expect(notesState(bob.page)).toHaveText('Live');

  // Both type at once; text and cursors cross the bus both ways.
  const first = { alice: `\nagenda from ${alice.username}`, bob: `\n- point from ${bob.username}` };
  await Promise.all([typeAtEnd(alice.page, first.alice), typeAtEnd(bob.page, first.bob)]);
  for (const page of [alice.page, bob.page]) {
    await expect(editor(page)).toContainText(first.alice.trim());
    await expect(editor(page)).toContainText(first.bob.trim());
  }
  await expect(cursorOf(alice.page, bob.username)).toHaveCount(1);
  await expect(cursorOf(bob.page, alice.username)).toHaveCount(1);
  await expectSameDocument(alice.page, bob.page);

  // Alice's TCP path to her node is cut (her WebSocket with it); both keep editing.
  await alice.goOffline();
  await expect(connectionStatus(alice.page)).toHaveText(/^\s*Offline/, reconnectTimeout);
  await expect(notesState(alice.page)).toHaveText('Offline — edits stay on this device');
  const cut = { alice: `\noffline edit by ${alice.username}`, bob: `\nwhile away ${bob.username}` };
  await Promise.all([typeAtEnd(alice.page, cut.alice), typeAtEnd(bob.page, cut.bob)]);
  await expect(editor(alice.page)).toContainText(cut.alice.trim());
  await expect(editor(bob.page)).toContainText(cut.bob.trim());
  await expect(editor(bob.page)).not.toContainText(cut.alice.trim());
  await expect(editor(alice.page)).not.toContainText(cut.bob.trim());

  // A reload while still cut opens the device's copy, offline edits included.
  await alice.page.reload();
  await openNotes(alice.page);
  await expect(editor(alice.page)).toContainText(cut.alice.trim());
  await expect(editor(alice.page)).toContainText(first.bob.trim());
  expect(alice.proxy.isCut).toBe(true);

  await alice.goOnline();
  await expect(notesState(alice.page)).toHaveText('Live', reconnectTimeout);
  for (const page of [alice.page, bob.page]) {
    for (const text of [first.alice, first.bob, cut.alice, cut.bob]) {
      await expect(editor(page)).toContainText(text.trim());
    }
  }
  await expectSameDocument(alice.page, bob.page);

  // Live again both ways after the reconnect: typing at once, cursors included.
  const after = { alice: `\nback ${alice.username}`, bob: `\nwelcome ${bob.username}` };
  await Promise.all([typeAtEnd(alice.page, after.alice), typeAtEnd(bob.page, after.bob)]);
  for (const page of [alice.page, bob.page]) {
    await expect(editor(page)).toContainText(after.alice.trim());
    await expect(editor(page)).toContainText(after.bob.trim());
  }
  await expect(cursorOf(alice.page, bob.username)).toHaveCount(1);
  await expect(cursorOf(bob.page, alice.username)).toHaveCount(1);
  await expectSameDocument(alice.page, bob.page);
});
