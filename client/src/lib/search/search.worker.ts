/// <reference lib="webworker" />
import { parseQuery } from '@echora/shared';
import { createReplica, type Replica } from '../../sync/replica.ts';
import { DeviceIndex, type SearchNames } from './device-index.ts';
import { ReplicaFollower } from './follow-replica.ts';
import type { FromSearchWorker, ToSearchWorker } from './worker-protocol.ts';

/*
 * The device search index lives here, off the main thread, so indexing and
 * querying never make typing stutter. It opens the replica itself and follows
 * its writes (Dexie tells every context of the origin which keys each write
 * touched): only those rows are read again, so deleted messages and purged
 * (revoked) channels leave the index with them.
 */

const scope = self as unknown as DedicatedWorkerGlobalScope;
const index = new DeviceIndex();
let replica: Replica | undefined;
let follower: ReplicaFollower | undefined;
let markReady: () => void = () => undefined;
const ready = new Promise<void>((resolve) => (markReady = resolve));

function post(message: FromSearchWorker): void {
  scope.postMessage(message);
}

function open(name: string): void {
  follower?.stop();
  replica = createReplica(name);
  follower = new ReplicaFollower(replica, index, (size) => post({ type: 'indexed', size }));
  void follower.start().then(markReady);
}

async function names(db: Replica): Promise<SearchNames> {
  const [members, channels] = await Promise.all([db.members.toArray(), db.channels.toArray()]);
  const result: SearchNames = { users: {}, channels: {} };
  for (const m of members) result.users[m.username.toLowerCase()] = m.id;
  for (const c of channels) {
    const key = c.name.toLowerCase();
    result.channels[key] = [...(result.channels[key] ?? []), c.id];
  }
  return result;
}

async function search(requestId: number, q: string): Promise<void> {
  const parsed = parseQuery(q);
  if (!parsed.ok) return post({ type: 'error', requestId, message: parsed.error });
  await ready;
  if (!replica) return post({ type: 'results', requestId, hits: [] });
  post({ type: 'results', requestId, hits: index.search(parsed.query, await names(replica)) });
}

scope.onmessage = (event: MessageEvent<ToSearchWorker>) => {
  const message = event.data;
  if (message.type === 'open') open(message.replica);
  else
    search(message.requestId, message.q).catch((e: unknown) =>
      post({ type: 'error', requestId: message.requestId, message: String(e) }),
    );
};
