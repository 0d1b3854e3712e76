/** A timestamptz as clients see it: ISO 8601 in UTC. Both drivers give a Date; text also works. */
export function iso(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  return new Date(String(value)).toISOString();
}

/** A nullable timestamptz as ISO 8601 or null. */
export function isoOrNull(value: unknown): string | null {
  return value === null || value === undefined ? null : iso(value);
}
