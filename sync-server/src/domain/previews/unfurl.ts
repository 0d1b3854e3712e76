import type { LinkPreview } from '@echora/shared';
import type { Db } from '../../db/types.ts';
import type { SafeFetch } from '../../net/safe-fetch.ts';
import type { FileStorage } from '../../storage/index.ts';
import { cachedPreview, rememberPreview } from './cache.ts';
import { asPreviewFailure, fetchPage, PreviewFailed, type FetchCaps } from './fetch-page.ts';
import { storePreviewImage } from './image.ts';
import { fetchOembed, providerRequest, type OembedCard, type OembedEndpoints } from './oembed.ts';

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
  /** Known providers' oEmbed endpoints replaced (`OEMBED_ENDPOINTS`). */
  oembedEndpoints?: OembedEndpoints | undefined;
}

function siteOf(url: string): string {
  return new URL(url).hostname.replace(/^www\./, '');
}

/** The page's canonical URL when it stays on the page's own origin; else the link itself. */
function cardLink(link: string, finalUrl: string, canonical: string | undefined): string {
  return canonical && new URL(canonical).origin === new URL(finalUrl).origin ? canonical : link;
}

/** The card's image, fetched and re-encoded; undefined without one (or without storage). */
function cardImage(deps: UnfurlDeps, imageUrl: string | undefined, ownerId: string) {
  return imageUrl && deps.storage
    ? storePreviewImage(deps.db, deps.storage, deps.outbound, imageUrl, ownerId, deps.caps)
    : undefined;
}

/** An oEmbed answer, or undefined when the request failed (the page may still give a card). */
async function tryOembed(deps: UnfurlDeps, request: string): Promise<OembedCard | undefined> {
  try {
    return await fetchOembed(deps.outbound, request, deps.caps);
  } catch (err) {
    asPreviewFailure(err);
    return undefined;
  }
}

/**
 * A known provider's link (YouTube, Vimeo, SoundCloud, Spotify, X) is asked
 * of its oEmbed endpoint; any other page is fetched for its OpenGraph and
 * Twitter card meta, and its discovered oEmbed fills what those lack. Only
 * text and the thumbnail are used, never the oEmbed `html`.
 */
async function makeCard(deps: UnfurlDeps, url: string, ownerId: string): Promise<LinkPreview> {
  const known = providerRequest(url, deps.oembedEndpoints);
  const provided = known ? await tryOembed(deps, known) : undefined;
  if (provided?.title) {
    const image = await cardImage(deps, provided.thumbnail, ownerId);
    return {
      url,
      siteName: provided.provider || siteOf(url),
      title: provided.title,
      description: provided.author,
      imageUrl: image?.url ?? null,
      imageWidth: image?.width ?? null,
      imageHeight: image?.height ?? null,
    };
  }
  const { meta, finalUrl } = await fetchPage(deps.outbound, url, deps.caps);
  const discovered =
    meta.oembed && (!meta.title || !meta.image) ? await tryOembed(deps, meta.oembed) : undefined;
  const title = meta.title || discovered?.title || '';
  const description = meta.description || discovered?.author || '';
  const image = await cardImage(deps, meta.image ?? discovered?.thumbnail, ownerId);
  if (!title && !description && !image) throw new PreviewFailed('no card meta');
  return {
    url: cardLink(url, finalUrl, meta.url),
    siteName: meta.siteName || discovered?.provider || siteOf(finalUrl),
    title,
    description,
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
