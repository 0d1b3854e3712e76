import type { PluginListenerHandle } from '@capacitor/core';
import { Capacitor } from '@capacitor/core';
import { Style } from '@capacitor/status-bar';
import type { Intent } from 'send-intent';
import { describe, expect, it } from 'vitest';
import { createCapacitorPlatform, type CapacitorPlugins } from './capacitor.ts';
import { choosePlatform } from './index.ts';
import type { Platform } from './platform.ts';
import { requestPersistentStorage } from './web.ts';

type Listener = (event: never) => void;

/** Plugins as they publish themselves: listeners by event name, handles that remove them. */
class FakePlugins {
  readonly listeners = new Map<string, Set<Listener>>();
  readonly calls: unknown[] = [];
  readonly stored = new Map<string, string>();
  connected = true;
  exited = false;
  wentBack = 0;

  emit(event: string, data?: unknown): void {
    for (const cb of this.listeners.get(event) ?? []) (cb as (d: unknown) => void)(data);
  }

  #add = (event: string, cb: Listener): Promise<PluginListenerHandle> => {
    const set = this.listeners.get(event) ?? new Set();
    set.add(cb);
    this.listeners.set(event, set);
    return Promise.resolve({ remove: () => Promise.resolve(void set.delete(cb)) });
  };

  readonly plugins: CapacitorPlugins = {
    network: {
      getStatus: () =>
        Promise.resolve({
          connected: this.connected,
          connectionType: this.connected ? 'wifi' : 'none',
        }),
      addListener: this.#add,
    },
    app: {
      addListener: this.#add,
      exitApp: () => Promise.resolve(void (this.exited = true)),
    },
    statusBar: {
      setStyle: (options) => Promise.resolve(void this.calls.push(['style', options.style])),
      setBackgroundColor: (options) =>
        Promise.resolve(void this.calls.push(['color', options.color])),
    },
    secureStorage: {
      getItem: (key) => Promise.resolve(this.stored.get(key) ?? null),
      setItem: (key, value) => Promise.resolve(void this.stored.set(key, value)),
      removeItem: (key) => Promise.resolve(void this.stored.delete(key)),
    },
    sendIntent: {
      checkSendIntentReceived: () => Promise.reject(new Error('No processing needed')),
    },
    localNotifications: {
      checkPermissions: () => Promise.resolve({ display: 'prompt' }),
      requestPermissions: () => Promise.resolve({ display: 'granted' }),
      createChannel: () => Promise.resolve(),
      schedule: (options) =>
        Promise.resolve({ notifications: options.notifications.map(({ id }) => ({ id })) }),
      addListener: this.#add,
    },
    historyBack: () => void this.wentBack++,
    readFile: () => Promise.reject(new Error('no files here')),
  };
}

/** Lets the plugins' promises (getStatus, addListener) settle. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('choosing the platform', () => {
  const fake = { kind: 'web' } as Platform;
  const native = { kind: 'capacitor' } as Platform;

  it('is the browser outside a native shell, as Capacitor itself answers here', () => {
    expect(Capacitor.isNativePlatform()).toBe(false);
    expect(
      choosePlatform(
        () => Capacitor.isNativePlatform(),
        () => native,
        () => fake,
      ),
    ).toBe(fake);
  });

  it('is the Capacitor implementation inside one', () => {
    expect(
      choosePlatform(
        () => true,
        () => native,
        () => fake,
      ),
    ).toBe(native);
  });
});

describe('the Capacitor platform', () => {
  it('follows @capacitor/network for connectivity', async () => {
    const fake = new FakePlugins();
    fake.connected = false;
    const platform = createCapacitorPlatform(fake.plugins);
    await settle();
    expect(platform.isOnline()).toBe(false);
    const seen: boolean[] = [];
    const off = platform.onOnlineChange((online) => seen.push(online));
    fake.emit('networkStatusChange', { connected: true, connectionType: 'wifi' });
    fake.emit('networkStatusChange', { connected: true, connectionType: 'cellular' });
    expect(platform.isOnline()).toBe(true);
    off();
    fake.emit('networkStatusChange', { connected: false, connectionType: 'none' });
    expect(seen).toEqual([true]);
  });

  it('reports resume and app state from @capacitor/app, and stops when asked', async () => {
    const fake = new FakePlugins();
    const platform = createCapacitorPlatform(fake.plugins);
    let resumed = 0;
    const visible: boolean[] = [];
    const offResume = platform.onResume(() => resumed++);
    const offVisible = platform.onVisibilityChange((v) => visible.push(v));
    await settle();
    fake.emit('appStateChange', { isActive: false });
    fake.emit('resume');
    fake.emit('appStateChange', { isActive: true });
    offResume();
    offVisible();
    await settle();
    fake.emit('resume');
    expect(resumed).toBe(1);
    expect(visible).toEqual([false, true]);
  });

  it('lets the back button close panels, newest first, before going back or leaving', async () => {
    const fake = new FakePlugins();
    const platform = createCapacitorPlatform(fake.plugins);
    await settle();
    let drawerOpen = true;
    let panelOpen = true;
    const closed: string[] = [];
    platform.onBack(() => drawerOpen && !(drawerOpen = false) && closed.push('drawer') > 0);
    const offPanel = platform.onBack(
      () => panelOpen && !(panelOpen = false) && closed.push('panel') > 0,
    );
    fake.emit('backButton', { canGoBack: false });
    fake.emit('backButton', { canGoBack: false });
    expect(closed).toEqual(['panel', 'drawer']);
    expect(fake.exited).toBe(false);
    fake.emit('backButton', { canGoBack: true });
    expect(fake.wentBack).toBe(1);
    offPanel();
    fake.emit('backButton', { canGoBack: false });
    expect(fake.exited).toBe(true);
  });

  it('colours the status bar for the theme', async () => {
    const fake = new FakePlugins();
    const platform = createCapacitorPlatform(fake.plugins);
    await platform.setStatusBar({ dark: true, color: '#1e1f22' });
    await platform.setStatusBar({ dark: false, color: '#f2f3f5' });
    expect(fake.calls).toEqual([
      ['style', Style.Dark],
      ['color', '#1e1f22'],
      ['style', Style.Light],
      ['color', '#f2f3f5'],
    ]);
  });

  it('keeps secrets in the secure storage plugin', async () => {
    const fake = new FakePlugins();
    const { secrets } = createCapacitorPlatform(fake.plugins);
    await secrets!.set('refresh', 'r1');
    expect(fake.stored.get('refresh')).toBe('r1');
    expect(await secrets!.get('refresh')).toBe('r1');
    await secrets!.remove('refresh');
    expect(await secrets!.get('refresh')).toBeNull();
  });
});

describe('persistent storage on the web', () => {
  it('asks the browser once, and not again when already granted', async () => {
    let asked = 0;
    let granted = false;
    const storage = {
      persisted: () => Promise.resolve(granted),
      persist: () => Promise.resolve((asked++, (granted = true))),
    };
    expect(await requestPersistentStorage(storage)).toBe(true);
    expect(await requestPersistentStorage(storage)).toBe(true);
    expect(asked).toBe(1);
    expect(await requestPersistentStorage(undefined)).toBe(false);
  });
});

describe('sharing into the Capacitor app (send-intent)', () => {
  /** The plugin as it publishes itself: the intent, or a rejection when there was none. */
  const withIntent = (intent: Intent | null): CapacitorPlugins['sendIntent'] => ({
    checkSendIntentReceived: () =>
      intent ? Promise.resolve(intent) : Promise.reject(new Error('No processing needed')),
  });
  const files = new Map<string, Blob>([
    ['file:///data/user/0/chat.echora.app/files/cat.png', new Blob(['png'], { type: 'image/png' })],
    ['file:///data/user/0/chat.echora.app/files/b.pdf', new Blob(['pdf'])],
  ]);
  const read: string[] = [];
  const readFile = (url: string) => {
    read.push(url);
    const blob = files.get(url);
    return blob ? Promise.resolve(blob) : Promise.reject(new Error('no such file'));
  };
  const platformWith = (intent: Intent | null) => {
    const fake = new FakePlugins();
    return createCapacitorPlatform({ ...fake.plugins, sendIntent: withIntent(intent), readFile });
  };

  it('has nothing when the app was opened another way', async () => {
    expect(await platformWith(null).takeShared()).toBeNull();
  });

  it('turns shared text and its subject into the composer text', async () => {
    const shared = await platformWith({
      title: 'A page',
      type: 'text/plain',
      url: 'Look at https://e.example/a',
    }).takeShared();
    expect(shared).toEqual({ text: 'Look at https://e.example/a', files: [] });
    const long = await platformWith({ type: 'text/plain', url: 'x'.repeat(10_000) }).takeShared();
    expect(long?.text).toHaveLength(4000);
  });

  it('reads shared images and files the plugin copied into the app, by name', async () => {
    read.length = 0;
    const shared = await platformWith({
      title: 'cat.png',
      type: 'image/png',
      url: 'file:///data/user/0/chat.echora.app/files/cat.png',
      additionalItems: [
        {
          title: 'b.pdf',
          type: 'application/pdf',
          url: 'file:///data/user/0/chat.echora.app/files/b.pdf',
        },
      ],
    }).takeShared();
    expect(shared?.text).toBe('');
    expect(shared?.files.map((f) => [f.name, f.type])).toEqual([
      ['cat.png', 'image/png'],
      ['b.pdf', 'application/pdf'],
    ]);
    expect(await shared?.files[0]?.text()).toBe('png');
  });

  it('reads nothing but the app’s own files, at most ten, and drops what cannot be read', async () => {
    read.length = 0;
    const hostile = await platformWith({
      title: 'x'.repeat(1000),
      type: 'image/*',
      url: 'https://evil.example/x.png',
      additionalItems: [
        null,
        42,
        { url: 'content://other.app/secret' },
        { url: 'file:///data/user/0/chat.echora.app/files/gone.png' },
        ...Array.from({ length: 20 }, () => ({
          title: 'x'.repeat(1000),
          url: 'file:///data/user/0/chat.echora.app/files/cat.png',
        })),
      ],
    }).takeShared();
    expect(read.every((url) => url.startsWith('file:'))).toBe(true);
    expect(read.length).toBeLessThanOrEqual(10);
    expect(hostile?.files.length).toBeGreaterThan(0);
    expect(hostile?.files.every((f) => f.name.length <= 255)).toBe(true);
    expect(
      await platformWith({ type: 'image/png', url: 'javascript:alert(1)' }).takeShared(),
    ).toBeNull();
  });
});
