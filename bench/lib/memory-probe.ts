/**
 * Preloaded into a benchmark's server child (`node --expose-gc --import tsx
 * --import ./bench/lib/memory-probe.ts <server>`, with an IPC channel): it
 * answers the parent's `memory` question with the heap and RSS after forced
 * garbage collections, writes a heap snapshot when asked, and answers `usage`
 * (the soak's) with memory as it is and the GC pauses since the last `usage`,
 * forcing nothing. Nothing in the server loads it; without an IPC channel it
 * does nothing.
 */
import {
  constants,
  monitorEventLoopDelay,
  PerformanceObserver,
  type IntervalHistogram,
  type PerformanceEntry,
} from 'node:perf_hooks';
import { getHeapStatistics, writeHeapSnapshot } from 'node:v8';
import type { GcPauses, ProbeAnswer, ProbeQuestion, UsageAnswer } from './memory.ts';

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

const pauses = (): GcPauses => ({ count: 0, totalMs: 0, maxMs: 0 });
let minor = pauses();
let major = pauses();
let heapAfterMajor = 0;

function onGc(entry: PerformanceEntry): void {
  const kind = (entry as unknown as { detail?: { kind?: number } }).detail?.kind;
  const p =
    kind === constants.NODE_PERFORMANCE_GC_MINOR
      ? minor
      : kind === constants.NODE_PERFORMANCE_GC_MAJOR
        ? major
        : undefined;
  if (p === undefined) return;
  p.count += 1;
  p.totalMs += entry.duration;
  p.maxMs = Math.max(p.maxMs, entry.duration);
  // Observers run a little after the collection: close enough for a trend.
  if (p === major) heapAfterMajor = getHeapStatistics().used_heap_size;
}

/** The server's own event-loop delay, from the first `usage` question on. */
let loop: IntervalHistogram | undefined;

function usageNow(id: number): UsageAnswer {
  const m = process.memoryUsage();
  const a = {
    id,
    heapUsed: m.heapUsed,
    rss: m.rss,
    heapAfterMajor,
    minor,
    major,
    loopDelayP99Ms: loop === undefined ? 0 : loop.percentile(99) / 1e6,
    loopDelayMaxMs: loop === undefined ? 0 : loop.max / 1e6,
  };
  minor = pauses();
  major = pauses();
  if (loop === undefined) {
    loop = monitorEventLoopDelay({ resolution: 10 });
    loop.enable();
  } else loop.reset();
  return a;
}

async function answer(q: ProbeQuestion): Promise<ProbeAnswer | UsageAnswer> {
  if (q.type === 'usage') return usageNow(q.id);
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
  new PerformanceObserver((list) => list.getEntries().forEach(onGc)).observe({
    entryTypes: ['gc'],
  });
  process.on('message', (q: ProbeQuestion) => {
    void answer(q).then((a) => process.send?.(a));
  });
  // The channel must not keep a server alive that was told to stop.
  process.channel?.unref();
}
