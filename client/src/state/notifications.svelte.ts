import type { Channel, UserSettingValues } from '@echora/shared';
import type { ReplicaPort } from '../lib/engine-port.ts';
import { chosenServer } from '../lib/config.ts';
import { kvGet, kvSet } from '../lib/kv.ts';
import { plainText } from '@echora/shared';
import { platform } from '../platform/index.ts';
import type { Notifier, NotifyPermission } from '../platform/notifier.ts';
import { decideNotifications, noticeTitle } from './notify-rule.ts';
import { handleError } from './toasts.svelte.ts';
import type { Unread } from './unread.svelte.ts';

const SETTING = 'notifications';

/**
 * Notifications while the app runs and is not on screen: a hidden browser
 * tab (page notifications) or the phone app in the background (local
 * notifications), by the same rule (`notify-rule.ts`): mentions of me, or
 * every message, or none (the synced `notify` setting); every message of a
 * direct conversation counts as a mention; muted channels stay quiet. Off on
 * a device until the user turns them on there, which is when the browser or
 * the system asks for permission, never on load. A tap opens the message
 * (`NotificationOpener`).
 */
export class Notifications {
  /** The user's choice (kept in the replica's kv). */
  wanted = $state(false);
  permission: NotifyPermission = $state('default');
  enabled = $derived(this.wanted && this.permission === 'granted');
  /** Mentions already seen: those present at start and those notified since. */
  // Bookkeeping only, never read by the UI.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  #seen = new Set<string>();
  #primed = false;

  constructor(
    private readonly replica: ReplicaPort,
    private readonly unread: Unread,
    private readonly channels: () => readonly Channel[],
    private readonly nameOf: (userId: string) => string,
    private readonly notify: () => UserSettingValues['notify'] = () => 'mentions',
    private readonly notifier: Notifier = platform.notifications,
  ) {
    kvGet<boolean>(replica, SETTING).then(
      (value) => (this.wanted = value === true),
      (e: unknown) => handleError(e),
    );
    notifier.permission().then(
      (permission) => (this.permission = permission),
      () => (this.permission = 'unsupported'),
    );
    $effect(() => {
      if (!this.unread.loaded) return;
      const { weighed, notify } = decideNotifications({
        notify: this.notify(),
        // Rebuilt on every run, never mutated.
        // eslint-disable-next-line svelte/prefer-svelte-reactivity
        dmIds: new Set(this.channels().flatMap((c) => (c.kind === 'dm' ? [c.id] : []))),
        unread: this.unread.all,
        seen: this.#seen,
        visible: this.unread.visible,
      });
      for (const message of weighed) this.#seen.add(message.id);
      // What was there when the app opened is old news.
      if (!this.#primed) {
        this.#primed = true;
        return;
      }
      if (!this.enabled) return;
      for (const { channelId, message } of notify) this.#show(channelId, message);
    });
  }

  /** The settings toggle: turning on asks the browser or the system for permission. */
  async setWanted(on: boolean): Promise<void> {
    if (on && this.permission === 'default') {
      this.permission = await this.notifier.requestPermission();
    }
    this.wanted = on;
    await kvSet(this.replica, SETTING, on || undefined);
  }

  #show(channelId: string, message: { id: string; authorId: string; content: string }): void {
    const channel = this.channels().find((c) => c.id === channelId);
    const community = chosenServer();
    this.notifier
      .show({
        title: noticeTitle(this.nameOf(message.authorId), channel),
        body: plainText(message.content, this.nameOf),
        target: { channelId, messageId: message.id, ...(community ? { community } : {}) },
      })
      // Some browsers allow notifications only from a service worker.
      .catch((e: unknown) => handleError(e, 'Could not show a notification'));
  }
}
