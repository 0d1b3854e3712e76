import { open, type FileHandle } from 'node:fs/promises';

/** MP4/QuickTime containers whose `moov/mvhd` box holds the duration. */
const ISO_BMFF = new Set(['video/mp4', 'audio/mp4', 'video/quicktime', 'audio/x-m4a', 'audio/m4a']);
const WAV = new Set(['audio/wav', 'audio/x-wav', 'audio/vnd.wave']);

async function read(handle: FileHandle, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.alloc(length);
  const { bytesRead } = await handle.read(buffer, 0, length, position);
  return buffer.subarray(0, bytesRead);
}

/** Walks boxes in [start, end) and returns the payload offset and size of `type`. */
async function findBox(
  handle: FileHandle,
  start: number,
  end: number,
  type: string,
): Promise<{ offset: number; size: number } | undefined> {
  let position = start;
  // A bounded walk: a hostile file cannot make this loop forever.
  for (let i = 0; i < 10_000 && position + 8 <= end; i++) {
    const header = await read(handle, position, 16);
    if (header.length < 8) return undefined;
    let size = header.readUInt32BE(0);
    let headerSize = 8;
    if (size === 1) {
      if (header.length < 16) return undefined;
      size = Number(header.readBigUInt64BE(8));
      headerSize = 16;
    } else if (size === 0) {
      size = end - position;
    }
    if (size < headerSize) return undefined;
    if (header.toString('latin1', 4, 8) === type) {
      return { offset: position + headerSize, size: size - headerSize };
    }
    position += size;
  }
  return undefined;
}

async function mp4Duration(handle: FileHandle, fileSize: number): Promise<number | null> {
  const moov = await findBox(handle, 0, fileSize, 'moov');
  if (!moov) return null;
  const mvhd = await findBox(handle, moov.offset, moov.offset + moov.size, 'mvhd');
  if (!mvhd) return null;
  const box = await read(handle, mvhd.offset, 32);
  const version = box[0];
  const [timescale, duration] =
    version === 1 && box.length >= 32
      ? [box.readUInt32BE(20), Number(box.readBigUInt64BE(24))]
      : box.length >= 20
        ? [box.readUInt32BE(12), box.readUInt32BE(16)]
        : [0, 0];
  if (!timescale || duration === 0xffffffff) return null;
  return Math.round((duration / timescale) * 1000);
}

async function wavDuration(handle: FileHandle, fileSize: number): Promise<number | null> {
  const riff = await read(handle, 0, 12);
  if (riff.toString('latin1', 0, 4) !== 'RIFF' || riff.toString('latin1', 8, 12) !== 'WAVE') {
    return null;
  }
  let byteRate = 0;
  let position = 12;
  for (let i = 0; i < 1000 && position + 8 <= fileSize; i++) {
    const chunk = await read(handle, position, 24);
    const id = chunk.toString('latin1', 0, 4);
    const size = chunk.readUInt32LE(4);
    if (id === 'fmt ' && chunk.length >= 20) byteRate = chunk.readUInt32LE(8 + 8);
    if (id === 'data') {
      return byteRate
        ? Math.round((Math.min(size, fileSize - position - 8) / byteRate) * 1000)
        : null;
    }
    position += 8 + size + (size % 2);
  }
  return null;
}

/**
 * The playing time of an audio or video file in milliseconds, where it is
 * cheap to read from the container's header (MP4/M4A/MOV, WAV); null
 * otherwise or for anything malformed.
 */
export async function mediaDurationMs(
  path: string,
  contentType: string,
  size: number,
): Promise<number | null> {
  if (!ISO_BMFF.has(contentType) && !WAV.has(contentType)) return null;
  const handle = await open(path, 'r');
  try {
    const ms = ISO_BMFF.has(contentType)
      ? await mp4Duration(handle, size)
      : await wavDuration(handle, size);
    return ms !== null && Number.isFinite(ms) && ms >= 0 && ms < 2 ** 31 ? ms : null;
  } catch {
    return null;
  } finally {
    await handle.close();
  }
}
