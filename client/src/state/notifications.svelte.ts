import type { Channel, UserSettingValues } from '@echora/shared';
import type { ReplicaPort } from '../lib/engine-port.ts';
import { kvGet, kvSet } from '../lib/kv.ts';
import { plainText } from '@echora/shared';
import { handleError } from './toasts.svelte.ts';
import type { Unread } from './unread.svelte.ts';

const SETTING = 'notifications';

type Permission = NotificationPermission | 'unsupported';

const support = (): Permission =>
  typeof Notification === 'undefined' ? 'unsupported' : Notification.permission;

/**
 * Browser notifications while the app is hidden: for mentions of me, or for
 * every message, or none (the synced `notify` setting; muted channels stay
 * quiet). Every message of a direct conversation counts as a mention. Off on a device until the user turns them on there, which is when
 * the browser asks for permission, never on load.
 */
export class Notifications {
  /** The user's choice (kept in the replica's kv). */
  wanted = $state(false);
  permission: Permission = $state(support());
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
    private readonly open: (channelId: string) => void,
    private readonly notify: () => UserSettingValues['notify'] = () => 'mentions',
  ) {
    kvGet<boolean>(replica, SETTING).then(
      (value) => (this.wanted = value === true),
      (e: unknown) => handleError(e),
    );
    $effect(() => {
      if (!this.unread.loaded) return;
      const which = this.notify();
      // Rebuilt on every run, never mutated.
      // eslint-disable-next-line svelte/prefer-svelte-reactivity
      const dms = new Set(this.channels().flatMap((c) => (c.kind === 'dm' ? [c.id] : [])));
      const latest = [...this.unread.all].flatMap(([channelId, s]) => {
        const message = which === 'all' || dms.has(channelId) ? s.latestUnread : s.latestMention;
        return message ? [{ channelId, muted: s.muted, message }] : [];
      });
      const fresh = latest.filter(({ message }) => !this.#seen.has(message.id));
      for (const { message } of fresh) this.#seen.add(message.id);
      // What was there when the app opened is old news.
      if (!this.#primed) {
        this.#primed = true;
        return;
      }
      if (!this.enabled || this.unread.visible || which === 'none') return;
      for (const item of fresh) if (!item.muted) this.#show(item.channelId, item.message);
    });
  }

  /** The settings toggle: turning on asks the browser for permission. */
  async setWanted(on: boolean): Promise<void> {
    if (on && this.permission === 'default') {
      this.permission = await Notification.requestPermission();
    }
    this.wanted = on;
    await kvSet(this.replica, SETTING, on || undefined);
  }

  #show(channelId: string, message: { id: string; authorId: string; content: string }): void {
    const channel = this.channels().find((c) => c.id === channelId);
    try {
      const author = this.nameOf(message.authorId);
      const where =
        channel?.kind === 'dm'
          ? channel.name
            ? ` in ${channel.name}`
            : ''
          : ` in #${channel?.name ?? ''}`;
      const n = new Notification(`${author}${where}`, {
        body: plainText(message.content, this.nameOf),
        tag: message.id,
      });
      n.onclick = () => {
        window.focus();
        this.open(channelId);
        n.close();
      };
    } catch (e) {
      // Some browsers allow notifications only from a service worker.
      handleError(e, 'Could not show a notification');
    }
  }
}
