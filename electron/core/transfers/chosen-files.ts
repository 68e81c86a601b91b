/**
 * What the user chose to send, named to the renderer by opaque handles (issue 14 §4: the renderer
 * asks, main decides). A path enters here only from the OS file dialog, a file dropped on the
 * Electron window (the preload registers the File's path over a channel of its own) or an upload
 * into the host's staging folder; `createOutgoing` sends only what a handle names. A renderer that
 * names `/etc/shadow` holds no handle for it and gets 'forbidden'.
 *
 * Handles live for this run only (128 random bits each); the newest 10 000 are kept.
 */
import { randomBytes } from 'node:crypto';
import { basename, isAbsolute, resolve } from 'node:path';
import type { ChosenFile } from '../../contract.js';
import { LanlineError } from '../errors.js';

const MAX_HANDLES = 10_000;

export class ChosenFiles {
  private readonly paths = new Map<string, string>();

  /** Records a path the user chose and answers its handle and the name to show. */
  add(path: string): ChosenFile {
    if (!isAbsolute(path)) throw new LanlineError('invalid', 'A chosen file must have an absolute path.');
    const absolute = resolve(path);
    const handle = randomBytes(16).toString('base64url');
    this.paths.set(handle, absolute);
    if (this.paths.size > MAX_HANDLES) this.paths.delete(this.paths.keys().next().value!);
    return { handle, name: basename(absolute) };
  }

  /** The path behind a handle; 'forbidden' for anything the user did not choose. */
  path(handle: string): string {
    const path = this.paths.get(handle);
    if (path === undefined) {
      throw new LanlineError('forbidden', 'Lanline sends only files chosen in the file dialog, dropped on the window or uploaded; that handle names none of them.');
    }
    return path;
  }
}
