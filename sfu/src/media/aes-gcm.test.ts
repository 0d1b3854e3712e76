import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AesGcm128 } from './aes-gcm.ts';

/** Node's own GCM: ciphertext || tag. */
function reference(key: Buffer, iv: Buffer, aad: Buffer, plaintext: Buffer): Buffer {
  const cipher = createCipheriv('aes-128-gcm', key, iv);
  cipher.setAAD(aad);
  const body = cipher.update(plaintext);
  cipher.final();
  return Buffer.concat([body, cipher.getAuthTag()]);
}

describe('AesGcm128', () => {
  it('seals exactly as Node does, for every length around the block edges', () => {
    const key = randomBytes(16);
    const gcm = new AesGcm128(key);
    for (let length = 0; length <= 200; length++) {
      const iv = randomBytes(12);
      const aad = randomBytes(length % 29);
      const plaintext = randomBytes(length);
      const out = Buffer.alloc(aad.length + length + 16);
      aad.copy(out);
      gcm.seal(iv, aad, plaintext, out, aad.length);
      expect(out.subarray(aad.length)).toEqual(reference(key, iv, aad, plaintext));
    }
  });

  it('matches NIST test case 4 (AES-128, 60 bytes, 20 bytes of AAD)', () => {
    const hex = (s: string) => Buffer.from(s.replace(/\s/g, ''), 'hex');
    const gcm = new AesGcm128(hex('feffe9928665731c6d6a8f9467308308'));
    const plaintext = hex(`d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72
      1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39`);
    const aad = hex('feedfacedeadbeeffeedfacedeadbeefabaddad2');
    const out = Buffer.alloc(plaintext.length + 16);
    gcm.seal(hex('cafebabefacedbaddecaf888'), aad, plaintext, out, 0);
    expect(out.subarray(plaintext.length).toString('hex')).toBe('5bc94fbc3221a5db94fae95ae7121a47');
  });

  it('opens what Node seals, and refuses any flipped bit', () => {
    const key = randomBytes(16);
    const gcm = new AesGcm128(key);
    const iv = randomBytes(12);
    const aad = randomBytes(12);
    const plaintext = randomBytes(77);
    const packet = Buffer.concat([aad, reference(key, iv, aad, plaintext)]);
    expect(gcm.open(iv, aad, packet, 12, 77)).toEqual(plaintext);
    for (const at of [12, 50, 88, packet.length - 1]) {
      const bad = Buffer.from(packet);
      bad[at] = (bad[at] ?? 0) ^ 0x01;
      expect(gcm.open(iv, aad, bad, 12, 77)).toBeUndefined();
    }
    const badAad = Buffer.from(aad);
    badAad[0] = (badAad[0] ?? 0) ^ 0x80;
    expect(gcm.open(iv, badAad, packet, 12, 77)).toBeUndefined();
    expect(gcm.open(iv, aad, packet, 12, 78)).toBeUndefined();
  });

  it('is opened by Node', () => {
    const key = randomBytes(16);
    const gcm = new AesGcm128(key);
    const iv = randomBytes(12);
    const plaintext = randomBytes(33);
    const out = Buffer.alloc(33 + 16);
    gcm.seal(iv, Buffer.alloc(0), plaintext, out, 0);
    const decipher = createDecipheriv('aes-128-gcm', key, iv);
    decipher.setAuthTag(out.subarray(33));
    const opened = decipher.update(out.subarray(0, 33));
    decipher.final();
    expect(opened).toEqual(plaintext);
  });
});
