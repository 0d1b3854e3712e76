import { Type, type Static } from 'typebox';
import { Uuid } from '../entities.ts';

/** Most reports one page of `GET /api/reports` holds. */
export const REPORT_PAGE_MAX = 100;

/** What a moderator did with a report. */
export const reportOutcomeSchema = Type.Union([
  Type.Literal('resolved'),
  Type.Literal('dismissed'),
]);
export type ReportOutcome = Static<typeof reportOutcomeSchema>;

/**
 * A reported message as moderators see it: a copy of the message (author,
 * text and attachment names at the time of the report), who reported it and
 * why. Of its conversation only whether it was direct: a report from a direct
 * conversation gives moderators no way into it (`channelId` is null). A
 * channel's message names its channel, which moderators may open if they see it.
 */
export const reportSchema = Type.Object({
  id: Uuid,
  reporterId: Uuid,
  reporterName: Type.String(),
  messageId: Uuid,
  authorId: Uuid,
  authorName: Type.String(),
  content: Type.String(),
  /** The names of the message's attachments. */
  attachments: Type.Array(Type.String()),
  reason: Type.String(),
  createdAt: Type.String(),
  /** `dm` for a direct conversation (no id), else the channel it was sent in. */
  where: Type.Union([Type.Literal('dm'), Type.Literal('channel')]),
  channelId: Type.Union([Uuid, Type.Null()]),
  /** Null while open. */
  outcome: Type.Union([reportOutcomeSchema, Type.Null()]),
  resolvedAt: Type.Union([Type.String(), Type.Null()]),
  resolvedBy: Type.Union([Uuid, Type.Null()]),
});
export type Report = Static<typeof reportSchema>;

/**
 * `GET /api/reports?status=open|closed&before=<id>&limit=`: newest first, a
 * page at a time; `before` is the last report of the previous page.
 */
export const reportQuerySchema = Type.Object(
  {
    status: Type.Optional(Type.Union([Type.Literal('open'), Type.Literal('closed')])),
    before: Type.Optional(Uuid),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: REPORT_PAGE_MAX })),
  },
  { additionalProperties: false },
);
export type ReportQuery = Static<typeof reportQuerySchema>;

/** A page of reports; `nextCursor` asks for the next (older) page, null at the end. Needs manage messages. */
export const reportListSchema = Type.Object({
  reports: Type.Array(reportSchema),
  nextCursor: Type.Union([Uuid, Type.Null()]),
});
export type ReportList = Static<typeof reportListSchema>;

/** `POST /api/reports/:id/resolve`: closes an open report (manage messages). */
export const reportResolveBodySchema = Type.Object(
  { outcome: reportOutcomeSchema },
  { additionalProperties: false },
);
export type ReportResolveBody = Static<typeof reportResolveBodySchema>;

export const reportIdParamsSchema = Type.Object({ id: Uuid }, { additionalProperties: false });
