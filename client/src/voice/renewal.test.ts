import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { VoiceGrantResponse } from '@echora/shared/voice/index';
import { ApiError } from '../api/http.ts';
import { closeMessage, refusalMessage } from './reasons.ts';
import { GrantRenewal } from './renewal.ts';

const grantAt = (expiresAt: number, token = 't'): VoiceGrantResponse => ({
  url: 'ws://sfu',
  token,
  iceServers: [],
  expiresAt,
  perms: { speak: true, stream: true, moderate: false },
});

describe('GrantRenewal', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(1_700_000_000_000);
  });
  afterEach(() => vi.useRealTimers());

  function start(answers: (() => Promise<VoiceGrantResponse>)[]) {
    const request = vi.fn(() => (answers.shift() ?? (() => Promise.reject(new TypeError())))());
    const renewed: string[] = [];
    const refused: { kind: string; message: string }[] = [];
    const renewal = new GrantRenewal(request, {
      renewed: (g) => renewed.push(g.token),
      refused: (e) => refused.push(e),
    });
    return { request, renewed, refused, renewal };
  }

  it('renews at half the grant’s life, again from each new grant, until stopped', async () => {
    const now = Date.now();
    const { request, renewed, renewal } = start([
      () => Promise.resolve(grantAt(now + 90_000, 'second')),
      () => Promise.resolve(grantAt(now + 120_000, 'third')),
    ]);
    renewal.schedule(now + 60_000);
    await vi.advanceTimersByTimeAsync(29_999);
    expect(request).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(renewed).toEqual(['second']);
    await vi.advanceTimersByTimeAsync(30_000);
    expect(renewed).toEqual(['second', 'third']);
    renewal.stop();
    await vi.advanceTimersByTimeAsync(120_000);
    expect(request).toHaveBeenCalledTimes(2);
  });

  it('retries a network failure after 5 s; a refusal ends it with the server’s reason', async () => {
    const now = Date.now();
    const { request, renewed, refused, renewal } = start([
      () => Promise.reject(new TypeError('Failed to fetch')),
      () => Promise.reject(new ApiError('forbidden', 'You are timed out', 403)),
    ]);
    renewal.schedule(now + 60_000);
    await vi.advanceTimersByTimeAsync(30_000);
    expect(request).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(request).toHaveBeenCalledTimes(2);
    expect(refused).toEqual([{ kind: 'forbidden', message: 'You are timed out' }]);
    await vi.advanceTimersByTimeAsync(120_000);
    expect(request).toHaveBeenCalledTimes(2);
    expect(renewed).toEqual([]);
  });

  it('waits between 5 and 30 s whatever the two clocks say', async () => {
    const now = Date.now();
    const late = start([() => Promise.resolve(grantAt(now + 3_600_000))]);
    late.renewal.schedule(now + 3_600_000);
    await vi.advanceTimersByTimeAsync(30_000);
    expect(late.request).toHaveBeenCalledTimes(1);
    late.renewal.stop();
    const early = start([() => Promise.resolve(grantAt(now))]);
    early.renewal.schedule(now - 60_000);
    await vi.advanceTimersByTimeAsync(4_999);
    expect(early.request).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(early.request).toHaveBeenCalledTimes(1);
    early.renewal.stop();
  });
});

describe('what the user is told', () => {
  const close = (reason: string, detail = '') => ({ code: 4008, reason, detail, retry: false });

  it.each([
    ['banned', 'You were banned from this community.'],
    ['kicked', 'You were removed from this community.'],
    ['timed_out', 'You were timed out: no voice until the timeout ends.'],
    ['no_access', 'You no longer have access to this voice channel.'],
    ['something-new', 'You no longer have access to this voice channel.'],
  ])('ACCESS_REVOKED: %s', (detail, message) => {
    expect(closeMessage(close('ACCESS_REVOKED', detail))).toBe(message);
  });

  it('other closes, and refused renewals', () => {
    expect(closeMessage(close('REPLACED'))).toBe('You joined this channel from somewhere else.');
    expect(closeMessage(close('normal'))).toBeNull();
    expect(refusalMessage({ kind: 'not_found', message: 'No such channel' })).toBe(
      'You no longer have access to this voice channel.',
    );
    expect(refusalMessage({ kind: 'forbidden', message: 'You are timed out' })).toBe(
      'You are timed out',
    );
  });
});
