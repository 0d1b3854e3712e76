import { SyncClient } from './fixtures/sync-client.ts';
import { scrollUpOnePage, type ScrollRound } from './fixtures/scroll-probe.ts';
import { expect, test } from './fixtures/test.ts';
import { messageText, openChannel, registerViaUi } from './fixtures/ui.ts';

// Seeding 2,000 messages needs more than the default 100 sends per minute; this file
// therefore gets a server of its own, and the other specs keep the default limit.
test.use({ serverEnv: { SEND_RATE_PER_MINUTE: '100000' } });

const total = 2_000;
const label = (n: number): string => `history message ${String(n).padStart(4, '0')}`;
/** How far the first visible message may move when a page of older ones lands. */
const maxJumpPx = 4;

test('scrolling up through 2,000 messages loads older pages without jumps and reaches the first', async ({
  openUser,
  server,
}) => {
  test.setTimeout(180_000);
  // Its own channel, so other tests' messages in #general cannot come first.
  const channel = `history-${Date.now().toString(36)}`;
  const seeder = await SyncClient.connect(server.url, server.owner.accessToken);
  try {
    await seeder.createTextChannel(channel);
    await seeder.waitFor(
      (f) => f.type === 'changes' && [...seeder.channels.values()].some((c) => c.name === channel),
    );
    const ids = await seeder.sendMessages(
      seeder.channelNamed(channel).id,
      Array.from({ length: total }, (_, i) => label(i + 1)),
    );
    expect(ids).toHaveLength(total);
  } finally {
    await seeder.close();
  }

  const alice = await openUser('alice');
  await registerViaUi(alice.page, alice.username);
  await openChannel(alice.page, channel);
  // The list opens at the bottom, on the newest message.
  await expect(messageText(alice.page, label(total))).toBeInViewport();

  const rounds: ScrollRound[] = [];
  while (rounds.length < 60 && rounds.at(-1)?.kind !== 'reached-first') {
    const round = await scrollUpOnePage(alice.page, {
      pattern: '^history message \\d{4}$',
      firstText: label(1),
    });
    rounds.push(round);
    expect(round.kind, `round ${rounds.length}: ${JSON.stringify(round)}`).not.toBe('stuck');
  }

  const measured = rounds.flatMap((r) => (r.kind === 'loaded' ? [r] : []));
  const jumps = measured.filter((r) => r.movedPx === null || r.movedPx > maxJumpPx);
  expect(jumps, 'the first visible message moved when older messages loaded').toEqual([]);
  // ~19 pages of older messages: enough loads must have been seen to mean anything.
  expect(measured.length, JSON.stringify(rounds)).toBeGreaterThanOrEqual(5);

  expect(rounds.at(-1)?.kind, 'reached the first message').toBe('reached-first');
  // And it stays reachable: at the very top of the list, the first message is in view.
  await expect(async () => {
    await alice.page.getByRole('log').evaluate((list) => list.scrollTo({ top: 0 }));
    await expect(messageText(alice.page, label(1))).toBeInViewport({ timeout: 1_000 });
  }).toPass({ timeout: 15_000 });
});
