import { describe, expect, it } from 'vitest';
import { openTarget } from './open-target.ts';

const channel = '0190e7a0-0000-7000-8000-000000000001';
const message = '0190E7A0-0000-7000-8000-00000000000A';

describe('openTarget (what a clicked push asks the app to open)', () => {
  it('takes two ids, lower-cased', () => {
    expect(openTarget(channel, message)).toEqual({
      channelId: channel,
      messageId: message.toLowerCase(),
    });
  });

  it.each([
    [null, message],
    [channel, undefined],
    ['general', message],
    [channel, `${message}/../x`],
    [42, message],
  ])('refuses anything else: %s %s', (c, m) => {
    expect(openTarget(c, m)).toBeNull();
  });
});

describe('the community a phone’s notification names', () => {
  it('is kept as an http(s) origin, and dropped when it is anything else', () => {
    expect(openTarget(channel, message, 'https://chat.example.org/some/path')?.community).toBe(
      'https://chat.example.org',
    );
    expect(openTarget(channel, message, 'http://localhost:3000')?.community).toBe(
      'http://localhost:3000',
    );
    for (const bad of ['javascript:alert(1)', 'file:///etc/passwd', 'not a url', 42, null]) {
      const target = openTarget(channel, message, bad);
      expect(target).not.toBeNull();
      expect(target).not.toHaveProperty('community');
    }
  });
});
