import type { LocalMessage } from './engine-port.ts';

/** Consecutive messages by one author closer than this are grouped under one header. */
export const GROUP_WINDOW_MS = 5 * 60 * 1000;

export type TimelineItem =
  | { type: 'day'; key: string; label: string }
  | { type: 'message'; key: string; message: LocalMessage; grouped: boolean };

/** The local calendar day of an ISO time, as a stable key. */
export function dayKey(iso: string): string {
  const d = new Date(iso);
  return `${d.getFullYear()}-${d.getMonth() + 1}-${d.getDate()}`;
}

/** "Today", "Yesterday", or a long date. */
export function dayLabel(iso: string, now: Date = new Date()): string {
  const d = new Date(iso);
  const key = dayKey(iso);
  if (key === dayKey(now.toISOString())) return 'Today';
  const yesterday = new Date(now);
  yesterday.setDate(now.getDate() - 1);
  if (key === dayKey(yesterday.toISOString())) return 'Yesterday';
  return d.toLocaleDateString(undefined, {
    weekday: 'long',
    year: 'numeric',
    month: 'long',
    day: 'numeric',
  });
}

/**
 * Turns messages (in order) into list rows: a separator before each new day,
 * and `grouped` on a message that follows the same author within
 * `GROUP_WINDOW_MS` on the same day (so it shows without a header).
 *
 * `before` is the message just older than the first one, loaded but not shown:
 * with it the first row looks the same before and after an older page lands,
 * so the list does not shift under the reader.
 */
export function buildTimeline(
  messages: readonly LocalMessage[],
  before?: LocalMessage,
  now?: Date,
): TimelineItem[] {
  const items: TimelineItem[] = [];
  let previous: LocalMessage | undefined = before;
  for (const message of messages) {
    const day = dayKey(message.createdAt);
    const newDay = !previous || dayKey(previous.createdAt) !== day;
    if (newDay)
      items.push({ type: 'day', key: `day:${day}`, label: dayLabel(message.createdAt, now) });
    const grouped =
      !newDay &&
      previous !== undefined &&
      previous.authorId === message.authorId &&
      previous.status !== 'failed' &&
      Date.parse(message.createdAt) - Date.parse(previous.createdAt) < GROUP_WINDOW_MS;
    items.push({ type: 'message', key: message.id, message, grouped });
    previous = message;
  }
  return items;
}

/**
 * Where the "New messages" divider goes: the index of the first confirmed
 * message by someone else after my read mark `after`, or -1 for none. Only
 * where the boundary itself is loaded (an older message at or before the mark
 * is in the list, or the list reaches the channel's start): a divider on the
 * oldest loaded row would climb with every older page and move the rows the
 * reader is looking at.
 */
export function newDividerIndex(
  rows: readonly { type: string; message?: LocalMessage }[],
  after: number,
  selfId: string,
  atStart: boolean,
): number {
  const at = rows.findIndex(
    ({ message: m }) =>
      m !== undefined && m.status === 'sent' && m.seq > after && m.authorId !== selfId,
  );
  if (at < 0) return -1;
  const boundaryLoaded =
    atStart ||
    rows
      .slice(0, at)
      .some(({ message: m }) => m !== undefined && m.status === 'sent' && m.seq <= after);
  return boundaryLoaded ? at : -1;
}
