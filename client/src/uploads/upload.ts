import type { Attachment, WireError } from '@echora/shared';
import { ApiError } from '../api/http.ts';
import { apiBase } from '../lib/config.ts';

/** Bytes sent so far of `total`. */
export type Progress = (loaded: number, total: number) => void;

/**
 * Uploads one file (`POST /api/uploads`, multipart) with progress, and
 * answers with the stored file. Rejects with `ApiError` for a refusal, a
 * `TypeError` when the network fails, and an `AbortError` when `signal` fires.
 */
export function uploadFile(
  blob: Blob,
  name: string,
  token: string,
  onProgress: Progress,
  signal?: AbortSignal,
): Promise<Attachment> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `${apiBase}/uploads`);
    xhr.setRequestHeader('authorization', `Bearer ${token}`);
    xhr.responseType = 'json';
    xhr.upload.onprogress = (e) => onProgress(e.loaded, e.lengthComputable ? e.total : blob.size);
    xhr.onload = () => {
      const body = xhr.response as { file?: Attachment; error?: WireError } | null;
      if (xhr.status === 201 && body?.file) resolve(body.file);
      else {
        const kind = body?.error?.kind ?? (xhr.status >= 500 ? 'unavailable' : 'invalid');
        reject(
          new ApiError(kind, body?.error?.message ?? `Upload failed (${xhr.status})`, xhr.status),
        );
      }
    };
    xhr.onerror = () => reject(new TypeError('Network error while uploading'));
    xhr.onabort = () => reject(new DOMException('Upload cancelled', 'AbortError'));
    signal?.addEventListener('abort', () => xhr.abort(), { once: true });
    const form = new FormData();
    form.append('file', blob, name);
    xhr.send(form);
  });
}
