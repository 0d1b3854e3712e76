import { USER_SETTINGS_ID, withDefaults, type UserSettingValues } from '@echora/shared';
import type { EnginePort, ReplicaPort } from '../lib/engine-port.ts';
import { setClock } from '../lib/format.ts';
import { LiveQuery } from '../lib/live-query.svelte.ts';
import { handleError } from './toasts.svelte.ts';

/**
 * The signed-in user's settings: read from the replica (their user scope, so
 * every device of theirs follows), changed through `settings.update` (applied
 * at once, queued offline), and applied to the page. A copy goes to
 * localStorage so `public/appearance.js` applies the theme before the next
 * first paint.
 */
export class UserSettingsState {
  #row: LiveQuery<null, UserSettingValues | undefined>;

  /** The settings in force: what the user changed, over the defaults. */
  current: UserSettingValues = $derived.by(() => {
    const { id: _id, ...values } = withDefaults(this.#row.current);
    return values;
  });

  constructor(
    replica: ReplicaPort,
    private readonly engine: EnginePort,
  ) {
    this.#row = new LiveQuery(
      () => null,
      () => replica.userSettings.get(USER_SETTINGS_ID),
      undefined,
      (e) => handleError(e),
    );
    $effect(() => {
      // Until the replica answers, the copy appearance.js applied stays: no flash of defaults.
      if (!this.#row.loaded) return;
      const settings = this.current;
      window.echoraAppearance?.remember(settings);
      setClock(settings.clock);
    });
  }

  get loaded(): boolean {
    return this.#row.loaded;
  }

  /** Changes some settings; refused changes roll back with a toast. */
  update(changes: Partial<UserSettingValues>): void {
    this.engine.mutate('settings.update', changes).then(
      (r) => {
        if (!r.ok) handleError(r.error, 'Settings not saved');
      },
      (e: unknown) => handleError(e),
    );
  }
}

/** Forgets this device's copy (sign-out): the next person starts from the defaults. */
export function forgetStoredSettings(): void {
  window.echoraAppearance?.remember(null);
  setClock('system');
}
