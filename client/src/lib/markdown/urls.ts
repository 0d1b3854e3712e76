/** Schemes a link in a message may use; anything else (javascript:, data:, vbscript:) is dropped. */
const SAFE_SCHEME = /^(?:https?|mailto):/i;

/**
 * The URL to put in an href or src, or undefined when it is not safe. Control
 * characters and whitespace are removed first, as browsers ignore them when
 * they read a scheme (`java\tscript:`). Relative paths on this origin pass
 * (`/api/...`), protocol-relative ones (`//evil`) do not.
 */
export function safeUrl(raw: string): string | undefined {
  // eslint-disable-next-line no-control-regex
  const url = raw.replace(/[\u0000-\u0020\u007f-\u009f]/g, '');
  if (url === '') return undefined;
  if (SAFE_SCHEME.test(url)) return url;
  if (url.startsWith('/') && !url.startsWith('//') && !url.startsWith('/\\')) return url;
  return undefined;
}
