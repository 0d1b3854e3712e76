import type { OpenTarget } from '../lib/open-target.ts';

/** Whether the app may show notifications here ('default': not asked yet). */
export type NotifyPermission = 'granted' | 'denied' | 'default' | 'unsupported';

/** One notification: who and where (the title), what (the body), and the message a tap opens. */
export interface Notice {
  title: string;
  body: string;
  target: OpenTarget;
}

/**
 * Notifications the running app shows itself: page notifications in
 * browsers, local notifications in the phone apps (also while in the
 * background). Closed-app delivery is Web Push, elsewhere.
 */
export interface Notifier {
  permission(): Promise<NotifyPermission>;
  /** Asks the person (the browser's or the system's prompt). */
  requestPermission(): Promise<NotifyPermission>;
  show(notice: Notice): Promise<void>;
  /**
   * Calls back with the message a tapped or clicked notification names. A
   * tap that came before anyone listened (a cold start) is handed to the
   * first listener.
   */
  onTap(cb: (target: OpenTarget) => void): () => void;
}

/** Taps to their listener; one that arrives with nobody listening waits for the next. */
export function tapHub(): Pick<Notifier, 'onTap'> & { tap(target: OpenTarget): void } {
  const listeners = new Set<(target: OpenTarget) => void>();
  let waiting: OpenTarget | null = null;
  return {
    tap(target) {
      if (listeners.size === 0) waiting = target;
      for (const cb of listeners) cb(target);
    },
    onTap(cb) {
      listeners.add(cb);
      if (waiting) {
        const target = waiting;
        waiting = null;
        cb(target);
      }
      return () => listeners.delete(cb);
    },
  };
}
