import { readFileSync } from 'node:fs';

/** Resident set size of process `pid` in bytes, from /proc (Linux). */
export function rssOf(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m?.[1] ?? Number.NaN) * 1024;
}

/** Waits `ms`, giving the measured process time to settle (and to collect garbage). */
export const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
