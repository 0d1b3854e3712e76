import { createDecipheriv } from 'node:crypto';
import { sealAes128Gcm } from './gcm-seal.ts';

/**
 * SRTP with AEAD_AES_128_GCM (RFC 7714) on raw packet bytes, for forwarded
 * audio: werift's own path parses the header into objects twice per packet
 * and concatenates three buffers to build one. The keys and the rollover
 * counters stay werift's (its SRTP context), so packets either path handles
 * share one sequence state.
 */

/** werift's SRTP_PROFILE.SRTP_AEAD_AES_128_GCM. */
export const SRTP_AEAD_AES_128_GCM = 0x0007;
const TAG_LENGTH = 16;
/** The fixed RTP header; CSRCs and an extension follow it. */
const FIXED_HEADER = 12;

/** A rollover counter state, as werift's context keeps one per SSRC. */
export interface RocState {
  ssrc: number;
  rolloverCounter: number;
  lastSequenceNumber: number;
  rolloverHasProcessed?: boolean;
}

/** The fields of werift's SrtpContext (rtp/src/srtp/context) used here; private in its typings. */
export interface SrtpContextInternals {
  profile: number;
  cipher: { srtpSessionKey: Buffer; srtpSessionSalt: Buffer };
  srtpSSRCStates: Record<number, RocState | undefined>;
  getSrtpSsrcState(ssrc: number): RocState;
  updateRolloverCount(sequenceNumber: number, state: RocState): void;
}

/**
 * The length of the RTP header at the start of `packet` (fixed part, CSRCs,
 * extension), or -1 if it is not a version 2 header ending within `limit`.
 */
export function rtpHeaderLength(packet: Buffer, limit: number): number {
  if (limit < FIXED_HEADER || limit > packet.length) return -1;
  const first = packet[0] ?? 0;
  if (first >> 6 !== 2) return -1;
  let length = FIXED_HEADER + (first & 0x0f) * 4;
  if (first & 0x10) {
    if (length + 4 > limit) return -1;
    length += 4 + packet.readUInt16BE(length + 2) * 4;
  }
  return length <= limit ? length : -1;
}

/** Reused for every packet: the ciphers copy the IV they are given. */
const iv = Buffer.alloc(12);

/**
 * RFC 7714 §8.1: 00 00 || SSRC || ROC || SEQ, XOR the session salt, as three
 * big-endian words (a byte loop was 2% of the SFU's forwarding CPU).
 */
function writeIv(salt: Buffer, ssrc: number, roc: number, sequenceNumber: number): Buffer {
  iv.writeUInt32BE((salt.readUInt32BE(0) ^ (ssrc >>> 16)) >>> 0, 0);
  iv.writeUInt32BE((salt.readUInt32BE(4) ^ ((ssrc << 16) | (roc >>> 16))) >>> 0, 4);
  iv.writeUInt32BE((salt.readUInt32BE(8) ^ ((roc << 16) | (sequenceNumber & 0xffff))) >>> 0, 8);
  return iv;
}

/** A decrypted RTP packet: the header as received and the payload (with any padding). */
export interface PlainRtp {
  header: Buffer;
  payload: Buffer;
}

/**
 * Authenticates and decrypts one SRTP packet with the remote context, or
 * returns undefined if it fails (the context's state is then unchanged, as
 * werift leaves it). `header` is a view into `packet`.
 */
export function decryptRtp(context: SrtpContextInternals, packet: Buffer): PlainRtp | undefined {
  const tagOffset = packet.length - TAG_LENGTH;
  const headerLength = rtpHeaderLength(packet, tagOffset);
  if (headerLength < 0) return undefined;
  const ssrc = packet.readUInt32BE(8);
  const sequenceNumber = packet.readUInt16BE(2);
  const existing = context.srtpSSRCStates[ssrc];
  // The rollover counter this packet implies, worked out on a scratch copy: the context keeps
  // its state until the packet authenticates.
  const state = scratchState;
  state.ssrc = ssrc;
  state.rolloverCounter = existing ? existing.rolloverCounter : 0;
  state.lastSequenceNumber = existing ? existing.lastSequenceNumber : 0;
  state.rolloverHasProcessed = existing ? existing.rolloverHasProcessed === true : false;
  context.updateRolloverCount(sequenceNumber, state);
  const { srtpSessionKey, srtpSessionSalt } = context.cipher;
  const decipher = createDecipheriv(
    'aes-128-gcm',
    srtpSessionKey,
    writeIv(srtpSessionSalt, ssrc, state.rolloverCounter, sequenceNumber),
  );
  const header = packet.subarray(0, headerLength);
  decipher.setAAD(header);
  decipher.setAuthTag(packet.subarray(tagOffset));
  const payload = decipher.update(packet.subarray(headerLength, tagOffset));
  try {
    decipher.final();
  } catch {
    return undefined;
  }
  if (existing) {
    existing.rolloverCounter = state.rolloverCounter;
    existing.lastSequenceNumber = state.lastSequenceNumber;
    existing.rolloverHasProcessed = state.rolloverHasProcessed;
  } else context.srtpSSRCStates[ssrc] = { ...state };
  return { header, payload };
}

/** decryptRtp's working copy of a rollover state (one packet at a time). */
const scratchState: Required<RocState> = {
  ssrc: 0,
  rolloverCounter: 0,
  lastSequenceNumber: 0,
  rolloverHasProcessed: false,
};

/**
 * Encrypts one RTP packet with the local context: `header` is the final
 * header (its SSRC and sequence number pick the rollover counter and IV);
 * `state` is the context's rollover state for that SSRC, if the caller keeps it.
 * Returns header || ciphertext || tag in one new buffer.
 */
export function encryptRtp(
  context: SrtpContextInternals,
  header: Buffer,
  payload: Buffer,
  state: RocState = context.getSrtpSsrcState(header.readUInt32BE(8)),
): Buffer {
  const ssrc = header.readUInt32BE(8);
  const sequenceNumber = header.readUInt16BE(2);
  context.updateRolloverCount(sequenceNumber, state);
  const { srtpSessionKey, srtpSessionSalt } = context.cipher;
  return sealAes128Gcm(
    srtpSessionKey,
    writeIv(srtpSessionSalt, ssrc, state.rolloverCounter, sequenceNumber),
    header,
    payload,
  );
}
