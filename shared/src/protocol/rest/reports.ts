import { Type, type Static } from 'typebox';
import { Uuid } from '../entities.ts';

/**
 * A reported message as moderators see it: a copy of the message (author and
 * text at the time of the report), who reported it and why. Nothing of its
 * conversation, not even which one: a report from a direct conversation gives
 * moderators no way into it.
 */
export const reportSchema = Type.Object({
  id: Uuid,
  reporterId: Uuid,
  messageId: Uuid,
  authorId: Uuid,
  content: Type.String(),
  reason: Type.String(),
  createdAt: Type.String(),
});
export type Report = Static<typeof reportSchema>;

/** `GET /api/reports`: the latest 100 reports, newest first. Needs manage messages. */
export const reportListSchema = Type.Object({ reports: Type.Array(reportSchema) });
export type ReportList = Static<typeof reportListSchema>;
