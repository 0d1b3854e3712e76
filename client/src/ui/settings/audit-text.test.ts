import { describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../api/community.ts';
import { auditDetail, auditVerb } from './audit-text.ts';

const entry = (action: string, data: Record<string, unknown> | null): AuditEntry => ({
  id: 1,
  actorId: null,
  action,
  targetType: 'user',
  targetId: null,
  reason: null,
  data,
  createdAt: '2026-01-01T00:00:00Z',
});

const roleName = (id: string) => `Role ${id}`;

describe('audit text', () => {
  it('names known actions and passes unknown ones through', () => {
    expect(auditVerb('member.timeout')).toBe('timed out');
    expect(auditVerb('member.ban')).toBe('banned');
    expect(auditVerb('report.resolve')).toBe('resolved a report about');
    expect(auditVerb('report.dismiss')).toBe('dismissed a report about');
    expect(auditVerb('something.new')).toBe('something.new');
  });

  it.each([
    [1, 'for 1 minute'],
    [5, 'for 5 minutes'],
    [60, 'for 1 hour'],
    [24 * 60, 'for 1 day'],
    [7 * 24 * 60, 'for 1 week'],
    [0, 'timeout removed'],
  ])('a timeout of %i minutes reads "%s"', (minutes, text) => {
    expect(auditDetail(entry('member.timeout', { minutes }), roleName)).toBe(text);
  });

  it('has no detail for other actions or missing data', () => {
    expect(auditDetail(entry('member.kick', null), roleName)).toBe('');
    expect(auditDetail(entry('member.timeout', null), roleName)).toBe('');
  });

  it('names the roles a member gained and lost, ignoring malformed data', () => {
    expect(auditDetail(entry('member.roles', { added: ['r1', 'r2'], removed: [] }), roleName)).toBe(
      'added Role r1, Role r2',
    );
    expect(auditDetail(entry('member.roles', { added: ['r1'], removed: ['r3'] }), roleName)).toBe(
      'added Role r1; removed Role r3',
    );
    expect(auditDetail(entry('member.roles', { added: 'r1', removed: [7] }), roleName)).toBe('');
  });
});
