import type { IncomingMessage, ServerResponse } from 'node:http';
import { jwtVerify } from 'jose';
import { validator } from '@echora/shared';
import {
  VOICE_COMMAND_AUDIENCE,
  sfuModerateCommandSchema,
  type SfuModerateCommand,
} from '@echora/shared/voice/index';
import type { Moderation, Room } from './room.ts';

const checkCommand = validator(sfuModerateCommandSchema);
/** A command is a few ids; anything bigger is not one. */
const MAX_BODY_BYTES = 4096;

export interface ControlContext {
  secret: string;
  rooms: ReadonlyMap<string, Room>;
  /** Standing moderation per user on this node, so a rejoin stays muted. */
  moderation: Map<string, Moderation>;
}

/**
 * `POST /internal/moderate`: the sync server (which checked `muteMembers`)
 * server-mutes or server-deafens a user here. Authenticated with an HS256
 * token signed with the voice secret, audience `echora-sfu-internal`.
 * Answers 200 with the user's moderation, 404 when they are not in the room.
 */
export async function handleControl(
  req: IncomingMessage,
  res: ServerResponse,
  ctx: ControlContext,
): Promise<void> {
  if (req.method !== 'POST') return reply(res, 405, 'invalid', 'use POST');
  const header = req.headers.authorization;
  const token = header?.startsWith('Bearer ') ? header.slice(7).trim() : '';
  try {
    await jwtVerify(token, new TextEncoder().encode(ctx.secret), {
      algorithms: ['HS256'],
      audience: VOICE_COMMAND_AUDIENCE,
    });
  } catch {
    return reply(res, 401, 'unauthorized', 'a command needs a valid token');
  }
  let value: unknown;
  try {
    value = JSON.parse(await readBody(req));
  } catch {
    return reply(res, 400, 'invalid', 'the body is not JSON of an allowed size');
  }
  const checked = checkCommand(value);
  if (!checked.ok) return reply(res, 400, 'invalid', checked.error.message);
  const result = apply(checked.value, ctx);
  if (!result) return reply(res, 404, 'not_found', 'that user is not in that channel here');
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify(result));
}

function apply(command: SfuModerateCommand, ctx: ControlContext): Moderation | undefined {
  const room = ctx.rooms.get(command.channelId);
  const change = {
    ...(command.mute !== undefined ? { mute: command.mute } : {}),
    ...(command.deafen !== undefined ? { deafen: command.deafen } : {}),
  };
  const after = room?.moderate(command.userId, change);
  if (!after) return undefined;
  if (after.serverMuted || after.serverDeafened) ctx.moderation.set(command.userId, after);
  else ctx.moderation.delete(command.userId);
  return after;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error('too large'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function reply(res: ServerResponse, status: number, kind: string, message: string): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ error: { kind, message } }));
}
