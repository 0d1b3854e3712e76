import type { PermissionState } from '@capacitor/core';
import type { LocalNotificationsPlugin } from '@capacitor/local-notifications';
import { openTarget } from '../lib/open-target.ts';
import { tapHub, type Notifier, type NotifyPermission } from './notifier.ts';

/** The parts of `@capacitor/local-notifications` the app uses, as the plugin publishes them. */
export type LocalNotificationsPort = Pick<
  LocalNotificationsPlugin,
  'checkPermissions' | 'requestPermissions' | 'schedule' | 'createChannel' | 'addListener'
>;

/** The Android notification channel mentions and direct messages go to (people can tune it in the system settings). */
export const CHANNEL = 'messages';

const permissionOf = (display: PermissionState): NotifyPermission =>
  display === 'granted' ? 'granted' : display === 'denied' ? 'denied' : 'default';

/**
 * The plugin wants a 32-bit integer id: one from the message's id, so the
 * same message notified twice replaces its notification.
 */
export function notificationId(messageId: string): number {
  return Number.parseInt(messageId.replace(/-/g, '').slice(0, 8), 16) & 0x7fffffff;
}

/**
 * Local notifications in the phone apps: shown by the system while the app
 * runs, in the foreground or the background. A tap brings the app up and
 * names the message (the notification's `extra`, checked like any input).
 */
export function createLocalNotifier(plugin: LocalNotificationsPort): Notifier {
  const hub = tapHub();
  // Added at once: the plugin keeps a cold start's tap until a listener comes.
  void plugin
    .addListener('localNotificationActionPerformed', ({ notification }) => {
      const extra = (notification.extra ?? {}) as Record<string, unknown>;
      const target = openTarget(extra.channelId, extra.messageId, extra.community);
      if (target) hub.tap(target);
    })
    .catch(() => undefined);
  let channel: Promise<void> | undefined;
  // Android 8+ shows nothing outside a channel; iOS and the web have none (the call fails there).
  const ensureChannel = () =>
    (channel ??= plugin
      .createChannel({
        id: CHANNEL,
        name: 'Mentions and direct messages',
        importance: 4,
        visibility: 0,
      })
      .catch(() => undefined));
  return {
    permission: () =>
      plugin.checkPermissions().then(
        ({ display }) => permissionOf(display),
        () => 'unsupported' as const,
      ),
    requestPermission: () =>
      plugin.requestPermissions().then(
        ({ display }) => permissionOf(display),
        () => 'unsupported' as const,
      ),
    async show({ title, body, target }) {
      await ensureChannel();
      await plugin.schedule({
        notifications: [
          {
            id: notificationId(target.messageId),
            title,
            body,
            channelId: CHANNEL,
            group: target.channelId,
            extra: { ...target },
          },
        ],
      });
    },
    onTap: hub.onTap,
  };
}
