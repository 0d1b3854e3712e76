import { describe, expect, it } from 'vitest';
import { AppError } from '@echora/shared';
import { LoginGuard } from './login-guard.ts';

const minute = 60_000;
const guard = () =>
  new LoginGuard({
    perIp: { max: 5, windowMs: minute },
    perUsernameAndIp: { max: 2, windowMs: minute },
    backstop: { freeFailures: 3, windowMs: minute, delayPerFailureMs: 100, maxDelayMs: 250 },
  });

const refusal = (run: () => unknown): unknown => {
  try {
    run();
  } catch (error) {
    return error instanceof AppError ? error.kind : error;
  }
  return undefined;
};

describe('LoginGuard', () => {
  it('limits a username per address, so other addresses still get in', () => {
    const g = guard();
    expect(g.admit('Alice', '10.0.0.1', 0)).toBe(0);
    expect(g.admit('alice', '10.0.0.1', 1)).toBe(0);
    expect(refusal(() => g.admit('ALICE', '10.0.0.1', 2))).toBe('rate_limited');
    expect(g.admit('alice', '10.0.0.2', 3)).toBe(0);
    // A new window starts fresh.
    expect(g.admit('alice', '10.0.0.1', minute)).toBe(0);
  });

  it('limits an address across usernames', () => {
    const g = guard();
    for (let i = 0; i < 5; i++) g.admit(`user${i}`, '10.0.0.9', i);
    expect(refusal(() => g.admit('other', '10.0.0.9', 10))).toBe('rate_limited');
  });

  it('delays attempts on a username past its free failures, capped, and never refuses', () => {
    const g = guard();
    for (let i = 0; i < 3; i++) g.failed('alice', i);
    expect(g.admit('alice', '10.0.0.1', 10)).toBe(0);
    g.failed('ALICE', 11);
    expect(g.admit('alice', '10.0.0.2', 12)).toBe(100);
    g.failed('alice', 13);
    expect(g.admit('alice', '10.0.0.3', 14)).toBe(200);
    for (let i = 0; i < 20; i++) g.failed('alice', 15);
    expect(g.admit('alice', '10.0.0.4', 16)).toBe(250);
    // Other usernames are not slowed, and the delay ends with the window.
    expect(g.admit('bob', '10.0.0.4', 17)).toBe(0);
    expect(g.admit('alice', '10.0.0.5', minute)).toBe(0);
  });
});
