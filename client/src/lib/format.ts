import { createSubscriber } from 'svelte/reactivity';

/** How times of day read: the locale's clock, or 12 or 24 hours (a user setting). */
export type ClockMode = '12h' | '24h' | 'system';

let clock: ClockMode = 'system';
const clockListeners = new Set<() => void>();
// Times on screen re-render when the setting changes (a no-op outside components).
const trackClock = createSubscriber((update) => {
  clockListeners.add(update);
  return () => clockListeners.delete(update);
});

/** Sets the clock every `timeOfDay` uses from now on, and updates the times shown. */
export function setClock(mode: ClockMode): void {
  if (mode === clock) return;
  clock = mode;
  for (const update of clockListeners) update();
}

/**
 * One formatter per kind and clock, made on first use: `toLocaleTimeString`
 * with options builds a new `Intl.DateTimeFormat` on every call, and a list
 * re-rendering a hundred rows per arriving message spent seconds on it.
 */
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(kind: 'time' | 'full'): Intl.DateTimeFormat {
  const key = `${kind}:${clock}`;
  let format = formatters.get(key);
  if (!format) {
    const hour12 = clock === 'system' ? undefined : clock === '12h';
    format = new Intl.DateTimeFormat(undefined, {
      ...(kind === 'time'
        ? { hour: '2-digit', minute: '2-digit' }
        : { dateStyle: 'full', timeStyle: 'short' }),
      ...(hour12 === undefined ? {} : { hour12 }),
    });
    formatters.set(key, format);
  }
  return format;
}

/** "14:05" (or "2:05 PM") in the user's locale, on the user's clock. */
export function timeOfDay(iso: string): string {
  trackClock();
  return formatter('time').format(new Date(iso));
}

/** A full date and time, for tooltips. */
export function fullDate(iso: string): string {
  trackClock();
  return formatter('full').format(new Date(iso));
}

/** Rows by their id, for lookups. */
export function indexById<T extends { id: string }>(rows: readonly T[]): ReadonlyMap<string, T> {
  return new Map(rows.map((row) => [row.id, row]));
}

/** The first letter of a name, for an avatar. */
export function initial(name: string): string {
  return (name.trim()[0] ?? '?').toUpperCase();
}

/** A stable hue for a user's avatar, from their id. */
export function avatarHue(id: string): number {
  // FNV-1a: ids that differ in one late character still get far-apart hues.
  let hash = 0x811c9dc5;
  for (const ch of id) hash = Math.imul(hash ^ ch.charCodeAt(0), 0x01000193);
  return (hash >>> 0) % 360;
}
