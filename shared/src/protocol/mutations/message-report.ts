import { Type, type Static } from 'typebox';
import { Uuid } from '../entities.ts';
import { singleLineText } from '../text.ts';

/**
 * Report a message to the moderators (anyone who may see it). The report
 * keeps a copy of that message only, so moderators read it without access to
 * the conversation. Reporting the same message again changes nothing.
 */
export const messageReportArgs = Type.Object(
  { messageId: Uuid, reason: Type.Optional(singleLineText({ maxLength: 500 })) },
  { additionalProperties: false },
);
export type MessageReportArgs = Static<typeof messageReportArgs>;
