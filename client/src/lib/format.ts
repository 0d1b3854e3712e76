/** "14:05" in the user's locale. */
export function timeOfDay(iso: string): string {
  return new Date(iso).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
}

/** A full date and time, for tooltips. */
export function fullDate(iso: string): string {
  return new Date(iso).toLocaleString(undefined, { dateStyle: 'full', timeStyle: 'short' });
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
