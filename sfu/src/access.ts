import {
  VOICE_GRANT_TTL_S,
  grantIssuedMs,
  type SfuAccessCommand,
  type VoiceGrantClaims,
  type VoicePerms,
  type VoiceRevokeReason,
} from '@echora/shared/voice/index';
import { CLOCK_TOLERANCE_S } from './grants.ts';

/** What a grant may do on this node, or why it may not come in. */
export type Admission = { ok: true; perms: VoicePerms } | { ok: false; reason: VoiceRevokeReason };

interface Entry {
  /** The command's time on the sync server's clock. */
  at: number;
  perms: VoicePerms | null;
  reason: VoiceRevokeReason | undefined;
  /** This node's clock when it arrived, to forget it. */
  storedAt: number;
}

/**
 * A grant signed before a command has expired (skew forgiven) this long after
 * it: the command need not be remembered longer.
 */
const REMEMBER_MS = (VOICE_GRANT_TTL_S + 2 * CLOCK_TOLERANCE_S) * 1000;
const PRUNE_EVERY_MS = 5_000;

const both = (a: VoicePerms, b: VoicePerms): VoicePerms => ({
  speak: a.speak && b.speak,
  stream: a.stream && b.stream,
  moderate: a.moderate && b.moderate,
});

/**
 * The sync server's latest access command per user and channel on this node.
 * A grant lives up to a minute, so a client could rejoin with one signed
 * before a ban, or renew with one signed before a downgrade: a grant older
 * than the command is held to it (refused after an end, limited to the
 * command's perms after a change). Entries are forgotten once every grant
 * older than them has expired.
 */
export class AccessLedger {
  private readonly entries = new Map<string, Entry>();
  private prunedAt = 0;

  /** Records a command; false when it is older than the one held (then it is ignored). */
  record(command: SfuAccessCommand, now = Date.now()): boolean {
    this.prune(now);
    const key = keyOf(command.userId, command.channelId);
    const held = this.entries.get(key);
    if (held && held.at > command.at) return false;
    this.entries.set(key, {
      at: command.at,
      perms: command.perms,
      reason: command.reason,
      storedAt: now,
    });
    return true;
  }

  /**
   * What a verified grant may do here. A grant signed after the last command
   * stands as it is (without `iatMs`, `iat` has one-second precision and a
   * grant of the command's second counts as older).
   */
  admit(claims: VoiceGrantClaims, now = Date.now()): Admission {
    this.prune(now);
    const held = this.entries.get(keyOf(claims.sub, claims.ch));
    if (!held || grantIssuedMs(claims) > held.at) return { ok: true, perms: claims.perms };
    if (held.perms === null) return { ok: false, reason: held.reason ?? 'no_access' };
    return { ok: true, perms: both(claims.perms, held.perms) };
  }

  get size(): number {
    return this.entries.size;
  }

  private prune(now: number): void {
    if (now - this.prunedAt < PRUNE_EVERY_MS) return;
    this.prunedAt = now;
    for (const [key, entry] of this.entries)
      if (now - entry.storedAt > REMEMBER_MS) this.entries.delete(key);
  }
}

const keyOf = (userId: string, channelId: string): string => `${userId} ${channelId}`;
