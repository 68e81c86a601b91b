/** Real files for transfer tests: random bytes written in pieces (never whole in memory) and their SHA-256. */
import { createHash, randomFillSync } from 'node:crypto';
import { createReadStream, mkdirSync, openSync, writeSync, closeSync } from 'node:fs';
import { dirname } from 'node:path';

export function writeRandomFile(path: string, size: number): string {
  mkdirSync(dirname(path), { recursive: true });
  const hash = createHash('sha256');
  const piece = Buffer.allocUnsafe(4 * 1024 * 1024);
  const fd = openSync(path, 'w');
  try {
    for (let written = 0; written < size; ) {
      const length = Math.min(piece.length, size - written);
      randomFillSync(piece, 0, length);
      const bytes = piece.subarray(0, length);
      writeSync(fd, bytes);
      hash.update(bytes);
      written += length;
    }
  } finally {
    closeSync(fd);
  }
  return hash.digest('hex');
}

export function sha256OfFile(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(path)
      .on('data', (chunk) => hash.update(chunk))
      .on('error', reject)
      .on('end', () => resolve(hash.digest('hex')));
  });
}
