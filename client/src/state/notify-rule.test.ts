import { describe, expect, it } from 'vitest';
import {
  decideNotifications,
  noticeTitle,
  type ChannelUnread,
  type NotifiableMessage,
  type RuleInput,
} from './notify-rule.ts';

const msg = (id: string): NotifiableMessage => ({ id, authorId: 'alice', content: id });

/** #general: a plain message after a mention; #random: muted, a mention; the DM: a plain message. */
const unread: [string, ChannelUnread<NotifiableMessage>][] = [
  ['general', { muted: false, latestMention: msg('g-mention'), latestUnread: msg('g-later') }],
  ['random', { muted: true, latestMention: msg('r-mention'), latestUnread: msg('r-mention') }],
  ['dm', { muted: false, latestMention: undefined, latestUnread: msg('d-hello') }],
  ['quiet', { muted: false, latestMention: undefined, latestUnread: undefined }],
];

const decide = (over: Partial<RuleInput<NotifiableMessage>> = {}) => {
  const { weighed, notify } = decideNotifications({
    notify: 'mentions',
    dmIds: new Set(['dm']),
    unread,
    seen: new Set(),
    visible: false,
    ...over,
  });
  return {
    weighed: weighed.map((m) => m.id),
    notify: notify.map(({ channelId, message }) => `${channelId}:${message.id}`),
  };
};

describe('which messages notify (the web page and the phone app)', () => {
  it('notifies mentions and every direct message, never a muted channel', () => {
    expect(decide()).toEqual({
      weighed: ['g-mention', 'r-mention', 'd-hello'],
      notify: ['general:g-mention', 'dm:d-hello'],
    });
  });

  it('notifies every message with “all”, and nothing with “none”', () => {
    expect(decide({ notify: 'all' }).notify).toEqual(['general:g-later', 'dm:d-hello']);
    expect(decide({ notify: 'none' })).toEqual({
      weighed: ['g-mention', 'r-mention', 'd-hello'],
      notify: [],
    });
  });

  it('shows nothing while the app is on screen, yet weighs what came so it never notifies later', () => {
    expect(decide({ visible: true })).toEqual({
      weighed: ['g-mention', 'r-mention', 'd-hello'],
      notify: [],
    });
  });

  it('does not notify a message twice', () => {
    expect(decide({ seen: new Set(['g-mention', 'd-hello']) })).toEqual({
      weighed: ['r-mention'],
      notify: [],
    });
  });
});

describe('a notification’s title', () => {
  it('names who, and where', () => {
    expect(noticeTitle('alice', { kind: 'text', name: 'general' })).toBe('alice in #general');
    expect(noticeTitle('alice', { kind: 'dm', name: '' })).toBe('alice');
    expect(noticeTitle('alice', { kind: 'dm', name: 'Trip' })).toBe('alice in Trip');
  });
});
