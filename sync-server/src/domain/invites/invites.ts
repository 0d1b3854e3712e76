import { randomBytes } from 'node:crypto';
import { AppError, Permission } from '@echora/shared';
import {
  inviteProblemMessage,
  type CreateInviteBody,
  type Invite,
  type InvitePreview,
  type InviteProblem,
} from '@echora/shared/protocol/rest/invites';
import type { Queryable } from '../../db/types.ts';
import { iso, isoOrNull } from '../../db/timestamps.ts';
import { writeAudit } from '../audit/log.ts';
import { actorOf, requirePermission } from '../permissions/guard.ts';
import type { CommunityWrite } from '../moderation/write.ts';

interface InviteRow extends Record<string, unknown> {
  code: string;
  created_by: string;
  created_at: Date | string;
  expires_at: Date | string | null;
  max_uses: number | null;
  uses: number;
  revoked_at: Date | string | null;
}

const COLUMNS = 'code, created_by, created_at, expires_at, max_uses, uses, revoked_at';

const toInvite = (r: InviteRow): Invite => ({
  code: r.code,
  createdBy: r.created_by,
  createdAt: iso(r.created_at),
  expiresAt: isoOrNull(r.expires_at),
  maxUses: r.max_uses,
  uses: r.uses,
  revoked: r.revoked_at !== null,
});

function problemOf(r: InviteRow, now: number): InviteProblem | null {
  if (r.revoked_at !== null) return 'revoked';
  if (r.expires_at !== null && new Date(r.expires_at).getTime() <= now) return 'expired';
  if (r.max_uses !== null && r.uses >= r.max_uses) return 'used_up';
  return null;
}

async function findInvite(db: Queryable, code: string): Promise<InviteRow | undefined> {
  const { rows } = await db.query<InviteRow>(`SELECT ${COLUMNS} FROM invites WHERE code = $1`, [
    code,
  ]);
  return rows[0];
}

/** `POST /api/invites`: a fresh random code. Needs create invites. */
export async function createInvite(
  w: CommunityWrite,
  actorId: string,
  body: CreateInviteBody,
): Promise<Invite> {
  actorOf(w.access, actorId);
  requirePermission(w.access.base(actorId, w.now.getTime()), Permission.createInvites);
  const expires =
    body.expiresInMinutes === undefined
      ? null
      : new Date(w.now.getTime() + body.expiresInMinutes * 60_000);
  const { rows } = await w.tx.query<InviteRow>(
    `INSERT INTO invites (code, created_by, created_at, expires_at, max_uses)
     VALUES ($1, $2, $3, $4, $5) RETURNING ${COLUMNS}`,
    [randomBytes(6).toString('base64url'), actorId, w.now, expires, body.maxUses ?? null],
  );
  const invite = toInvite(rows[0] as InviteRow);
  await writeAudit(w.tx, {
    actorId,
    action: 'invite.create',
    targetType: 'invite',
    targetId: invite.code,
    data: { maxUses: invite.maxUses, expiresAt: invite.expiresAt },
  });
  return invite;
}

/** `GET /api/invites`: every invite with manage community, else the caller's own. */
export async function listInvites(w: CommunityWrite, actorId: string): Promise<Invite[]> {
  actorOf(w.access, actorId);
  const perms = w.access.base(actorId, w.now.getTime());
  requirePermission(perms, Permission.createInvites);
  const all = (perms & Permission.manageCommunity) !== 0;
  const { rows } = await w.tx.query<InviteRow>(
    `SELECT ${COLUMNS} FROM invites WHERE revoked_at IS NULL AND ($1 OR created_by = $2)
     ORDER BY created_at DESC, code`,
    [all, actorId],
  );
  return rows.map(toInvite);
}

/** `DELETE /api/invites/:code`: its creator (still allowed to invite) or manage community. */
export async function revokeInvite(
  w: CommunityWrite,
  actorId: string,
  code: string,
): Promise<void> {
  actorOf(w.access, actorId);
  const perms = w.access.base(actorId, w.now.getTime());
  const row = await findInvite(w.tx, code);
  if (!row || row.revoked_at !== null) throw new AppError('not_found', 'No such invite.');
  if (row.created_by === actorId) requirePermission(perms, Permission.createInvites);
  else requirePermission(perms, Permission.manageCommunity);
  await w.tx.query('UPDATE invites SET revoked_at = $2 WHERE code = $1', [code, w.now]);
  await writeAudit(w.tx, {
    actorId,
    action: 'invite.revoke',
    targetType: 'invite',
    targetId: code,
  });
}

/** Public `GET /api/invites/:code`. */
export async function previewInvite(db: Queryable, code: string): Promise<InvitePreview> {
  const row = await findInvite(db, code);
  if (!row) throw new AppError('not_found', 'This invite does not exist.');
  const { rows } = await db.query<{ name: string }>('SELECT name FROM community WHERE id = 1');
  const reason = problemOf(row, Date.now());
  return { code, communityName: rows[0]?.name ?? '', valid: reason === null, reason };
}

/**
 * Takes one use of an invite inside the caller's transaction, or refuses with
 * why. One conditional UPDATE: two racing uses of the last slot cannot both win.
 */
export async function useInvite(tx: Queryable, code: string): Promise<void> {
  const { rows } = await tx.query(
    `UPDATE invites SET uses = uses + 1
     WHERE code = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())
       AND (max_uses IS NULL OR uses < max_uses)
     RETURNING code`,
    [code],
  );
  if (rows.length > 0) return;
  const row = await findInvite(tx, code);
  if (!row) throw new AppError('not_found', 'This invite does not exist.');
  const problem = problemOf(row, Date.now()) ?? 'expired';
  throw new AppError('conflict', inviteProblemMessage[problem]);
}
