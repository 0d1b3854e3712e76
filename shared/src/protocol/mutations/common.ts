import { Type } from 'typebox';
import { Limits } from '../limits.ts';

/** Channel names: trimmed, 1-100 characters, no control characters. */
export const channelName = Type.String({
  minLength: 1,
  maxLength: Limits.channelNameLength,
  pattern: '^[^\\u0000-\\u001f\\u007f]+$',
});

export const channelTopic = Type.String({ maxLength: Limits.channelTopicLength });

/** Message content: 1-4000 characters (the server also refuses all-whitespace). */
export const messageContent = Type.String({ minLength: 1, maxLength: Limits.messageLength });
