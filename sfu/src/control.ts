import type { IncomingMessage, ServerResponse } from 'node:http';
import { jwtVerify } from 'jose';
import { validator } from '@echora/shared';
import {
  VOICE_COMMAND_AUDIENCE,
  sfuAccessCommandSchema,
  sfuModerateCommandSchema,
  type SfuAccessCommand,
  type SfuAccessResult,
  type SfuModerateCommand,
  type VoicePerms,
  type VoiceRevokeReason,
} from '@echora/shared/voice/index';
import type { AccessLedger } from './access.ts';
import type { Moderation, Room } from './room.ts';

const checkModerate = validator(sfuModerateCommandSchema);
const checkAccess = validator(sfuAccessCommandSchema);
/** A command is a few ids; anything bigger is not one. */
const MAX_BODY_BYTES = 4096;

/** The control routes; anything else under `/internal/` is a 404. */
export const CONTROL_ROUTES = ['/internal/moderate', '/internal/access'] as const;

/** A session as an access command sees it. */
export interface AccessTarget {
  /** Epoch ms its grant was signed at. */
  readonly grantIssuedAt: number;
  /** Takes new perms; whether anything changed. */
  applyPerms(perms: VoicePerms): boolean;
  /** Ends the session, saying why. */
  revoke(reason: VoiceRevokeReason): void;
}

export interface ControlContext {
  secret: string;
  rooms: ReadonlyMap<string, Room>;
  /** Standing moderation per user on this node, so a rejoin stays muted. */
  moderation: Map<string, Moderation>;
  /** The sync server's latest access command per user and channel. */
  ledger: AccessLedger;
  /** The session of `userId` in `channelId` on this node, if any. */
  sessionOf(userId: string, channelId: string): AccessTarget | undefined;
}

/**
 * The sync server's commands to this node, each authenticated with an HS256
 * token signed with the voice secret (audience `echora-sfu-internal`) before
 * the body is read:
 *
 * - `POST /internal/moderate` (the sync server checked `muteMembers`):
 *   server-mutes or server-deafens a user. 200 with the user's moderation,
 *   404 when they are not in the room.
 * - `POST /internal/access`: the user's rights in a channel changed (ban,
 *   kick, timeout, roles, overrides): new perms, or `null` to end their
 *   session. 200 with what it did (nothing when the user is not here).
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
  const text = await readBody(req);
  if (text === undefined) {
    // The rest of the body is not read: the connection closes after this answer.
    res.setHeader('connection', 'close');
    return reply(res, 413, 'too_large', `a command is at most ${MAX_BODY_BYTES} bytes`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return reply(res, 400, 'invalid', 'the body is not JSON');
  }
  if (req.url === '/internal/access') {
    const checked = checkAccess(value);
    if (!checked.ok) return reply(res, 400, 'invalid', checked.error.message);
    return answer(res, applyAccess(checked.value, ctx));
  }
  const checked = checkModerate(value);
  if (!checked.ok) return reply(res, 400, 'invalid', checked.error.message);
  const result = moderate(checked.value, ctx);
  if (!result) return reply(res, 404, 'not_found', 'that user is not in that channel here');
  answer(res, result);
}

function moderate(command: SfuModerateCommand, ctx: ControlContext): Moderation | undefined {
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

/**
 * Recorded even when the user is not here, so a grant signed before the
 * command cannot join later. The newest decision wins: a command older than
 * the session's grant leaves the session alone (the sync server, seeing the
 * perms in the next report, sends a newer one if they are wrong).
 */
function applyAccess(command: SfuAccessCommand, ctx: ControlContext): SfuAccessResult {
  const none = { ended: 0, updated: 0 };
  if (!ctx.ledger.record(command)) return none;
  const session = ctx.sessionOf(command.userId, command.channelId);
  if (!session || session.grantIssuedAt > command.at) return none;
  if (command.perms === null) {
    session.revoke(command.reason ?? 'no_access');
    return { ended: 1, updated: 0 };
  }
  return { ended: 0, updated: session.applyPerms(command.perms) ? 1 : 0 };
}

/** The body as text, or undefined past {@link MAX_BODY_BYTES} (reading stops there). */
function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        req.off('data', onData);
        req.pause();
        resolve(undefined);
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function answer(res: ServerResponse, body: unknown): void {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function reply(res: ServerResponse, status: number, kind: string, message: string): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ error: { kind, message } }));
}
