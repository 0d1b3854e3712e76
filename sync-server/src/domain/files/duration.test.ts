import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mediaDurationMs } from './duration.ts';
import { sniffType } from './sniff.ts';

function box(type: string, payload: Buffer): Buffer {
  const header = Buffer.alloc(8);
  header.writeUInt32BE(8 + payload.length, 0);
  header.write(type, 4, 'latin1');
  return Buffer.concat([header, payload]);
}

/** An MP4 with `ftyp`, a media box first and `moov/mvhd` (version 0) after it. */
function mp4(timescale: number, duration: number): Buffer {
  const ftyp = box('ftyp', Buffer.from('isom\0\0\x02\0isomiso2mp41', 'latin1'));
  const mvhd = Buffer.alloc(100);
  mvhd.writeUInt32BE(timescale, 12);
  mvhd.writeUInt32BE(duration, 16);
  return Buffer.concat([ftyp, box('mdat', Buffer.alloc(64)), box('moov', box('mvhd', mvhd))]);
}

function wav(seconds: number): Buffer {
  const rate = 8000;
  const data = Buffer.alloc(rate * seconds);
  const fmt = Buffer.alloc(16);
  fmt.writeUInt16LE(1, 0); // PCM
  fmt.writeUInt16LE(1, 2); // mono
  fmt.writeUInt32LE(rate, 4);
  fmt.writeUInt32LE(rate, 8); // byte rate: 8-bit mono
  fmt.writeUInt16LE(1, 12);
  fmt.writeUInt16LE(8, 14);
  const chunk = (id: string, body: Buffer) => {
    const h = Buffer.alloc(8);
    h.write(id, 0, 'latin1');
    h.writeUInt32LE(body.length, 4);
    return Buffer.concat([h, body]);
  };
  const body = Buffer.concat([Buffer.from('WAVE'), chunk('fmt ', fmt), chunk('data', data)]);
  return Buffer.concat([chunk('RIFF', body).subarray(0, 8), body]);
}

describe('media durations', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'echora-duration-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function measure(name: string, bytes: Buffer): Promise<[string, number | null]> {
    const path = join(dir, name);
    await writeFile(path, bytes);
    const type = await sniffType(path);
    return [type, await mediaDurationMs(path, type, bytes.length)];
  }

  it('reads an MP4 moov/mvhd found after the media data', async () => {
    expect(await measure('a.mp4', mp4(600, 1500))).toEqual(['video/mp4', 2500]);
  });

  it('reads a WAV header', async () => {
    expect(await measure('a.wav', wav(3))).toEqual(['audio/wav', 3000]);
  });

  it('answers null for truncated or lying containers, and for other types', async () => {
    const full = mp4(1000, 4000);
    expect((await measure('cut.mp4', full.subarray(0, 40)))[1]).toBeNull();
    const lying = Buffer.from(full);
    lying.writeUInt32BE(3, 28); // mdat claiming to be smaller than its header
    expect((await measure('lying.mp4', lying))[1]).toBeNull();
    expect((await measure('zero.mp4', mp4(0, 10)))[1]).toBeNull();
    expect((await measure('t.txt', Buffer.from('hello')))[1]).toBeNull();
  });
});
