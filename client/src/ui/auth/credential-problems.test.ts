import { describe, expect, it } from 'vitest';
import { credentialProblems, humanAuthError } from './credential-problems.ts';

describe('credentialProblems', () => {
  it.each([
    ['', 'Correct-Horse-9', 'register', { username: 'Enter your username.' }],
    ['alice', '', 'login', { password: 'Enter your password.' }],
    ['a', 'Correct-Horse-9', 'register', { username: 'Use 2 to 32 characters for your username.' }],
    [
      'no spaces!',
      'Correct-Horse-9',
      'register',
      { username: 'Use only letters, numbers, and the characters _ . -' },
    ],
    ['alice', 'short', 'register', { password: 'Use at least 8 characters for your password.' }],
    [
      'alice',
      'x'.repeat(257),
      'register',
      { password: 'Use at most 256 characters for your password.' },
    ],
    // Logging in does not judge old accounts by today's rules.
    ['no spaces!', 'short', 'login', {}],
    ['alice', 'Correct-Horse-9', 'register', {}],
  ] as const)('%j / %j (%s)', (username, password, mode, expected) => {
    expect(credentialProblems(username, password, mode)).toEqual(expected);
  });
});

describe('humanAuthError', () => {
  it('words the server rules the way the form does', () => {
    expect(humanAuthError('password must be at least 8 characters long', 'invalid')).toBe(
      'Use at least 8 characters for your password.',
    );
    expect(humanAuthError('username may contain only letters, digits', 'invalid')).toBe(
      'Use only letters, numbers, and the characters _ . -',
    );
  });

  it('keeps readable messages and makes them sentences', () => {
    expect(humanAuthError('Wrong username or password', 'unauthorized')).toBe(
      'Wrong username or password.',
    );
    expect(humanAuthError('That username is taken', 'conflict')).toBe('That username is taken.');
    expect(humanAuthError('Too many login attempts; try again in 30 s', 'rate_limited')).toBe(
      'Too many attempts. Wait a minute, then try again.',
    );
  });
});
