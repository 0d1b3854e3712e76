import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { sealAes128Gcm, sealReusesCipher } from './gcm-seal.ts';

const onNode20 = process.versions.node.split('.')[0] === '20';

/** header || ciphertext || tag through a fresh public Cipheriv. */
function reference(key: Buffer, iv: Buffer, header: Buffer, payload: Buffer): Buffer {
  const cipher = createCipheriv('aes-128-gcm', key, iv);
  cipher.setAAD(header);
  const encrypted = Buffer.concat([cipher.update(payload), cipher.final()]);
  return Buffer.concat([header, encrypted, cipher.getAuthTag()]);
}

describe('sealAes128Gcm', () => {
  it('reuses one native cipher on Node 20 (the version it was checked on)', () => {
    expect(sealReusesCipher()).toBe(onNode20);
  });

  it('seals packet after packet as a fresh createCipheriv does, across keys, IVs and lengths', () => {
    const keys = [randomBytes(16), randomBytes(16)];
    for (let i = 0; i < 200; i++) {
      const key = keys[i % 2] as Buffer;
      const iv = randomBytes(12);
      const header = randomBytes(12 + (i % 3) * 4);
      const payload = randomBytes(i % 7 === 0 ? 0 : 1 + ((i * 37) % 300));
      expect(sealAes128Gcm(key, iv, header, payload)).toEqual(reference(key, iv, header, payload));
    }
    expect(sealReusesCipher()).toBe(onNode20);
  });

  it('opens with a public decipher', () => {
    const [key, iv, header, payload] = [
      randomBytes(16),
      randomBytes(12),
      randomBytes(12),
      randomBytes(50),
    ];
    const sealed = sealAes128Gcm(key, iv, header, payload);
    const decipher = createDecipheriv('aes-128-gcm', key, iv);
    decipher.setAAD(sealed.subarray(0, 12));
    decipher.setAuthTag(sealed.subarray(sealed.length - 16));
    const plain = Buffer.concat([
      decipher.update(sealed.subarray(12, sealed.length - 16)),
      decipher.final(),
    ]);
    expect(plain).toEqual(payload);
  });

  it('throws on a bad key as createCipheriv does, then seals on through the public API', () => {
    const [iv, header, payload] = [randomBytes(12), randomBytes(12), randomBytes(30)];
    expect(() => sealAes128Gcm(randomBytes(15), iv, header, payload)).toThrow();
    const key = randomBytes(16);
    expect(sealAes128Gcm(key, iv, header, payload)).toEqual(reference(key, iv, header, payload));
  });
});
