import { readFileSync } from 'node:fs';

const TICKS_PER_S = 100;

/** User + system CPU seconds a process has used (Linux, 10 ms resolution). */
export function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_S;
}
