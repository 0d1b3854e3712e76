import { AppError, Limits } from '@echora/shared';
import type { WebhookPost } from '@echora/shared/protocol/rest/bots';

/**
 * The message text of a Slack (`text`) or Discord (`content`) payload.
 * Discord's `embeds` and Slack's `blocks` are accepted so existing tools
 * work, but only the text is posted (a payload of blocks only must carry
 * `text`, which Slack also asks for as the fallback). The `username` and
 * avatar URL a tool sends are ignored: the webhook posts under the name and
 * avatar its managers gave it, and URLs are never fetched (files come as
 * multipart uploads only).
 */
export function webhookText(body: WebhookPost, hasFiles = false): string {
  const text = typeof body.content === 'string' && body.content.trim() ? body.content : body.text;
  // With files the text is a caption, and may be blank (as in Discord).
  if (hasFiles && (typeof text !== 'string' || !text.trim())) return '';
  if (typeof text !== 'string' || !text.trim()) {
    throw new AppError('invalid', 'content: a message needs `content` (Discord) or `text` (Slack)');
  }
  if (text.length > Limits.messageLength) {
    throw new AppError(
      'invalid',
      `content: ${text.length - Limits.messageLength} characters over the ${Limits.messageLength} limit`,
    );
  }
  return text;
}
