import type { LinkPreview } from '@echora/shared';
import type { Db } from '../../db/types.ts';
import type { SafeFetch } from '../../net/safe-fetch.ts';
import type { FileStorage } from '../../storage/index.ts';
import { cachedPreview, rememberPreview } from './cache.ts';
import { asPreviewFailure, fetchPage, PreviewFailed, type FetchCaps } from './fetch-page.ts';
import { storePreviewImage } from './image.ts';

/** What unfurling needs from the node. */
export interface UnfurlDeps {
  db: Db;
  outbound: SafeFetch;
  /** Where preview images go; without it cards have no image. */
  storage: FileStorage | undefined;
  caps: FetchCaps;
  /** How long a card is cached. */
  ttlMs: number;
  /** How long a failure is cached (a page that was down may come back). */
  failureTtlMs: number;
}

function siteOf(url: string): string {
  return new URL(url).hostname.replace(/^www\./, '');
}

/** The page's canonical URL when it stays on the page's own origin; else the link itself. */
function cardLink(link: string, finalUrl: string, canonical: string | undefined): string {
  return canonical && new URL(canonical).origin === new URL(finalUrl).origin ? canonical : link;
}

async function makeCard(deps: UnfurlDeps, url: string, ownerId: string): Promise<LinkPreview> {
  const { meta, finalUrl } = await fetchPage(deps.outbound, url, deps.caps);
  const image =
    meta.image && deps.storage
      ? await storePreviewImage(
          deps.db,
          deps.storage,
          deps.outbound,
          meta.image,
          ownerId,
          deps.caps,
        )
      : undefined;
  if (!meta.title && !meta.description && !image) throw new PreviewFailed('no card meta');
  return {
    url: cardLink(url, finalUrl, meta.url),
    siteName: meta.siteName || siteOf(finalUrl),
    title: meta.title,
    description: meta.description,
    imageUrl: image?.url ?? null,
    imageWidth: image?.width ?? null,
    imageHeight: image?.height ?? null,
  };
}

/**
 * The card for a normalized URL: from the cache while it is fresh, else
 * fetched (page, then image) and cached, failures too. Null when the page
 * gives none. `ownerId` owns an image stored now (the message's author).
 */
export async function unfurlUrl(
  deps: UnfurlDeps,
  url: string,
  ownerId: string,
  now: Date,
): Promise<LinkPreview | null> {
  const hit = await cachedPreview(deps.db, url, now);
  if (hit) return hit.preview;
  try {
    const preview = await makeCard(deps, url, ownerId);
    await rememberPreview(deps.db, url, { preview, error: null }, now, deps.ttlMs);
    return preview;
  } catch (err) {
    const failure = asPreviewFailure(err);
    await rememberPreview(
      deps.db,
      url,
      { preview: null, error: failure.reason },
      now,
      deps.failureTtlMs,
    );
    return null;
  }
}
