import { AppError, Permission } from '@echora/shared';
import type {
  Report,
  ReportList,
  ReportOutcome,
  ReportQuery,
} from '@echora/shared/protocol/rest/reports';
import type { Queryable } from '../../db/types.ts';
import { iso } from '../../db/timestamps.ts';
import { writeAudit } from '../audit/log.ts';
import type { CommunityWrite } from '../moderation/write.ts';
import { actorOf, requirePermission } from '../permissions/guard.ts';

const DEFAULT_PAGE = 50;

interface ReportRow extends Record<string, unknown> {
  id: string;
  reporter_id: string;
  reporter_name: string;
  message_id: string;
  author_id: string;
  author_name: string;
  content: string;
  attachments: unknown;
  reason: string;
  created_at: Date | string;
  channel_id: string;
  channel_kind: string;
  resolution: 'resolved' | 'dismissed' | null;
  resolved_at: Date | string | null;
  resolved_by: string | null;
}

function names(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

function toReport(r: ReportRow): Report {
  const dm = r.channel_kind === 'dm';
  return {
    id: r.id,
    reporterId: r.reporter_id,
    reporterName: r.reporter_name,
    messageId: r.message_id,
    authorId: r.author_id,
    authorName: r.author_name,
    content: r.content,
    attachments: names(r.attachments),
    reason: r.reason,
    createdAt: iso(r.created_at),
    where: dm ? 'dm' : 'channel',
    channelId: dm ? null : r.channel_id,
    outcome: r.resolution,
    resolvedAt: r.resolved_at === null ? null : iso(r.resolved_at),
    resolvedBy: r.resolved_by,
  };
}

/**
 * One page of reports, newest first: open ones, or closed (resolved or
 * dismissed) ones. `before` is the last report of the previous page; an
 * unknown one gives an empty page. The caller checked manage messages.
 */
export async function listReports(db: Queryable, query: ReportQuery): Promise<ReportList> {
  const limit = query.limit ?? DEFAULT_PAGE;
  const open = (query.status ?? 'open') === 'open';
  const params: unknown[] = [limit + 1];
  let after = '';
  if (query.before !== undefined) {
    params.push(query.before);
    after = `AND (r.created_at, r.id) < (SELECT created_at, id FROM message_reports WHERE id = $2)`;
  }
  const { rows } = await db.query<ReportRow>(
    `SELECT r.id, r.reporter_id, reporter.display_name AS reporter_name, r.message_id,
            r.author_id, author.display_name AS author_name, r.content, r.attachments, r.reason,
            r.created_at, m.channel_id, c.kind AS channel_kind, r.resolution, r.resolved_at,
            r.resolved_by
     FROM message_reports r
     JOIN users reporter ON reporter.id = r.reporter_id
     JOIN users author ON author.id = r.author_id
     JOIN messages m ON m.id = r.message_id
     JOIN channels c ON c.id = m.channel_id
     WHERE r.resolved_at IS ${open ? '' : 'NOT '}NULL ${after}
     ORDER BY r.created_at DESC, r.id DESC
     LIMIT $1`,
    params,
  );
  const page = rows.slice(0, limit).map(toReport);
  const more = rows.length > limit;
  return { reports: page, nextCursor: more ? (page.at(-1)?.id ?? null) : null };
}

/**
 * Closes an open report as resolved or dismissed (manage messages), with an
 * audit entry naming the reported author. Closing a closed report again
 * changes nothing (the first moderator's outcome stays).
 */
export async function resolveReport(
  w: CommunityWrite,
  actorId: string,
  reportId: string,
  outcome: ReportOutcome,
): Promise<void> {
  actorOf(w.access, actorId);
  requirePermission(w.access.base(actorId, w.now.getTime()), Permission.manageMessages);
  const { rows } = await w.tx.query<{ author_id: string; resolved_at: Date | string | null }>(
    'SELECT author_id, resolved_at FROM message_reports WHERE id = $1 FOR UPDATE',
    [reportId],
  );
  const row = rows[0];
  if (!row) throw new AppError('not_found', 'No such report.');
  if (row.resolved_at !== null) return;
  await w.tx.query(
    'UPDATE message_reports SET resolved_at = $2, resolved_by = $3, resolution = $4 WHERE id = $1',
    [reportId, w.now, actorId, outcome],
  );
  await writeAudit(w.tx, {
    actorId,
    action: outcome === 'resolved' ? 'report.resolve' : 'report.dismiss',
    targetType: 'user',
    targetId: row.author_id,
  });
}
