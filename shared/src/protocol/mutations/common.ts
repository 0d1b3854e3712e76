import { Limits } from '../limits.ts';
import { multiLineText, singleLineText } from '../text.ts';

/** Channel names: 1-100 characters, no control characters (the server also trims). */
export const channelName = singleLineText({ minLength: 1, maxLength: Limits.channelNameLength });

/** A channel's topic: up to 1024 characters; tab and line breaks allowed, other controls not. */
export const channelTopic = multiLineText({ maxLength: Limits.channelTopicLength });

/**
 * Message content: 1-4000 characters (the server also refuses all-whitespace);
 * tab and line breaks allowed, other control characters (NUL included) not.
 */
export const messageContent = multiLineText({ minLength: 1, maxLength: Limits.messageLength });
