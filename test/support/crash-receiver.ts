/**
 * A receiver that dies mid-transfer, for the test that a transfer resumes after a real crash
 * (test/unit/part-file.test.ts bundles it with esbuild and runs it with node).
 *
 * Usage: node crash-receiver.js <root> <relativePath> <source> <sha256> <chunkSize> <chunks> <fsyncEveryBytes>
 * Writes the first <chunks> chunks of <source> into a PartFile, prints `wrote <offset>` and then
 * waits, never finishing, until the test kills it with SIGKILL.
 */
import { open } from 'node:fs/promises';
import { memoryLog } from '../../electron/core/log.js';
import { PartFile } from '../../electron/core/transfers/part-file.js';

const [root, relativePath, source, sha256, chunkSize, chunks, fsyncEveryBytes] = process.argv.slice(2);
const input = await open(source!, 'r');
const size = (await input.stat()).size;
const part = await PartFile.open({ root: root!, relativePath: relativePath!, size, sha256: sha256!, log: memoryLog(), fsyncEveryBytes: Number(fsyncEveryBytes) });
const buffer = Buffer.alloc(Number(chunkSize));
for (let i = 0; i < Number(chunks); i += 1) {
  const { bytesRead } = await input.read(buffer, 0, buffer.length, part.offset);
  await part.write(part.offset, buffer.subarray(0, bytesRead));
}
process.stdout.write(`wrote ${part.offset}\n`);
setInterval(() => undefined, 1_000);
