/**
 * A graceful restart, on a real server process: SIGTERM sends every sync
 * socket away with `goingAway` (clients reconnect at once, elsewhere), turns
 * away new ones, and `/readyz` answers 503 for the drain period while
 * `/healthz` still says the process is alive.
 */
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloseCode } from '@echora/shared';
import { SyncClient } from '../helpers/sync-client.ts';
import { nodeEnv } from './processes.ts';
import { register, startServer, type TestServer } from '@echora/testkit';

describe('draining a node for a restart', () => {
  let node: TestServer;
  let dataDir = '';

  beforeAll(async () => {
    // Long enough that the test, not the timer, ends the drain.
    const env = nodeEnv({ SHUTDOWN_DRAIN_MS: '60000' });
    dataDir = env.DATA_DIR ?? '';
    node = await startServer({ env });
  }, 120_000);

  afterAll(async () => {
    await node?.kill();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('sends sockets away, refuses new ones and says not ready, while still alive', async () => {
    const { accessToken: token } = await register(node.url, 'stayer');
    const client = await (await SyncClient.connect(node.url, { token })).synced();
    expect((await fetch(`${node.url}/readyz`)).status).toBe(200);

    node.child.kill('SIGTERM');
    expect(await client.closed).toMatchObject({ code: CloseCode.goingAway });
    const ready = await fetch(`${node.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(((await ready.json()) as { error: { kind: string } }).error.kind).toBe('unavailable');
    expect((await fetch(`${node.url}/healthz`)).status).toBe(200);

    const late = await SyncClient.connect(node.url, { token });
    expect(await late.closed).toMatchObject({ code: CloseCode.goingAway });
  });
});
