/**
 * The download folder: where received files and call photos go. It changes only through the folder
 * dialog (Electron) or, in the browser host, to a folder that exists and can be written; it is never
 * created silently, so a mistyped folder is an error the user reads rather than a new folder
 * somewhere. The one exception is the OS download folder Lanline starts with (a fresh account may not
 * have made it yet).
 */
import { constants as fsConstants } from 'node:fs';
import { access, mkdir, stat } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { LanlineError } from '../errors.js';

const errno = (error: unknown) => (error as NodeJS.ErrnoException).code ?? 'error';

/** Throws 'invalid' with the reason unless `dir` is an absolute path to an existing folder this user can write. */
export async function checkDownloadFolder(dir: string): Promise<string> {
  if (!dir || !isAbsolute(dir)) throw new LanlineError('invalid', `The download folder must be a full path to an existing folder; "${dir}" is not.`);
  const root = resolve(dir);
  const info = await stat(root).catch((error: unknown) => {
    throw new LanlineError('invalid', errno(error) === 'ENOENT' ? `The download folder ${root} does not exist. Create it first, or choose an existing folder.` : `The download folder ${root} cannot be read (${errno(error)}).`);
  });
  if (!info.isDirectory()) throw new LanlineError('invalid', `The download folder ${root} is a file, not a folder.`);
  await access(root, fsConstants.W_OK | fsConstants.X_OK).catch(() => {
    throw new LanlineError('invalid', `Lanline may not write in ${root}; choose a folder of your own.`);
  });
  return root;
}

/**
 * The folder to write received files in, ready: `dir` as it is, or, when it is Lanline's default
 * (the OS download folder) and missing, created. Any other missing folder is an 'io' error that says
 * what to do.
 */
export async function openDownloadFolder(dir: string, defaultDir: string): Promise<string> {
  const root = resolve(dir);
  if (root === resolve(defaultDir)) {
    await mkdir(root, { recursive: true }).catch((error: unknown) => {
      throw new LanlineError('io', `The download folder ${root} cannot be created (${errno(error)}).`);
    });
  }
  return checkDownloadFolder(root).catch((error: LanlineError) => {
    throw new LanlineError('io', `${error.message} Choose the download folder in Settings.`);
  });
}
