import type { ActionReturn } from 'svelte/action';
import { platform } from '../platform/index.ts';
import { mediaUrl } from './media.ts';
import { MediaLoader, type MediaLoaderOptions } from './media-loader.ts';

/** What `use:mediaSrc` is given: a file URL from the server (`/api/files/…`), or none. */
type MediaPath = string | null | undefined;

let loader: MediaLoader | undefined;

/**
 * Starts the phone apps' media loader for a signed-in community; the
 * returned function revokes its URLs and stops it (sign-out, a switch).
 */
export function startMediaLoader(options: MediaLoaderOptions): () => void {
  const mine = new MediaLoader(options);
  loader?.clear();
  loader = mine;
  return () => {
    mine.clear();
    if (loader === mine) loader = undefined;
  };
}

/** Starts loading once the element is near the viewport, as `loading="lazy"` would. */
function whenNear(node: HTMLImageElement, start: () => void): () => void {
  if (node.loading !== 'lazy' || typeof IntersectionObserver === 'undefined') {
    start();
    return () => undefined;
  }
  const observer = new IntersectionObserver(
    (entries) => {
      if (!entries.some((e) => e.isIntersecting)) return;
      observer.disconnect();
      start();
    },
    { rootMargin: '400px' },
  );
  observer.observe(node);
  return () => observer.disconnect();
}

/**
 * `<img use:mediaSrc={file.url}>`: shows a file from the server. In browsers
 * the media cookie authorises it and this sets `src`; in the phone apps,
 * where that cookie cannot reach the server, the loader fetches it with the
 * token into a `blob:` URL. A file that cannot load fires the element's
 * `error`, marked as already retried (the loader retried a 401 itself).
 */
export function mediaSrc(node: HTMLImageElement, path: MediaPath): ActionReturn<MediaPath> {
  if (platform.mediaCookies) {
    const set = (next: MediaPath) => {
      if (next) node.src = mediaUrl(next);
      else node.removeAttribute('src');
    };
    set(path);
    return { update: set };
  }
  let current = path;
  let stop = () => {};
  const show = (next: MediaPath) => {
    stop();
    current = next;
    node.removeAttribute('src');
    if (!next) return;
    stop = whenNear(node, () => {
      const load = loader?.load(mediaUrl(next)) ?? Promise.reject(new Error('not signed in'));
      load.then(
        (objectUrl) => {
          if (current === next) node.src = objectUrl;
        },
        () => {
          if (current !== next) return;
          node.dataset.retried = '1';
          node.dispatchEvent(new Event('error'));
        },
      );
    });
  };
  show(path);
  return {
    update: show,
    destroy() {
      stop();
      current = undefined;
    },
  };
}
