import type {
  AuditEntry,
  AuditPage,
  AuditTargetType,
} from '@echora/shared/protocol/rest/moderation';
import type { Queryable } from '../../db/types.ts';
import { iso } from '../../db/timestamps.ts';

/** What one audit entry records; written in the transaction of the action itself. */
export interface AuditRecord {
  actorId: string;
  action: string;
  targetType?: AuditTargetType;
  targetId?: string;
  reason?: string | undefined;
  data?: Record<string, unknown>;
}

interface AuditRow extends Record<string, unknown> {
  id: string | number;
  actor_id: string;
  actor_name: string | null;
  target_name: string | null;
  action: string;
  target_type: AuditTargetType | null;
  target_id: string | null;
  reason: string | null;
  data: Record<string, unknown> | null;
  created_at: Date | string;
}

export async function writeAudit(tx: Queryable, entry: AuditRecord): Promise<void> {
  await tx.query(
    `INSERT INTO audit_log (actor_id, action, target_type, target_id, reason, data)
     VALUES ($1, $2, $3, $4, $5, $6)`,
    [
      entry.actorId,
      entry.action,
      entry.targetType ?? null,
      entry.targetId ?? null,
      entry.reason?.trim() || null,
      entry.data === undefined ? null : JSON.stringify(entry.data),
    ],
  );
}

const toEntry = (row: AuditRow): AuditEntry => ({
  id: Number(row.id),
  actorId: row.actor_id,
  actorName: row.actor_name,
  action: row.action,
  targetType: row.target_type,
  targetId: row.target_id,
  targetName: row.target_name,
  reason: row.reason,
  data: row.data,
  createdAt: iso(row.created_at),
});

/** Newest first, older than `before` (an entry id) when given. */
export async function auditPage(
  db: Queryable,
  before: number | undefined,
  limit: number,
): Promise<AuditPage> {
  const { rows } = await db.query<AuditRow>(
    `SELECT a.id, a.actor_id, actor.display_name AS actor_name, a.action, a.target_type,
            a.target_id, target.display_name AS target_name, a.reason, a.data, a.created_at
     FROM audit_log a
     LEFT JOIN users actor ON actor.id = a.actor_id
     LEFT JOIN users target ON a.target_type = 'user' AND target.id::text = a.target_id
     WHERE ($1::bigint IS NULL OR a.id < $1) ORDER BY a.id DESC LIMIT $2`,
    [before ?? null, limit + 1],
  );
  return { entries: rows.slice(0, limit).map(toEntry), hasMore: rows.length > limit };
}
