import { createCipheriv } from 'node:crypto';
import { internalsChecked } from './node-internals.ts';

/**
 * AES-128-GCM sealing for the forward path, on one native cipher reused for
 * every packet. `createCipheriv` per packet builds a stream object and a
 * native CipherBase (a weak handle V8 must collect) around OpenSSL's context;
 * the native object can be initialised again once `final` has released its
 * context (Node 20, src/crypto/crypto_cipher.cc: `initiv` → CommonInit), so
 * the forward path keeps one and only pays for OpenSSL's own set-up.
 *
 * The hook is Node's internal handle (the `kHandle` symbol property of a
 * Cipheriv and its initiv/setAAD/update/final/getAuthTag methods). It is used
 * only on Node 20, where that was read and tested (initiv on a context still
 * held aborts the process, so an unchecked version must not try it), if it is
 * there and seals known packets exactly as `createCipheriv` does; otherwise,
 * or after any error on it, sealing goes through `createCipheriv`. Decryption stays on `createDecipheriv`: the native
 * decipher keeps its tag state after `final`, so it cannot be reused.
 */

const TAG_LENGTH = 16;

/** Node's native cipher object behind a Cipheriv (internal; Node 20). */
interface CipherHandle {
  initiv(cipher: string, key: Buffer, iv: Buffer, authTagLength: number): void;
  setAAD(aad: Buffer, plaintextLength: number): boolean;
  update(data: Buffer): Buffer;
  final(): Buffer;
  getAuthTag(): Buffer | undefined;
}

/** header || ciphertext || tag, through the public API. */
function sealPublic(key: Buffer, iv: Buffer, header: Buffer, payload: Buffer): Buffer {
  const cipher = createCipheriv('aes-128-gcm', key, iv);
  cipher.setAAD(header);
  const encrypted = cipher.update(payload);
  cipher.final();
  return join(header, encrypted, cipher.getAuthTag());
}

function join(header: Buffer, encrypted: Buffer, tag: Buffer): Buffer {
  const out = Buffer.allocUnsafe(header.length + encrypted.length + TAG_LENGTH);
  header.copy(out, 0);
  encrypted.copy(out, header.length);
  tag.copy(out, header.length + encrypted.length);
  return out;
}

/** Seals on `handle`, or throws (the handle is then unusable: its context may be held). */
function sealOn(
  handle: CipherHandle,
  key: Buffer,
  iv: Buffer,
  header: Buffer,
  payload: Buffer,
): Buffer {
  handle.initiv('aes-128-gcm', key, iv, TAG_LENGTH);
  if (!handle.setAAD(header, -1)) throw new Error('setAAD refused');
  const encrypted = handle.update(payload);
  handle.final();
  const tag = handle.getAuthTag();
  if (!tag || tag.length !== TAG_LENGTH) throw new Error('no tag');
  return join(header, encrypted, tag);
}

/** The native handle of a fresh Cipheriv, released (final) and checked on known packets. */
function reusableHandle(): CipherHandle | undefined {
  if (!internalsChecked) return undefined;
  try {
    const key = Buffer.alloc(16, 7);
    const iv = Buffer.alloc(12, 9);
    const cipher = createCipheriv('aes-128-gcm', key, iv);
    const symbol = Object.getOwnPropertySymbols(cipher).find((s) => s.description === 'kHandle');
    const handle = symbol
      ? (cipher as unknown as Record<symbol, Partial<CipherHandle> | undefined>)[symbol]
      : undefined;
    if (
      !handle ||
      typeof handle.initiv !== 'function' ||
      typeof handle.setAAD !== 'function' ||
      typeof handle.update !== 'function' ||
      typeof handle.final !== 'function' ||
      typeof handle.getAuthTag !== 'function'
    )
      return undefined;
    const ready = handle as CipherHandle;
    ready.final();
    // Twice, with different IVs and lengths: the second proves re-initialising works.
    for (const length of [20, 3]) {
      iv[11] = length;
      const header = Buffer.alloc(12, length);
      const payload = Buffer.alloc(length, 5);
      if (!sealOn(ready, key, iv, header, payload).equals(sealPublic(key, iv, header, payload)))
        return undefined;
    }
    return ready;
  } catch {
    return undefined;
  }
}

let handle = reusableHandle();

/** Whether sealing reuses one native cipher (false: `createCipheriv` per packet). */
export function sealReusesCipher(): boolean {
  return handle !== undefined;
}

/**
 * AES-128-GCM over `payload` with `header` as additional data: returns
 * header || ciphertext || 16-byte tag in one new buffer. `iv` is read during
 * the call only.
 */
export function sealAes128Gcm(key: Buffer, iv: Buffer, header: Buffer, payload: Buffer): Buffer {
  const reused = handle;
  if (reused) {
    try {
      return sealOn(reused, key, iv, header, payload);
    } catch {
      // Its context may still be held (initiv would then abort): never use it again.
      handle = undefined;
    }
  }
  return sealPublic(key, iv, header, payload);
}
