import { readdirSync, readFileSync } from 'node:fs';

const TICKS_PER_S = 100;

/** User + system CPU seconds a process has used (Linux, 10 ms resolution). */
export function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_S;
}

/** User and system CPU seconds of each thread of a process, by thread name (Linux). */
export function threadCpuSeconds(pid: number): Map<string, { user: number; system: number }> {
  const threads = new Map<string, { user: number; system: number }>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    } catch {
      continue; // The thread ended between the listing and the read.
    }
    const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const name = tid === String(pid) ? `${comm} (main)` : comm;
    const fields = stat.slice(stat.lastIndexOf(') ') + 2).split(' ');
    const entry = threads.get(name) ?? { user: 0, system: 0 };
    entry.user += Number(fields[11]) / TICKS_PER_S;
    entry.system += Number(fields[12]) / TICKS_PER_S;
    threads.set(name, entry);
  }
  return threads;
}

/** What each thread name used between two `threadCpuSeconds` readings, busiest first. */
export function threadCpuDelta(
  before: Map<string, { user: number; system: number }>,
  after: Map<string, { user: number; system: number }>,
): string {
  return [...after]
    .map(([name, a]) => {
      const b = before.get(name) ?? { user: 0, system: 0 };
      return { name, user: a.user - b.user, system: a.system - b.system };
    })
    .filter((t) => t.user + t.system > 0)
    .sort((x, y) => y.user + y.system - (x.user + x.system))
    .map((t) => `${t.name} ${t.user.toFixed(2)}u+${t.system.toFixed(2)}s`)
    .join(', ');
}
