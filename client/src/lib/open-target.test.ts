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
