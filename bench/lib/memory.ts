import type { ChildProcess } from 'node:child_process';

/** Node's arguments that load {@link ./memory-probe.ts} before `entry` (a `.ts` file). */
export function probedArgs(entry: string): string[] {
  return ['--expose-gc', '--import', 'tsx', '--import', './bench/lib/memory-probe.ts', entry];
}

export type ProbeQuestion =
  | { id: number; type: 'memory' }
  | { id: number; type: 'heapsnapshot'; path: string }
  | { id: number; type: 'usage' };

/** Pauses of one kind of collection since the last `usage` question. */
export interface GcPauses {
  count: number;
  totalMs: number;
  maxMs: number;
}

/** The `usage` answer: read as it is, no collection forced (a running soak must not stall). */
export interface UsageAnswer {
  id: number;
  heapUsed: number;
  rss: number;
  /** `heapUsed` as the last full (mark-compact) collection left it; 0 before the first. */
  heapAfterMajor: number;
  /** Scavenges (young generation) and full collections since the last `usage` question. */
  minor: GcPauses;
  major: GcPauses;
  /** The process's own event-loop delay since the last `usage` (10 ms resolution; 0 at the first). */
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
}

/** Bytes after forced collections, and the TCP sockets the process holds. */
export interface ProbeAnswer {
  id: number;
  heapUsed: number;
  external: number;
  rss: number;
  sockets: number;
  /** The file written, for `heapsnapshot`. */
  snapshot?: string;
}

let nextId = 1;

/** The child's memory and GC pauses without forcing a collection (see {@link UsageAnswer}). */
export function usage(child: ChildProcess): Promise<UsageAnswer> {
  return ask(child, { id: nextId++, type: 'usage' });
}

/** Asks a child started with {@link probedArgs} and an IPC channel. */
export function probe(child: ChildProcess, heapSnapshotPath?: string): Promise<ProbeAnswer> {
  const id = nextId++;
  const question: ProbeQuestion =
    heapSnapshotPath === undefined
      ? { id, type: 'memory' }
      : { id, type: 'heapsnapshot', path: heapSnapshotPath };
  return ask(child, question);
}

function ask<A extends { id: number }>(child: ChildProcess, question: ProbeQuestion): Promise<A> {
  const { id } = question;
  return new Promise((resolve, reject) => {
    const onMessage = (a: A): void => {
      if (a.id !== id) return;
      child.off('message', onMessage);
      child.off('exit', onExit);
      resolve(a);
    };
    const onExit = (): void => {
      child.off('message', onMessage);
      reject(new Error('memory probe: the process exited'));
    };
    child.on('message', onMessage);
    child.once('exit', onExit);
    child.send(question);
  });
}

/**
 * Probes until the process holds at most `sockets` TCP sockets: closed
 * sockets are gone on the server's side too before memory is read.
 */
export async function probeWhenSockets(
  child: ChildProcess,
  sockets: number,
  timeoutMs = 60_000,
): Promise<ProbeAnswer> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const a = await probe(child);
    if (a.sockets <= sockets) return a;
    if (Date.now() > deadline)
      throw new Error(`memory probe: ${a.sockets} sockets still open, expected ${sockets}`);
  }
}
