/**
 * The sender's side of a file transfer on disk: its chunks and its SHA-256, both streamed.
 *
 * Guarantees:
 * - `readChunks` yields the file from `offset` (where the receiver said it stands) in chunks of
 *   exactly `chunkSize` bytes but the last, each with its offset; it holds one read buffer at a time
 *   and reads ahead only as fast as the consumer takes chunks (the stream is paused in between);
 * - with `end` (the size announced in the offer) it never yields bytes past it, so a file that grew
 *   since the offer sends what was offered, and a file that shrank fails with 'io' instead of ending
 *   short in silence;
 * - `hashFile` streams the file through SHA-256 and returns lower-case hex;
 * - a missing file is 'not-found', any other OS refusal 'io', with a sentence naming the file.
 * Nothing here logs or keeps the bytes it reads.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { basename } from 'node:path';
import { LanlineError } from '../errors.js';

/** The largest message an RTCDataChannel accepts here is 256 KiB (DESIGN §5). */
export const DEFAULT_CHUNK_SIZE = 256 * 1024;

export interface FileChunk {
  /** Where `bytes` start in the file. */
  offset: number;
  bytes: Uint8Array;
}

export interface ReadChunksOptions {
  /** Byte to start at; 0 for a new transfer, the receiver's verified offset for a resume. */
  offset?: number;
  chunkSize?: number;
  /** Stop before this byte (exclusive): the size announced in the offer. */
  end?: number;
}

function readError(path: string, error: unknown): LanlineError {
  if (error instanceof LanlineError) return error;
  const code = (error as NodeJS.ErrnoException | undefined)?.code ?? 'error';
  return code === 'ENOENT'
    ? new LanlineError('not-found', `The file "${basename(path)}" no longer exists.`)
    : new LanlineError('io', `Could not read "${basename(path)}" (${code}).`);
}

/** The file's bytes from `offset`, in chunks of `chunkSize`; see the guarantees at the top. */
export async function* readChunks(path: string, options: ReadChunksOptions = {}): AsyncGenerator<FileChunk> {
  const { offset = 0, chunkSize = DEFAULT_CHUNK_SIZE, end } = options;
  if (!Number.isSafeInteger(offset) || offset < 0) throw new LanlineError('invalid', 'The offset to read from must be a whole number of bytes.');
  if (!Number.isSafeInteger(chunkSize) || chunkSize <= 0) throw new LanlineError('invalid', 'The chunk size must be a positive whole number of bytes.');
  if (end !== undefined && (!Number.isSafeInteger(end) || end < offset)) {
    throw new LanlineError('invalid', 'The end of the range to read must be a whole number of bytes, not before the offset.');
  }
  if (end === offset) return;

  const stream = createReadStream(path, { start: offset, end: end === undefined ? undefined : end - 1, highWaterMark: chunkSize });
  let position = offset;
  // Bytes of a short read waiting to fill a whole chunk; the file system hands back full
  // highWaterMark buffers almost always, so this is rarely used.
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  try {
    for await (const data of stream as AsyncIterable<Buffer>) {
      if (pendingBytes === 0 && data.length === chunkSize) {
        yield { offset: position, bytes: data };
        position += data.length;
        continue;
      }
      pending.push(data);
      pendingBytes += data.length;
      while (pendingBytes >= chunkSize) {
        const joined = Buffer.concat(pending, pendingBytes);
        const bytes = joined.subarray(0, chunkSize);
        pending = pendingBytes > chunkSize ? [joined.subarray(chunkSize)] : [];
        pendingBytes -= chunkSize;
        yield { offset: position, bytes };
        position += chunkSize;
      }
    }
  } catch (error) {
    throw readError(path, error);
  } finally {
    stream.destroy();
  }
  if (pendingBytes > 0) {
    yield { offset: position, bytes: Buffer.concat(pending, pendingBytes) };
    position += pendingBytes;
  }
  if (end !== undefined && position < end) {
    throw new LanlineError('io', `The file "${basename(path)}" became shorter since it was offered (${position} of ${end} bytes). Send it again.`);
  }
}

/** SHA-256 of the file, lower-case hex, read from disk a buffer at a time. */
export async function hashFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  try {
    for await (const data of createReadStream(path, { highWaterMark: 1024 * 1024 }) as AsyncIterable<Buffer>) hash.update(data);
  } catch (error) {
    throw readError(path, error);
  }
  return hash.digest('hex');
}
