import { randomBytes } from 'node:crypto';
import { AppError } from '@echora/shared';
import type { Db } from '../db/types.ts';
import { promoteOwner, requireUser, resetPassword } from '../domain/auth/operator.ts';
import { listSessions, revokeUserSessions } from '../domain/auth/sessions.ts';
import { rotateSharedSecrets } from '../secrets.ts';

/** What the commands need besides the database. */
export interface AdminContext {
  db: Db;
  dataDir: string;
  /** Variables that override a stored secret, so rotating it changes nothing. */
  secretsFromEnv: string[];
  /** Prints one line for the operator. */
  out(line: string): void;
  /** A password piped on stdin, or undefined to generate one. */
  readPassword(): Promise<string | undefined>;
}

export const USAGE = `Usage: npm run admin -- <command>
  reset-password <user>   set a new password (read from stdin, else generated and printed); ends their sessions
  promote-owner <user>    make the user the community's owner
  sessions <user>         list the user's sessions
  revoke-sessions <user>  end every session of the user (they log in again)
  rotate-secrets          replace the token and voice keys; restart every node and SFU after`;

const RESTART = 'Running servers see this after a restart.';

type Command = (context: AdminContext, username: string) => Promise<void>;

const COMMANDS: Record<string, { needsUser: boolean; run: Command }> = {
  'reset-password': {
    needsUser: true,
    async run(context, username) {
      const user = await requireUser(context.db, username);
      const piped = await context.readPassword();
      const password = piped ?? randomBytes(12).toString('base64url');
      const ended = await resetPassword(context.db, user.id, password);
      context.out(`Password of ${user.username} reset; ${ended} session(s) ended.`);
      if (piped === undefined) context.out(`New password: ${password}`);
    },
  },
  'promote-owner': {
    needsUser: true,
    async run(context, username) {
      const user = await requireUser(context.db, username);
      await promoteOwner(context.db, user.id);
      context.out(`${user.username} now owns the community. ${RESTART}`);
    },
  },
  sessions: {
    needsUser: true,
    async run(context, username) {
      const user = await requireUser(context.db, username);
      const sessions = await listSessions(context.db, user.id);
      if (sessions.length === 0) context.out(`${user.username} has no sessions.`);
      for (const session of sessions) {
        context.out(
          [
            session.id,
            session.active ? 'active ' : 'ended  ',
            `started ${session.startedAt.toISOString()}`,
            `last refresh ${session.lastRefreshAt.toISOString()}`,
            `expires ${session.expiresAt.toISOString()}`,
          ].join('  '),
        );
      }
    },
  },
  'revoke-sessions': {
    needsUser: true,
    async run(context, username) {
      const user = await requireUser(context.db, username);
      const ended = await revokeUserSessions(context.db, user.id);
      context.out(
        `${ended} session(s) of ${user.username} ended; access tokens already issued ` +
          'stay valid until they expire (ACCESS_TTL_SECONDS).',
      );
    },
  },
  'rotate-secrets': {
    needsUser: false,
    async run(context) {
      const names = await rotateSharedSecrets(context.db, context.dataDir);
      context.out(`Rotated ${names.join(' and ')}. Restart every node and SFU now.`);
      for (const name of context.secretsFromEnv) {
        context.out(
          `${name} is set in the environment and overrides the stored one: change it there.`,
        );
      }
    },
  },
};

/**
 * Runs one admin command; answers the exit code. Mistakes (unknown command,
 * unknown user, a password breaking the rules) print one line and answer 1.
 */
export async function runAdmin(args: string[], context: AdminContext): Promise<number> {
  const [name, username, ...rest] = args;
  const command = name === undefined ? undefined : COMMANDS[name];
  if (!command || (command.needsUser ? !username || rest.length > 0 : username !== undefined)) {
    context.out(USAGE);
    return 1;
  }
  try {
    await command.run(context, username ?? '');
    return 0;
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    context.out(error.message);
    return 1;
  }
}
