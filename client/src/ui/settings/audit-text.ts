import type { AuditEntry } from '../../api/community.ts';

/** What an audit action did, as a verb phrase ("timed out"). Unknown actions show as sent. */
const VERBS: Record<string, string> = {
  'member.kick': 'kicked',
  'member.ban': 'banned',
  'member.unban': 'unbanned',
  'member.timeout': 'timed out',
  'member.roles': 'changed the roles of',
  'role.create': 'created the role',
  'role.update': 'updated the role',
  'role.delete': 'deleted the role',
  'role.reorder': 'reordered the roles',
  'channel.overrides': 'changed the permissions of',
  'channel.create': 'created the channel',
  'channel.rename': 'edited the channel',
  'channel.delete': 'deleted the channel',
  'channel.reorder': 'reordered the channels',
  'invite.create': 'created the invite',
  'invite.revoke': 'revoked the invite',
  'community.update': 'changed the community settings',
  'message.delete': 'deleted a message of',
  'report.resolve': 'resolved a report about',
  'report.dismiss': 'dismissed a report about',
};

/** The verb for `action`. */
export function auditVerb(action: string): string {
  return VERBS[action] ?? action;
}

/**
 * Extra detail worth a line: a timeout's length or its removal, the roles a
 * member gained or lost (`roleName` names a role id).
 */
export function auditDetail(entry: AuditEntry, roleName: (id: string) => string): string {
  const data = entry.data;
  if (!data) return '';
  if (entry.action === 'member.timeout') {
    if (data.minutes === 0) return 'timeout removed';
    if (typeof data.minutes === 'number') return `for ${minutesText(data.minutes)}`;
  }
  if (entry.action === 'member.roles') {
    const parts: string[] = [];
    const added = ids(data.added);
    const removed = ids(data.removed);
    if (added.length > 0) parts.push(`added ${added.map(roleName).join(', ')}`);
    if (removed.length > 0) parts.push(`removed ${removed.map(roleName).join(', ')}`);
    return parts.join('; ');
  }
  return '';
}

function ids(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

function minutesText(minutes: number): string {
  if (minutes % (7 * 24 * 60) === 0) return plural(minutes / (7 * 24 * 60), 'week');
  if (minutes % (24 * 60) === 0) return plural(minutes / (24 * 60), 'day');
  if (minutes % 60 === 0) return plural(minutes / 60, 'hour');
  return plural(minutes, 'minute');
}

function plural(n: number, unit: string): string {
  return `${n} ${unit}${n === 1 ? '' : 's'}`;
}
