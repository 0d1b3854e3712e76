import { newId, type DownMessage } from '@echora/shared';
import {
  ProtocolClient,
  startServer,
  type StartServerOptions,
  type TestServer,
} from '@echora/testkit';

/**
 * Starts a real sync-server process (PGlite in a temp dir unless
 * `databaseUrl`); `process` passes Node's arguments and an IPC channel.
 */
export function startEchora(
  env: Record<string, string> = {},
  databaseUrl?: string,
  process: Pick<StartServerOptions, 'args' | 'ipc'> = {},
): Promise<TestServer> {
  return startServer({
    ...process,
    database: databaseUrl === undefined ? 'pglite' : { url: databaseUrl },
    env: {
      // Benchmarks measure throughput, not the abuse limits.
      SEND_RATE_PER_MINUTE: '100000000',
      AUTH_RATE_LIMIT: '1000000',
      // P4 opens 20 sockets of one user (the default allows 10).
      MAX_SOCKETS_PER_USER: '1000',
      ...env,
    },
  });
}

/**
 * Node's arguments for a server that writes a CPU profile (`--cpu-prof`) into
 * `dir` (`bench/cpuprofile-top.ts` sums it); the server's sources run through tsx.
 */
export function cpuProfiled(dir: string): Pick<StartServerOptions, 'args'> {
  return {
    args: ['--cpu-prof', `--cpu-prof-dir=${dir}`, '--import', 'tsx', 'sync-server/src/server.ts'],
  };
}

/** A sync socket that knows the channel ids (`kind:name`) of its first community reset. */
export class SyncClient extends ProtocolClient {
  readonly channels = new Map<string, string>();

  protected override onFrame(frame: DownMessage): void {
    if (frame.type !== 'reset' || frame.scope !== 'community') return;
    for (const c of frame.changes)
      if (c.op === 'upsert' && c.entity === 'channel')
        this.channels.set(`${c.data.kind}:${c.data.name}`, c.data.id);
  }
}

/**
 * Opens an authenticated sync socket and resolves after `synced`; from then
 * on frames go to `onFrame` as text, unparsed.
 */
export async function connect(
  wsUrl: string,
  token: string,
  onFrame?: (raw: string) => void,
): Promise<SyncClient> {
  const client = new SyncClient(wsUrl, {
    clientId: newId(),
    perMessageDeflate: false,
    // A storm of thousands on a loaded machine takes longer than a test's 10 s; the bench times it.
    timeoutMs: 300_000,
    afterSynced: onFrame ?? (() => undefined),
  });
  await client.auth({ token });
  return client.synced();
}

export function sendMessage(client: SyncClient, channelId: string, content: string): number {
  const seq = client.nextSeq++;
  client.ws.send(
    JSON.stringify({
      type: 'mutate',
      seq,
      name: 'message.send',
      args: { id: newId(), channelId, content },
    }),
  );
  return seq;
}
