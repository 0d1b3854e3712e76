import { describe, expect, it } from 'vitest';
import { isTransientDbError } from './errors.ts';

const pgError = (code: string) => Object.assign(new Error('pg'), { code });

describe('isTransientDbError', () => {
  it.each([
    ['admin shutdown (Postgres restarting)', pgError('57P01'), true],
    ['connection failure', pgError('08006'), true],
    ['too many clients', pgError('53300'), true],
    ['serialization failure', pgError('40001'), true],
    ['deadlock', pgError('40P01'), true],
    ['socket reset', pgError('ECONNRESET'), true],
    ['pool client ended', new Error('Connection terminated unexpectedly'), true],
    ['unique violation is an answer, not an outage', pgError('23505'), false],
    ['syntax error is a bug', pgError('42601'), false],
    ['a plain bug', new TypeError('x is undefined'), false],
    ['not an error', 'boom', false],
  ])('%s', (_name, err, expected) => {
    expect(isTransientDbError(err)).toBe(expected);
  });
});
