/**
 * A final name for a received file that never replaces anything (DESIGN §6: never overwrite).
 *
 * Guarantees of `uniqueTarget(dir, name)`:
 * - the path it returns is in `dir`, did not exist before, and has been claimed: it is created empty
 *   with the exclusive 'wx' flag, so two transfers (or two processes) finishing at once can never be
 *   handed the same path, and a file that appears between the check and the claim is skipped;
 * - it is `name`, else `name (1).ext`, `name (2).ext`…, with the number before the whole extension
 *   (`archive (1).tar.gz`) and each candidate cut to 255 bytes so the number always fits;
 * - a candidate is also skipped while another transfer's `.part` file for it exists, so that transfer
 *   does not find its name taken when it finishes; the caller's own `.part` is not in the way.
 * `name` must already be sanitized (file-name.ts); this module only picks among safe names.
 */
import { lstat, open } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { LanlineError } from '../errors.js';
import { limitFileName, MAX_NAME_BYTES, splitExtension, utf8Length } from './file-name.js';

/** Appended to a target's name while it is being received. */
export const PART_SUFFIX = '.part';
/** Appended to a part file's name for its resume state (part-file.ts). */
export const STATE_SUFFIX = '.json';
/** Appended to the state file while it is rewritten. */
export const TEMP_SUFFIX = '.tmp';

/** Bytes of a target name that leave room for `.part.json.tmp` within 255 bytes. */
const PART_BASE_BYTES = MAX_NAME_BYTES - utf8Length(PART_SUFFIX + STATE_SUFFIX + TEMP_SUFFIX);

/** Candidates are tried in order up to this many; past it the folder is not usable for this name. */
const MAX_CANDIDATES = 10_000;

/** `name`, `name (1).ext`, `name (2).ext`…, each at most 255 bytes. */
export function* candidateNames(name: string, limit: number = MAX_CANDIDATES): Generator<string> {
  yield name;
  const { stem, ext } = splitExtension(name);
  for (let n = 1; n < limit; n += 1) {
    const suffix = ` (${n})${ext}`;
    yield limitFileName(stem, MAX_NAME_BYTES - utf8Length(suffix)) + suffix;
  }
}

/** The part file name for a target name: `<name>.part`, the name cut so the state file's name fits too. */
export function partNameFor(targetName: string): string {
  return limitFileName(targetName, PART_BASE_BYTES) + PART_SUFFIX;
}

async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

export interface UniqueTargetOptions {
  /** The caller's own part file, which does not count as another transfer's. */
  ownPart?: string;
}

/** Claims and returns a path in `dir` that did not exist; see the guarantees at the top. */
export async function uniqueTarget(dir: string, name: string, options: UniqueTargetOptions = {}): Promise<string> {
  for (const candidate of candidateNames(name)) {
    const path = join(dir, candidate);
    const part = join(dir, partNameFor(candidate));
    if (part !== options.ownPart && (await exists(part))) continue;
    try {
      const handle = await open(path, 'wx');
      await handle.close();
      return path;
    } catch (error) {
      // EEXIST: taken (by a file, a folder or a link, even a dangling one); try the next number.
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') continue;
      throw new LanlineError('io', `Could not create "${basename(path)}" in ${dir} (${(error as NodeJS.ErrnoException).code ?? 'error'}).`);
    }
  }
  throw new LanlineError('io', `Could not find a free name for "${name}" in ${dir}: too many files with that name.`);
}
