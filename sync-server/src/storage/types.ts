import type { Readable } from 'node:stream';

/** How the bytes of a stored object should be served. */
export interface ServeAs {
  contentType: string;
  /** A full `Content-Disposition` header value. */
  disposition: string;
}

/**
 * Where uploaded files live. Keys are made by the server only (never from a
 * client's file name), e.g. `files/<uuid>` or `files/<uuid>.thumb`.
 * Two implementations share one test suite: local disk and S3.
 */
export interface FileStorage {
  readonly kind: 'local' | 's3';
  /** Stores `body` (exactly `size` bytes) under `key`, replacing what was there. */
  put(
    key: string,
    body: Readable | Buffer,
    meta: { contentType: string; size: number },
  ): Promise<void>;
  /** The object's bytes, or undefined when there is none. */
  get(key: string): Promise<Readable | undefined>;
  /** The object's size, or undefined when there is none. */
  head(key: string): Promise<{ size: number } | undefined>;
  /** Removes the object; removing a missing one is not an error. */
  delete(key: string): Promise<void>;
  /**
   * A URL the browser may fetch the bytes from directly for `expiresInSeconds`,
   * or null when this backend serves bytes only through the server.
   */
  presignGet(key: string, serveAs: ServeAs, expiresInSeconds: number): Promise<string | null>;
  /** Releases clients and connections. */
  close(): Promise<void>;
}

/** Keys are server-made; anything else is a bug, refused before it reaches a path or a URL. */
export function assertKey(key: string): void {
  if (!/^[a-z]+\/[0-9a-f-]{36}(\.[a-z]+)?$/.test(key)) {
    throw new Error(`storage: refusing key ${JSON.stringify(key)}`);
  }
}
