import type { PermissionState, PluginListenerHandle } from '@capacitor/core';
import type {
  ActionPerformed,
  Channel,
  LocalNotificationSchema,
  ScheduleOptions,
} from '@capacitor/local-notifications';
import { describe, expect, it } from 'vitest';
import {
  CHANNEL,
  createLocalNotifier,
  notificationId,
  type LocalNotificationsPort,
} from './local-notifications.ts';

const channelId = '0190f2a4-7c3e-7b1a-9d2e-3f4a5b6c7d8e';
const messageId = '0190f2a5-1111-7222-8333-444455556666';

/**
 * `@capacitor/local-notifications` as it publishes itself: permissions,
 * channels (Android; the web and iOS reject), scheduling, and the tap event,
 * which the native side keeps until a listener comes (a cold start).
 */
class FakeLocalNotifications implements LocalNotificationsPort {
  display: PermissionState = 'prompt';
  askedFor: PermissionState = 'granted';
  channels: Channel[] | null = [];
  readonly scheduled: LocalNotificationSchema[] = [];
  #tapListeners = new Set<(action: ActionPerformed) => void>();
  #kept: ActionPerformed[] = [];

  checkPermissions = () => Promise.resolve({ display: this.display });
  requestPermissions = () => Promise.resolve({ display: (this.display = this.askedFor) });
  createChannel = (channel: Channel) => {
    if (!this.channels) return Promise.reject(new Error('Not implemented on web.'));
    this.channels.push(channel);
    return Promise.resolve();
  };
  schedule = (options: ScheduleOptions) => {
    if (this.display !== 'granted') return Promise.reject(new Error('not allowed'));
    this.scheduled.push(...options.notifications);
    return Promise.resolve({ notifications: options.notifications.map(({ id }) => ({ id })) });
  };
  addListener = ((event: string, cb: (action: ActionPerformed) => void) => {
    if (event === 'localNotificationActionPerformed') {
      this.#tapListeners.add(cb);
      for (const action of this.#kept.splice(0)) cb(action);
    }
    const handle: PluginListenerHandle = {
      remove: () => Promise.resolve(void this.#tapListeners.delete(cb)),
    };
    return Promise.resolve(handle);
  }) as LocalNotificationsPort['addListener'];

  /** The person taps a notification carrying `extra`. */
  tap(extra: unknown): void {
    const action: ActionPerformed = {
      actionId: 'tap',
      notification: { id: 1, title: 't', body: 'b', extra },
    };
    if (this.#tapListeners.size === 0) this.#kept.push(action);
    for (const cb of this.#tapListeners) cb(action);
  }
}

/** Lets the plugin's promises (addListener) settle. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('local notifications on the phone', () => {
  it('reports the system permission, and asks for it when told to', async () => {
    const plugin = new FakeLocalNotifications();
    const notifier = createLocalNotifier(plugin);
    expect(await notifier.permission()).toBe('default');
    expect(await notifier.requestPermission()).toBe('granted');
    expect(await notifier.permission()).toBe('granted');
    plugin.display = 'prompt-with-rationale';
    expect(await notifier.permission()).toBe('default');
    plugin.askedFor = 'denied';
    expect(await notifier.requestPermission()).toBe('denied');
    const broken = new FakeLocalNotifications();
    broken.checkPermissions = () => Promise.reject(new Error('unavailable'));
    expect(await createLocalNotifier(broken).permission()).toBe('unsupported');
  });

  it('schedules who and where in the messages channel, with an id from the message', async () => {
    const plugin = new FakeLocalNotifications();
    plugin.display = 'granted';
    const notifier = createLocalNotifier(plugin);
    const target = { channelId, messageId, community: 'https://chat.example.org' };
    await notifier.show({ title: 'alice in #general', body: '@bob look', target });
    await notifier.show({ title: 'alice in #general', body: 'again', target });
    expect(plugin.channels).toEqual([
      expect.objectContaining({ id: CHANNEL, importance: 4, visibility: 0 }),
    ]);
    expect(plugin.scheduled).toHaveLength(2);
    expect(plugin.scheduled[0]).toMatchObject({
      id: notificationId(messageId),
      title: 'alice in #general',
      body: '@bob look',
      channelId: CHANNEL,
      extra: target,
    });
    // The same message replaces its notification; a 32-bit integer, as the plugin needs.
    expect(plugin.scheduled[1]?.id).toBe(plugin.scheduled[0]?.id);
    expect(notificationId(messageId)).toBe(0x0190f2a5);
    expect(notificationId('ffffffff-0000-7000-8000-000000000000')).toBe(0x7fffffff);
  });

  it('still schedules where the platform has no channels (iOS), and fails when refused', async () => {
    const plugin = new FakeLocalNotifications();
    plugin.channels = null;
    plugin.display = 'granted';
    const notifier = createLocalNotifier(plugin);
    await notifier.show({ title: 'alice', body: 'hi', target: { channelId, messageId } });
    expect(plugin.scheduled).toHaveLength(1);
    plugin.display = 'denied';
    await expect(
      notifier.show({ title: 'alice', body: 'hi', target: { channelId, messageId } }),
    ).rejects.toThrow('not allowed');
  });

  it('hands a tap to the opener, and a cold start’s tap to the first listener only', async () => {
    const plugin = new FakeLocalNotifications();
    // The app was started by the tap: it comes before any screen listens.
    plugin.tap({ channelId, messageId, community: 'https://chat.example.org/ignored/path' });
    const notifier = createLocalNotifier(plugin);
    await settle();
    const first: unknown[] = [];
    const off = notifier.onTap((target) => first.push(target));
    expect(first).toEqual([{ channelId, messageId, community: 'https://chat.example.org' }]);
    const second: unknown[] = [];
    notifier.onTap((target) => second.push(target));
    expect(second).toEqual([]);
    off();
    plugin.tap({ channelId: channelId.toUpperCase(), messageId });
    expect(second).toEqual([{ channelId, messageId }]);
    expect(first).toHaveLength(1);
  });

  it('ignores a tap whose data is not a message’s, and drops a community that is no web origin', async () => {
    const plugin = new FakeLocalNotifications();
    const notifier = createLocalNotifier(plugin);
    await settle();
    const seen: unknown[] = [];
    notifier.onTap((target) => seen.push(target));
    plugin.tap(undefined);
    plugin.tap('x');
    plugin.tap({ channelId: '../admin', messageId });
    plugin.tap({ channelId, messageId: 42 });
    expect(seen).toEqual([]);
    plugin.tap({ channelId, messageId, community: 'javascript:alert(1)' });
    plugin.tap({ channelId, messageId, community: 'not a url' });
    expect(seen).toEqual([
      { channelId, messageId },
      { channelId, messageId },
    ]);
  });
});
