/**
 * The system's "downloaded from the network" mark on a received file (issue 14 §4), so the OS warns
 * before running it as it does for a browser download:
 * - Windows: the `Zone.Identifier` alternate data stream with `ZoneId=3` (the Internet zone; a LAN
 *   peer is not a site the user trusts), which SmartScreen and Office's Protected View read;
 * - macOS: the `com.apple.quarantine` extended attribute, `flags;hex seconds;agent;` (flag 0x0081:
 *   quarantined, downloaded by an application not known to Gatekeeper), which Gatekeeper reads;
 * - elsewhere: nothing (Linux desktops have no such mark).
 * `downloadMark` decides (pure, unit-tested); `writeDownloadMark` writes it.
 */
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';

export type DownloadMark =
  | { kind: 'stream'; stream: 'Zone.Identifier'; content: string }
  | { kind: 'xattr'; name: 'com.apple.quarantine'; value: string };

export type MarkWriter = (path: string, mark: DownloadMark) => Promise<void>;

export function downloadMark(platform: NodeJS.Platform, now: number): DownloadMark | null {
  if (platform === 'win32') return { kind: 'stream', stream: 'Zone.Identifier', content: '[ZoneTransfer]\r\nZoneId=3\r\n' };
  if (platform === 'darwin') {
    const seconds = Math.floor(now / 1000).toString(16);
    return { kind: 'xattr', name: 'com.apple.quarantine', value: `0081;${seconds};Lanline;` };
  }
  return null;
}

/** Writes the mark: the stream as `<path>:Zone.Identifier` (NTFS), the attribute with macOS's `xattr` tool. */
export const writeDownloadMark: MarkWriter = async (path, mark) => {
  if (mark.kind === 'stream') return writeFile(`${path}:${mark.stream}`, mark.content);
  await new Promise<void>((resolve, reject) =>
    execFile('/usr/bin/xattr', ['-w', mark.name, mark.value, path], (error) => (error ? reject(error) : resolve())),
  );
};
