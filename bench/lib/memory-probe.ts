/**
 * Preloaded into a benchmark's server child (`node --expose-gc --import tsx
 * --import ./bench/lib/memory-probe.ts <server>`, with an IPC channel): it
 * answers the parent's `memory` question with the heap and RSS after forced
 * garbage collections, and writes a heap snapshot when asked. Nothing in the
 * server loads it; without an IPC channel it does nothing.
 */
import { writeHeapSnapshot } from 'node:v8';
import type { ProbeAnswer, ProbeQuestion } from './memory.ts';

const collect = globalThis.gc;

/** Full collections, with a turn of the loop between them for finalizers and weak callbacks. */
async function settle(): Promise<void> {
  if (collect === undefined) throw new Error('memory probe: start node with --expose-gc');
  for (let i = 0; i < 4; i++) {
    collect();
    await new Promise((r) => setImmediate(r));
  }
}

/** Sockets the process holds open (the parent waits for closed ones to be gone). */
function tcpSockets(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap').length;
}

async function answer(q: ProbeQuestion): Promise<ProbeAnswer> {
  await settle();
  const m = process.memoryUsage();
  const snapshot = q.type === 'heapsnapshot' ? writeHeapSnapshot(q.path) : undefined;
  return {
    id: q.id,
    heapUsed: m.heapUsed,
    external: m.external,
    rss: m.rss,
    sockets: tcpSockets(),
    ...(snapshot === undefined ? {} : { snapshot }),
  };
}

if (process.send !== undefined) {
  process.on('message', (q: ProbeQuestion) => {
    void answer(q).then((a) => process.send?.(a));
  });
  // The channel must not keep a server alive that was told to stop.
  process.channel?.unref();
}
