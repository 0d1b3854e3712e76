import { tapHub, type Notifier } from './notifier.ts';

/** Page notifications (the `Notification` constructor) while a tab is open; a click opens the message. */
export function createPageNotifier(): Notifier {
  const hub = tapHub();
  const supported = () => typeof Notification !== 'undefined';
  return {
    permission: () => Promise.resolve(supported() ? Notification.permission : 'unsupported'),
    requestPermission: async () =>
      supported() ? await Notification.requestPermission() : 'unsupported',
    show({ title, body, target }) {
      const n = new Notification(title, { body, tag: target.messageId });
      n.onclick = () => {
        window.focus();
        n.close();
        hub.tap(target);
      };
      return Promise.resolve();
    },
    onTap: hub.onTap,
  };
}
