import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { VoiceGrantClaims, VoicePerms } from '@echora/shared/voice/index';
import { AccessLedger } from './access.ts';

const all: VoicePerms = { speak: true, stream: true, moderate: true };
const listen: VoicePerms = { speak: false, stream: false, moderate: false };
const T = 1_700_000_000_000;

const claims = (userId: string, channelId: string, iatMs: number): VoiceGrantClaims => ({
  sub: userId,
  ch: channelId,
  node: 'ws://sfu:3001',
  perms: all,
  iat: Math.floor(iatMs / 1000),
  exp: Math.floor(iatMs / 1000) + 60,
});

describe('AccessLedger', () => {
  const user = randomUUID();
  const channel = randomUUID();

  it('refuses a grant signed before an end, keeps the reason, and admits a later one', () => {
    const ledger = new AccessLedger();
    expect(ledger.admit(claims(user, channel, T - 10_000), T)).toEqual({ ok: true, perms: all });
    ledger.record({ userId: user, channelId: channel, perms: null, reason: 'banned', at: T }, T);
    expect(ledger.admit(claims(user, channel, T - 10_000), T)).toEqual({
      ok: false,
      reason: 'banned',
    });
    // Same second as the command: it cannot be told apart from an older one.
    expect(ledger.admit(claims(user, channel, T + 500), T).ok).toBe(false);
    expect(ledger.admit(claims(user, channel, T + 1000), T)).toEqual({ ok: true, perms: all });
    // Another channel, another user: untouched.
    expect(ledger.admit(claims(user, randomUUID(), T - 10_000), T).ok).toBe(true);
    expect(ledger.admit(claims(randomUUID(), channel, T - 10_000), T).ok).toBe(true);
  });

  it('orders a grant carrying iatMs against a command of the same second', () => {
    const ledger = new AccessLedger();
    ledger.record({ userId: user, channelId: channel, perms: null, reason: 'timed_out', at: T }, T);
    const at = (ms: number) => ({ ...claims(user, channel, ms), iatMs: ms });
    expect(ledger.admit(at(T - 1), T).ok).toBe(false);
    expect(ledger.admit(at(T + 1), T)).toEqual({ ok: true, perms: all });
    // An iatMs that disagrees with iat is not believed: iat's second counts.
    expect(ledger.admit({ ...claims(user, channel, T), iatMs: T + 5000 }, T).ok).toBe(false);
  });

  it('holds an older grant to the perms of a later command, and ignores an older command', () => {
    const ledger = new AccessLedger();
    expect(ledger.record({ userId: user, channelId: channel, perms: listen, at: T }, T)).toBe(true);
    expect(ledger.admit(claims(user, channel, T - 5_000), T)).toEqual({ ok: true, perms: listen });
    expect(ledger.record({ userId: user, channelId: channel, perms: all, at: T - 1 }, T)).toBe(
      false,
    );
    expect(ledger.admit(claims(user, channel, T - 5_000), T)).toEqual({ ok: true, perms: listen });
  });

  it('forgets a command once every grant signed before it has expired', () => {
    const ledger = new AccessLedger();
    ledger.record({ userId: user, channelId: channel, perms: null, at: T }, T);
    ledger.record({ userId: randomUUID(), channelId: channel, perms: null, at: T }, T);
    expect(ledger.size).toBe(2);
    expect(ledger.admit(claims(user, channel, T - 1_000), T + 60_000).ok).toBe(false);
    ledger.admit(claims(user, channel, T - 1_000), T + 71_000);
    expect(ledger.size).toBe(0);
  });
});
