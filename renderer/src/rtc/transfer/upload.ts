/**
 * The browser host's way to send files the user chose (a file input or a drop): a page may not name a
 * path on disk (main decides what is sent), so it uploads the files' bytes through the bridge into
 * main's staging folder and gets handles for them, which `createOutgoing` takes like the desktop
 * app's dialog choices.
 *
 * beginUpload names every file with its path relative to what was chosen (`album/a.jpg` for a folder,
 * from `webkitRelativePath`) and its size; the bytes follow file after file with `uploadChunk`, read
 * from the File a piece at a time (never the whole file in memory) with a few pieces in flight, in
 * order (the bridge keeps it); finishUpload answers the handles. A failure cancels the upload, so main
 * keeps no half-staged files.
 */
import type { ChosenFile, LanlineApi } from '../../../../electron/contract.js';

export type UploadApi = Pick<LanlineApi, 'beginUpload' | 'uploadChunk' | 'finishUpload' | 'cancelUpload'>;

/** One piece of a file per uploadChunk (a binary bridge frame holds up to 8 MiB). */
export const UPLOAD_PIECE_BYTES = 4 * 1024 * 1024;
/** Pieces read and sent, not yet answered by main. */
const IN_FLIGHT = 3;

export interface FileToUpload {
  file: Blob;
  /** Its path relative to what the user chose: the file's name, or `folder/…` inside a chosen folder. */
  path: string;
}

/** The relative path of a File from an input or a drop: inside a chosen folder when it came with one. */
export const relativePathOf = (file: File): string => (file as File & { webkitRelativePath?: string }).webkitRelativePath || file.name;

export async function uploadFiles(api: UploadApi, files: FileToUpload[], progress?: (sent: number, total: number) => void): Promise<ChosenFile[]> {
  const total = files.reduce((sum, entry) => sum + entry.file.size, 0);
  const { upload } = await api.beginUpload({ files: files.map(({ file, path }) => ({ path, size: file.size })) });
  try {
    let sent = 0;
    const inFlight: Array<Promise<unknown>> = [];
    for (const [index, { file }] of files.entries()) {
      for (let offset = 0; offset < file.size; offset += UPLOAD_PIECE_BYTES) {
        const data = new Uint8Array(await file.slice(offset, offset + UPLOAD_PIECE_BYTES).arrayBuffer());
        const write = api.uploadChunk({ upload, file: index, offset, data }).then(() => {
          sent += data.length;
          progress?.(sent, total);
        });
        write.catch(() => undefined);
        inFlight.push(write);
        if (inFlight.length >= IN_FLIGHT) await inFlight.shift();
      }
    }
    await Promise.all(inFlight);
    return (await api.finishUpload({ upload })).files;
  } catch (error) {
    await api.cancelUpload({ upload }).catch(() => undefined);
    throw error;
  }
}
