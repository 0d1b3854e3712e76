import { AppError, Permission, canSee, has } from '@echora/shared';
import {
  type SfuModerateCommand,
  type VoiceModerateRequest,
  type VoiceModerateResponse,
} from '@echora/shared/voice/index';
import type { Access } from '../permissions/access.ts';
import { postToSfu } from './sfu-command.ts';
import type { VoiceStateStore } from './state.ts';

/**
 * Server-mutes and/or server-deafens `request.userId` in the voice channel
 * they are in: the actor needs `muteMembers` there. The SFU node holding the
 * user applies it and reports the new state, which reaches every sidebar.
 */
export async function moderateVoice(
  deps: { access: Access; store: VoiceStateStore; secret: string },
  actorId: string,
  request: VoiceModerateRequest,
): Promise<VoiceModerateResponse> {
  if (request.mute === undefined && request.deafen === undefined)
    throw new AppError('invalid', 'Say mute, deafen or both');
  const where = deps.store.locate(request.userId);
  const channelId = where?.participant.channelId;
  const perms = channelId ? deps.access.channel(actorId, channelId) : 0;
  // Whether someone sits in a channel the actor cannot see is not revealed.
  if (!where || !channelId || !canSee(perms))
    throw new AppError('not_found', 'That user is not in a voice channel');
  if (!has(perms, Permission.muteMembers))
    throw new AppError('forbidden', 'You may not mute or deafen members in this channel');
  if (!where.control)
    throw new AppError('unavailable', 'The voice server of that channel takes no commands');
  const command: SfuModerateCommand = {
    userId: request.userId,
    channelId,
    ...(request.mute !== undefined ? { mute: request.mute } : {}),
    ...(request.deafen !== undefined ? { deafen: request.deafen } : {}),
  };
  const state = await sendCommand(where.control, deps.secret, command);
  return { userId: request.userId, channelId, ...state };
}

async function sendCommand(
  control: string,
  secret: string,
  command: SfuModerateCommand,
): Promise<{ serverMuted: boolean; serverDeafened: boolean }> {
  let response: Response;
  try {
    response = await postToSfu(control, '/internal/moderate', secret, command);
  } catch {
    throw new AppError('unavailable', 'The voice server did not answer');
  }
  if (response.status === 404) throw new AppError('not_found', 'That user just left voice');
  if (!response.ok) throw new AppError('unavailable', 'The voice server refused the command');
  const body = (await response.json()) as { serverMuted?: unknown; serverDeafened?: unknown };
  return { serverMuted: body.serverMuted === true, serverDeafened: body.serverDeafened === true };
}
