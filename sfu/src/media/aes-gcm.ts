import { createCipheriv, type Cipher } from 'node:crypto';

/**
 * AES-128-GCM (NIST SP 800-38D) for short packets with one key object per
 * key: Node cannot give a GCM cipher a new IV, so its own API builds (and
 * looks up, and key-expands) a cipher per packet, which costs more than the
 * packet's AES. Here AES runs in OpenSSL through one reusable ECB cipher (the
 * counter blocks are encrypted in one call) and GHASH in JavaScript with
 * per-key tables: 32 tables of the 16 multiples of H for each 4-bit nibble
 * position (8 KiB), so multiplying by H is 32 lookups and XORs.
 *
 * Only 96-bit IVs (what SRTP uses). Table lookups depend on the data, as in
 * OpenSSL's portable GHASH; the key's AES does not.
 */
export class AesGcm128 {
  private readonly ecb: Cipher;
  /** Entry (i * 16 + n) * 4: the 128-bit product of H and nibble n at position i, as 4 words. */
  private readonly table = new Uint32Array(32 * 16 * 4);
  /** The counter blocks J0, J0+1, …: rewritten per packet, grown as needed. */
  private counters = Buffer.alloc(16 * 16);
  /** The GHASH accumulator, as 4 big-endian words. */
  private readonly y = new Uint32Array(4);

  constructor(key: Buffer) {
    if (key.length !== 16) throw new Error('AES-128-GCM needs a 16-byte key');
    this.ecb = createCipheriv('aes-128-ecb', key, null);
    this.ecb.setAutoPadding(false);
    const h = this.ecb.update(Buffer.alloc(16));
    // V walks x^b · H for b = 0..127 (GCM's bit order: bit 0 is the first byte's top bit).
    let v0 = h.readUInt32BE(0);
    let v1 = h.readUInt32BE(4);
    let v2 = h.readUInt32BE(8);
    let v3 = h.readUInt32BE(12);
    const t = this.table;
    for (let b = 0; b < 128; b++) {
      const position = b >> 2;
      const weight = 8 >> (b & 3);
      for (let n = 0; n < 16; n++) {
        if (!(n & weight)) continue;
        const o = (position * 16 + n) * 4;
        t[o] = (t[o] ?? 0) ^ v0;
        t[o + 1] = (t[o + 1] ?? 0) ^ v1;
        t[o + 2] = (t[o + 2] ?? 0) ^ v2;
        t[o + 3] = (t[o + 3] ?? 0) ^ v3;
      }
      const low = v3 & 1;
      v3 = (v3 >>> 1) | (v2 << 31);
      v2 = (v2 >>> 1) | (v1 << 31);
      v1 = (v1 >>> 1) | (v0 << 31);
      v0 = v0 >>> 1;
      if (low) v0 = (v0 ^ 0xe1000000) >>> 0;
    }
  }

  /**
   * Encrypts `plaintext` into `out` at `offset` and writes the 16-byte tag
   * right after it; `aad` is authenticated only. `out` may hold `aad`.
   */
  seal(iv: Buffer, aad: Buffer, plaintext: Buffer, out: Buffer, offset: number): void {
    const keystream = this.keystream(iv, plaintext.length);
    const length = plaintext.length;
    for (let i = 0; i < length; i++)
      out[offset + i] = (plaintext[i] ?? 0) ^ (keystream[i + 16] ?? 0);
    this.hash(aad, out, offset, length);
    this.writeTag(keystream, out, offset + length);
  }

  /**
   * Checks the tag after `ciphertext` (`length` bytes at `offset` of
   * `packet`, then 16 bytes of tag) and returns the plaintext, or undefined
   * if the packet is not authentic.
   */
  open(
    iv: Buffer,
    aad: Buffer,
    packet: Buffer,
    offset: number,
    length: number,
  ): Buffer | undefined {
    if (offset + length + 16 > packet.length) return undefined;
    const keystream = this.keystream(iv, length);
    this.hash(aad, packet, offset, length);
    const tag = Buffer.allocUnsafe(16);
    this.writeTag(keystream, tag, 0);
    let diff = 0;
    for (let i = 0; i < 16; i++) diff |= (tag[i] ?? 0) ^ (packet[offset + length + i] ?? 0);
    if (diff !== 0) return undefined;
    const plaintext = Buffer.allocUnsafe(length);
    for (let i = 0; i < length; i++)
      plaintext[i] = (packet[offset + i] ?? 0) ^ (keystream[i + 16] ?? 0);
    return plaintext;
  }

  /** E(J0) followed by the keystream for `length` bytes (counters J0+1, …). */
  private keystream(iv: Buffer, length: number): Buffer {
    const blocks = ((length + 15) >> 4) + 1;
    if (this.counters.length < blocks * 16) this.counters = Buffer.alloc(blocks * 32);
    const counters = this.counters;
    const [a, b, c] = [iv.readUInt32BE(0), iv.readUInt32BE(4), iv.readUInt32BE(8)];
    for (let i = 0; i < blocks; i++) {
      const o = i * 16;
      counters.writeUInt32BE(a, o);
      counters.writeUInt32BE(b, o + 4);
      counters.writeUInt32BE(c, o + 8);
      counters.writeUInt32BE(i + 1, o + 12);
    }
    return this.ecb.update(counters.subarray(0, blocks * 16));
  }

  /** GHASH over `aad`, then `length` bytes of `data` at `offset`, then both lengths, into `y`. */
  private hash(aad: Buffer, data: Buffer, offset: number, length: number): void {
    const y = this.y;
    y.fill(0);
    this.absorb(aad, 0, aad.length);
    this.absorb(data, offset, length);
    // len(A) || len(C) in bits, 64 bits each (packets stay far below 2^32 bits).
    y[1] = (y[1] ?? 0) ^ (aad.length * 8);
    y[3] = (y[3] ?? 0) ^ (length * 8);
    this.multiply();
  }

  private absorb(data: Buffer, offset: number, length: number): void {
    const y = this.y;
    const end = offset + length;
    let at = offset;
    for (; at + 16 <= end; at += 16) {
      y[0] = (y[0] ?? 0) ^ data.readUInt32BE(at);
      y[1] = (y[1] ?? 0) ^ data.readUInt32BE(at + 4);
      y[2] = (y[2] ?? 0) ^ data.readUInt32BE(at + 8);
      y[3] = (y[3] ?? 0) ^ data.readUInt32BE(at + 12);
      this.multiply();
    }
    if (at < end) {
      // The last partial block, zero-padded.
      for (let i = 0; at + i < end; i++) {
        const word = i >> 2;
        y[word] = (y[word] ?? 0) ^ ((data[at + i] ?? 0) << (24 - 8 * (i & 3)));
      }
      this.multiply();
    }
  }

  /** y = y · H. */
  private multiply(): void {
    const y = this.y;
    const t = this.table;
    let z0 = 0;
    let z1 = 0;
    let z2 = 0;
    let z3 = 0;
    for (let w = 0; w < 4; w++) {
      const x = y[w] ?? 0;
      const base = w * 8 * 16;
      for (let k = 0; k < 8; k++) {
        const o = (base + k * 16 + ((x >>> (28 - 4 * k)) & 15)) * 4;
        z0 ^= t[o] ?? 0;
        z1 ^= t[o + 1] ?? 0;
        z2 ^= t[o + 2] ?? 0;
        z3 ^= t[o + 3] ?? 0;
      }
    }
    y[0] = z0;
    y[1] = z1;
    y[2] = z2;
    y[3] = z3;
  }

  /** GHASH result XOR E(J0), written at `offset` of `out`. */
  private writeTag(keystream: Buffer, out: Buffer, offset: number): void {
    const y = this.y;
    for (let w = 0; w < 4; w++) {
      const e = keystream.readUInt32BE(w * 4);
      out.writeUInt32BE(((y[w] ?? 0) ^ e) >>> 0, offset + w * 4);
    }
  }
}
