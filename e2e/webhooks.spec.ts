import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { openSettings, settingsTab } from './fixtures/community.ts';
import { expect, test } from './fixtures/test.ts';
import { loginViaUi, sendMessage } from './fixtures/ui.ts';

// The test's own receiver runs on loopback: the operator allow-list lets the server reach it.
test.use({ serverEnv: { OUTBOUND_ALLOW: '127.0.0.1' } });

test('the owner adds an outgoing webhook; a message reaches the app signed; the delivery log shows it', async ({
  openUser,
  server,
}) => {
  const got: { headers: IncomingHttpHeaders; body: string }[] = [];
  const receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      got.push({ headers: req.headers, body: Buffer.concat(chunks).toString() });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const port = (receiver.address() as AddressInfo).port;
  try {
    const owner = await openUser('owner');
    await loginViaUi(owner.page, server.owner.user.username);
    const settings = await openSettings(owner.page);
    await settingsTab(settings, 'Webhooks');
    await settings.getByLabel('Name').fill('deploy bot');
    await settings.getByLabel('URL').fill(`http://127.0.0.1:${port}/hook`);
    await settings.getByRole('button', { name: 'Add webhook' }).click();
    const secret = await settings.getByLabel(/Signing secret of/).inputValue();
    expect(secret).toMatch(/^whsec_/);
    await settings.getByRole('button', { name: 'Close settings' }).click();

    await sendMessage(owner.page, 'shipped v2');
    // The delivery worker polls its queue: wait for the receiver, not for a clock.
    await expect.poll(() => got.length, { timeout: 15_000 }).toBe(1);
    const [delivery] = got;
    const body = delivery?.body ?? '';
    const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(String(delivery?.headers['echora-signature']));
    expect(match).not.toBeNull();
    const expected = createHmac('sha256', secret).update(`${match?.[1]}.${body}`).digest('hex');
    expect(match?.[2]).toBe(expected);
    expect(JSON.parse(body)).toMatchObject({
      event: 'message.created',
      data: { message: { content: 'shipped v2' } },
    });

    const again = await openSettings(owner.page);
    await settingsTab(again, 'Webhooks');
    await again.getByRole('button', { name: 'Deliveries' }).click();
    const log = again.getByRole('list', { name: 'Deliveries of deploy bot, newest first' });
    await expect(log.getByRole('listitem')).toHaveCount(1);
    await expect(log.getByRole('listitem')).toContainText('delivered');
    await expect(log.getByRole('listitem')).toContainText('HTTP 204');
    await owner.page.screenshot({ path: test.info().outputPath('webhooks-tab.png') });
  } finally {
    receiver.closeAllConnections();
    await new Promise((resolve) => receiver.close(resolve));
  }
});
