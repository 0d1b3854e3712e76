import { registerSW } from 'virtual:pwa-register';
import { handleError } from './toasts.svelte.ts';

/** The service worker: offline app shell, and the "new version" prompt. */
export class PwaUpdate {
  needRefresh = $state(false);
  #update: ((reload?: boolean) => Promise<void>) | undefined;

  /** Registers the service worker (production builds only; dev has none). */
  register(): void {
    if (!('serviceWorker' in navigator)) return;
    this.#update = registerSW({
      immediate: true,
      onNeedRefresh: () => (this.needRefresh = true),
      onRegisterError: (e: unknown) => console.error('service worker registration failed', e),
    });
  }

  /** Activates the waiting service worker and reloads into the new version. */
  reload(): void {
    this.needRefresh = false;
    this.#update?.(true).catch((e: unknown) => handleError(e));
  }

  dismiss(): void {
    this.needRefresh = false;
  }
}

export const pwa = new PwaUpdate();
