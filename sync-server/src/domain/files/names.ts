import { INLINE_TYPES } from '@echora/shared/protocol/rest/files';
import type { ServeAs } from '../../storage/index.ts';

const MAX_NAME = 180;

/**
 * A file name fit to show and to put in a header: the last path segment only
 * (so `../../etc/passwd` is `passwd`), no control or reserved characters, no
 * leading dots, at most 180 characters with its extension kept. The name is
 * only ever shown: storage keys come from the file's id.
 */
export function safeFileName(raw: string | undefined): string {
  const base = (raw ?? '').split(/[/\\]/).pop() ?? '';
  // eslint-disable-next-line no-control-regex
  let name = base.replace(/[\u0000-\u001f\u007f<>:"|?*\u202a-\u202e\u2066-\u2069]/g, '');
  name = name.replace(/^[.\s]+/, '').trim();
  if (name.length > MAX_NAME) {
    const dot = name.lastIndexOf('.');
    const ext = dot > 0 && name.length - dot <= 12 ? name.slice(dot) : '';
    name = name.slice(0, MAX_NAME - ext.length) + ext;
  }
  return name || 'file';
}

/** `Content-Disposition` with an ASCII fallback and the UTF-8 name (RFC 6266 / 5987). */
export function contentDisposition(kind: 'inline' | 'attachment', name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  const encoded = encodeURIComponent(name).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

/** How to serve a stored file: inline only for safe media types, else as a download. */
export function serveAs(contentType: string, name: string): ServeAs {
  const inline = INLINE_TYPES.has(contentType);
  return {
    contentType,
    disposition: contentDisposition(inline ? 'inline' : 'attachment', name),
  };
}
