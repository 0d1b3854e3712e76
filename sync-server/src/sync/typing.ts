import {
  AppError,
  canSend,
  Limits,
  typingStartArgs,
  validator,
  type TypingDown,
  type WireError,
} from '@echora/shared';
import type { Bus } from '../bus/types.ts';
import type { AccessCache } from '../domain/permissions/access.ts';

const checkTyping = validator(typingStartArgs);

/**
 * `typing.start`: ephemeral, so it only travels the bus, to sessions that
 * watch the channel (and so may see it). Returns the refusal, if any.
 */
export async function startTyping(
  bus: Bus,
  accessCache: AccessCache,
  args: unknown,
  userId: string,
): Promise<WireError | undefined> {
  const checked = checkTyping(args);
  if (!checked.ok) return checked.error;
  const { channelId } = checked.value;
  const access = await accessCache.get();
  const perms = access.channel(userId, channelId);
  if (perms === 0) return new AppError('not_found', 'No such channel.').toWire();
  if (!canSend(perms)) return new AppError('forbidden', 'You may not send messages here.').toWire();
  const frame: TypingDown = { type: 'typing', channelId, userId, expiresInMs: Limits.typingMs };
  await bus.publish({ type: 'typing', channelId, userId, frame: JSON.stringify(frame) });
  return undefined;
}
