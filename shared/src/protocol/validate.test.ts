import { describe, expect, it } from 'vitest';
import { newId } from '../ids.ts';
import { mutationArgs } from './mutations/index.ts';
import { upMessage } from './up.ts';
import { validator } from './validate.ts';

describe('validator', () => {
  const checkSend = validator(mutationArgs['message.send']);
  const good = { id: newId(), channelId: newId(), content: 'hi' };

  it('accepts a valid value', () => {
    expect(checkSend(good)).toEqual({ ok: true, value: good });
  });

  it.each([
    ['missing field', { id: good.id, content: 'x' }, 'channelId'],
    ['wrong type', { ...good, content: 5 }, 'content'],
    ['too long', { ...good, content: 'x'.repeat(4001) }, 'content'],
    ['not a uuid', { ...good, id: 'nope' }, 'id'],
    ['extra key', { ...good, __proto__x: 1 }, ''],
  ])('refuses %s with a typed error naming the field', (_n, value, field) => {
    const r = checkSend(value);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.kind).toBe('invalid');
      expect(r.error.message).toContain(field);
    }
  });

  it('refuses non-objects', () => {
    for (const v of [null, 1, 'x', [], undefined]) expect(checkSend(v).ok).toBe(false);
  });

  it('knows every up frame type', () => {
    const check = validator(upMessage);
    expect(check({ type: 'ping' }).ok).toBe(true);
    expect(check({ type: 'nope' }).ok).toBe(false);
    expect(check({ type: 'mutate', seq: 1, name: 'message.send', args: {} }).ok).toBe(true);
    expect(check({ type: 'mutate', seq: 0, name: 'message.send', args: {} }).ok).toBe(false);
    expect(check({ type: 'mutate', seq: 1, name: 'drop.tables', args: {} }).ok).toBe(false);
  });
});
