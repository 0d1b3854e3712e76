import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ProtectionProfileAeadAes128Gcm, RtpHeader, RtpPacket, SrtpSession } from 'werift';
import {
  decryptRtp,
  encryptRtp,
  rtpHeaderLength,
  SRTP_AEAD_AES_128_GCM,
  type SrtpContextInternals,
} from './srtp-gcm.ts';

/** Two SRTP sessions with mirrored keys, as the two ends of one DTLS connection derive them. */
function pair(): { a: SrtpSession; b: SrtpSession } {
  const [k1, s1, k2, s2] = [randomBytes(16), randomBytes(12), randomBytes(16), randomBytes(12)];
  const config = (lk: Buffer, ls: Buffer, rk: Buffer, rs: Buffer) => ({
    keys: { localMasterKey: lk, localMasterSalt: ls, remoteMasterKey: rk, remoteMasterSalt: rs },
    profile: ProtectionProfileAeadAes128Gcm,
  });
  return { a: new SrtpSession(config(k1, s1, k2, s2)), b: new SrtpSession(config(k2, s2, k1, s1)) };
}

const local = (s: SrtpSession) => s.localContext as unknown as SrtpContextInternals;
const remote = (s: SrtpSession) => s.remoteContext as unknown as SrtpContextInternals;

function header(sequenceNumber: number, more: Partial<RtpHeader> = {}): RtpHeader {
  return new RtpHeader({ payloadType: 111, sequenceNumber, timestamp: 1234, ssrc: 42, ...more });
}

describe('SRTP AEAD_AES_128_GCM on raw packets', () => {
  it('is the profile werift negotiates first', () => {
    expect(ProtectionProfileAeadAes128Gcm).toBe(SRTP_AEAD_AES_128_GCM);
  });

  it('decrypts what werift encrypts, across a sequence rollover', () => {
    const { a, b } = pair();
    for (const seq of [65533, 65534, 65535, 0, 1, 2]) {
      const payload = randomBytes(60);
      const sent = a.encrypt(payload, header(seq));
      const plain = decryptRtp(remote(b), sent);
      expect(plain?.payload).toEqual(payload);
      expect(plain?.header.readUInt16BE(2)).toBe(seq);
    }
    // The rollover counter moved on in werift's own state.
    expect(remote(b).srtpSSRCStates[42]?.rolloverCounter).toBe(1);
  });

  it('encrypts what werift decrypts, across a sequence rollover', () => {
    const { a, b } = pair();
    for (const seq of [65534, 65535, 0, 1]) {
      const payload = randomBytes(80);
      const raw = header(seq).serialize(12);
      const packet = RtpPacket.deSerialize(b.decrypt(encryptRtp(local(a), raw, payload)));
      expect(packet.header.sequenceNumber).toBe(seq);
      expect(packet.payload).toEqual(payload);
    }
  });

  it('agrees with werift on the IV for a high SSRC and a large rollover counter', () => {
    const { a, b } = pair();
    const ssrc = 0xdeadbeef;
    // Both ends well past 2^16 rollovers, so every IV word has bits from SSRC, ROC and sequence.
    for (const context of [local(a), remote(a), local(b), remote(b)]) {
      const state = context.getSrtpSsrcState(ssrc);
      state.rolloverCounter = 0x1_a5c3;
      state.lastSequenceNumber = 0xfff0;
      state.rolloverHasProcessed = true;
    }
    for (const seq of [0xfff1, 0xfffe]) {
      const payload = randomBytes(33);
      const raw = header(seq, { ssrc }).serialize(12);
      const packet = RtpPacket.deSerialize(b.decrypt(encryptRtp(local(a), raw, payload)));
      expect(packet.payload).toEqual(payload);
      const back = decryptRtp(remote(a), b.encrypt(payload, header(seq, { ssrc })));
      expect(back?.payload).toEqual(payload);
    }
  });

  it('keeps CSRCs and a header extension in the authenticated header', () => {
    const { a, b } = pair();
    const h = header(7, {
      csrc: [1, 2],
      extension: true,
      extensionProfile: 0xbede,
      extensions: [{ id: 1, payload: Buffer.from([0x55]) }],
    });
    const sent = a.encrypt(Buffer.from('opus'), h);
    const plain = decryptRtp(remote(b), sent);
    expect(plain?.header.length).toBe(h.serializeSize);
    expect(plain?.payload.toString()).toBe('opus');
  });

  it('refuses a tampered packet and leaves the rollover state as it was', () => {
    const { a, b } = pair();
    const sent = a.encrypt(randomBytes(40), header(65535));
    expect(decryptRtp(remote(b), Buffer.from(sent))).toBeDefined();
    const next = a.encrypt(randomBytes(40), header(0));
    next[next.length - 1] = (next[next.length - 1] ?? 0) ^ 1;
    const before = { ...remote(b).srtpSSRCStates[42] };
    expect(decryptRtp(remote(b), next)).toBeUndefined();
    expect(remote(b).srtpSSRCStates[42]).toEqual(before);
    // A packet from an unknown SSRC that fails leaves no state behind.
    const stranger = a.encrypt(randomBytes(40), header(1, { ssrc: 99 }));
    stranger[20] = (stranger[20] ?? 0) ^ 1;
    expect(decryptRtp(remote(b), stranger)).toBeUndefined();
    expect(remote(b).srtpSSRCStates[99]).toBeUndefined();
  });

  it('measures headers and rejects what is not RTP', () => {
    const fixed = header(1).serialize(12);
    expect(rtpHeaderLength(fixed, 12)).toBe(12);
    expect(rtpHeaderLength(fixed, 11)).toBe(-1);
    const withCsrc = header(1, { csrc: [5] }).serialize(16);
    expect(rtpHeaderLength(withCsrc, 16)).toBe(16);
    const notRtp = Buffer.from(fixed);
    notRtp[0] = 0x40;
    expect(rtpHeaderLength(notRtp, 12)).toBe(-1);
    // An extension whose length runs past the limit.
    const ext = Buffer.concat([fixed, Buffer.from([0xbe, 0xde, 0x00, 0x09])]);
    ext[0] = (ext[0] ?? 0) | 0x10;
    expect(rtpHeaderLength(ext, ext.length)).toBe(-1);
  });
});
