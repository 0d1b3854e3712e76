import { seriousAxeViolations } from './fixtures/axe.ts';
import { expect, test } from './fixtures/test.ts';
import { composer, registerViaUi } from './fixtures/ui.ts';

test('axe finds no serious or critical violation on the login view', async ({ openUser }) => {
  const alice = await openUser('alice');
  await alice.page.goto('/');
  await expect(alice.page.getByRole('button', { name: 'Create account' })).toBeVisible();
  expect(await seriousAxeViolations(alice.page)).toEqual([]);
});

test('axe finds no serious or critical violation on the main view', async ({ openUser }) => {
  const alice = await openUser('alice');
  await registerViaUi(alice.page, alice.username);
  await expect(composer(alice.page)).toBeVisible();
  expect(await seriousAxeViolations(alice.page)).toEqual([]);
});
