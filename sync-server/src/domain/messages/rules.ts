import { AppError, Limits, type DurableMutationName } from '@echora/shared';

/** A message's text over the limit, refused with its length (the schema would only say "too long"). */
function contentLength(args: unknown): void {
  if (
    typeof args === 'object' &&
    args !== null &&
    'content' in args &&
    typeof args.content === 'string' &&
    args.content.length > Limits.messageLength
  ) {
    throw new AppError(
      'too_large',
      `content: ${args.content.length} characters; a message holds at most ${Limits.messageLength}`,
    );
  }
}

/** The message rules checked on raw arguments, by mutation. */
export const messageArgumentRules: Partial<Record<DurableMutationName, (args: unknown) => void>> = {
  'message.send': contentLength,
  'message.edit': contentLength,
};
