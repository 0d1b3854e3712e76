import type { Platform } from './platform.ts';

/**
 * Keeps the phone's status bar the colour of the theme: `appearance.js`
 * sets `data-theme` on <html> and the `theme-color` meta whenever the
 * settings change, and this follows them.
 */
export function followThemeInStatusBar(device: Pick<Platform, 'setStatusBar'>): () => void {
  const root = document.documentElement;
  const apply = () => {
    const color = document.querySelector('meta[name="theme-color"]')?.getAttribute('content');
    const dark = root.getAttribute('data-theme') !== 'light';
    device
      .setStatusBar({ dark, color: color ?? (dark ? '#1e1f22' : '#f2f3f5') })
      .catch(() => undefined);
  };
  apply();
  const observer = new MutationObserver(apply);
  observer.observe(root, { attributes: true, attributeFilter: ['data-theme'] });
  return () => observer.disconnect();
}
