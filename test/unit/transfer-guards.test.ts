/**
 * What protects the receiver and the user's disk beyond names (issue 14 §4, §6): offer caps and the
 * free-space check before the user is asked, the download folder that changes only to an existing
 * folder (or by the folder dialog) and is never created silently, the confirmation before opening a
 * program, and the system's "downloaded from the network" mark. Real files, the real core through
 * its contract dispatch where the renderer's view matters.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MAX_FILES_PER_OFFER, type TransferOffer } from '../../electron/contract.js';
import { createCore, type CoreDeps } from '../../electron/core/index.js';
import { EventHub } from '../../electron/core/events.js';
import { peerIdFromFingerprint } from '../../electron/core/identity/peer-id.js';
import { memoryLog } from '../../electron/core/log.js';
import { defaultSettings, Settings } from '../../electron/core/settings/settings.js';
import { JsonFileStore } from '../../electron/core/storage.js';
import { ChosenFiles } from '../../electron/core/transfers/chosen-files.js';
import { downloadMark, type DownloadMark } from '../../electron/core/transfers/download-mark.js';
import { openRisk } from '../../electron/core/transfers/open-risk.js';
import { MAX_WAITING_PER_PEER, MAX_WAITING_TOTAL, Transfers, type TransfersOptions } from '../../electron/core/transfers/transfers.js';
import { TrustStore } from '../../electron/core/trust/trust-store.js';
import { randomFingerprint } from '../support/lan.js';

const sha = (data: string) => createHash('sha256').update(data).digest('hex');
const MiB = 1024 * 1024;
const TiB = 1024 ** 4;

function side(options: Partial<TransfersOptions> & { downloadDir?: string } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'lanline-guards-'));
  const log = memoryLog();
  const events = new EventHub();
  const downloads = join(dir, 'downloads');
  const store = (name: string) => new JsonFileStore(join(dir, `${name}.json`), log);
  const settings = new Settings(store('settings'), defaultSettings({ displayName: 'Me', language: 'en', downloadDir: options.downloadDir ?? downloads }), log, events);
  const trust = new TrustStore(store('trust'), Date.now, log);
  const transfers = new Transfers({ store: store('transfers'), settings, trust, events, log, snippetDir: join(dir, 'snippets'), chosen: new ChosenFiles(), defaultDownloadDir: downloads, ...options });
  const peer = () => {
    const fingerprint = randomFingerprint();
    const id = peerIdFromFingerprint(fingerprint);
    trust.pin(id, fingerprint, 'B');
    return id;
  };
  return { dir, downloads, transfers, peer, log };
}

let counter = 0;
const offer = (files: TransferOffer['files']): TransferOffer => ({ id: `offer${String(++counter).padStart(6, '0')}`, kind: 'files', files });
const small = () => offer([{ path: 'a.txt', size: 1, sha256: sha('a') }]);

describe('offers waiting for an answer', () => {
  it(`holds at most ${MAX_WAITING_PER_PEER} per peer and ${MAX_WAITING_TOTAL} in all, and says so to both sides`, async () => {
    const { transfers, peer } = side();
    const ben = peer();
    const first = small();
    await transfers.receiveOffer(ben, first);
    for (let i = 1; i < MAX_WAITING_PER_PEER; i++) await transfers.receiveOffer(ben, small());
    await expect(transfers.receiveOffer(ben, small())).rejects.toThrow(`The receiver already has ${MAX_WAITING_PER_PEER} offers from this sender waiting for an answer`);
    // Answering one makes room.
    await transfers.answer(first.id, false);
    await transfers.receiveOffer(ben, small());
    // Other peers, until the whole list is full.
    let waiting = MAX_WAITING_PER_PEER;
    while (waiting < MAX_WAITING_TOTAL) {
      const other = peer();
      for (let i = 0; i < MAX_WAITING_PER_PEER && waiting < MAX_WAITING_TOTAL; i++, waiting++) await transfers.receiveOffer(other, small());
    }
    await expect(transfers.receiveOffer(peer(), small())).rejects.toThrow(`The receiver has ${MAX_WAITING_TOTAL} offers waiting for an answer`);
    expect(transfers.list().filter((t) => t.state === 'waiting')).toHaveLength(MAX_WAITING_TOTAL);
  });

  it('refuses an offer larger than the free space before the user is asked, and records nothing', async () => {
    const { transfers, peer } = side();
    await expect(transfers.receiveOffer(peer(), offer([{ path: 'big.bin', size: TiB * 1024, sha256: sha('x') }]))).rejects.toThrow(
      /^The offer needs 1126 TB and the receiver's download folder has .* free, so it was refused\.$/,
    );
    expect(transfers.list()).toEqual([]);
  });
});

describe('an offer flood through the contract', () => {
  it('three offers of 10 000 files claiming 1 TiB are refused with a clear error, nothing is recorded and memory stays flat', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lanline-flood-'));
    const log = memoryLog();
    const deps: CoreDeps = {
      openStore: (name) => new JsonFileStore(join(dir, `${name}.json`), log),
      settingsDefaults: { displayName: 'Rin', language: 'en', downloadDir: join(dir, 'downloads') },
      info: { version: '0.0.0', runtime: 'host', platform: process.platform },
      log,
      snippetDir: join(dir, 'snippets'),
      chatDir: join(dir, 'chat'),
    };
    const core = createCore(deps);
    const fingerprint = randomFingerprint();
    const attacker = peerIdFromFingerprint(fingerprint);
    new TrustStore(deps.openStore('trust'), Date.now, log).pin(attacker, fingerprint, 'B');
    // The trust store core holds read the file at start: start another core on the same files.
    const rin = createCore(deps);
    const rss = () => process.memoryUsage().rss / MiB;
    const before = rss();
    const hash = sha('flood');
    const answers = [];
    for (const count of [10_000, 10_000, 10_000, MAX_FILES_PER_OFFER, MAX_FILES_PER_OFFER, MAX_FILES_PER_OFFER]) {
      const files = Array.from({ length: count }, (_, i) => ({ path: `flood/${i}.bin`, size: Math.floor(TiB / count), sha256: hash }));
      answers.push(await rin.dispatch('receiveOffer', { peerId: attacker, offer: { id: `flood${String(++counter).padStart(6, '0')}`, kind: 'files', files } }));
    }
    const after = rss();
    console.log(`offer flood: RSS ${before.toFixed(1)} MiB before, ${after.toFixed(1)} MiB after (${(after - before).toFixed(1)} MiB)`);
    for (const answer of answers.slice(0, 3)) {
      expect(answer).toMatchObject({ ok: false, error: { code: 'invalid', message: expect.stringContaining(`an offer holds at most ${MAX_FILES_PER_OFFER} files`) } });
    }
    for (const answer of answers.slice(3)) {
      expect(answer).toMatchObject({ ok: false, error: { code: 'io', message: expect.stringMatching(/^The offer needs 1\.1 TB and the receiver's download folder has/) } });
    }
    expect(await rin.dispatch('listTransfers', undefined)).toEqual({ ok: true, value: [] });
    expect(existsSync(join(dir, 'transfers.json')) ? statSync(join(dir, 'transfers.json')).size : 0).toBeLessThan(1024);
    await core.close();
    await rin.close();
  });
});

describe('the download folder', () => {
  it('is never created silently: a missing folder other than the OS one fails the answer in words', async () => {
    const base = mkdtempSync(join(tmpdir(), 'lanline-typo-'));
    const typo = join(base, 'Downlaods');
    const { transfers, peer } = side({ downloadDir: typo });
    const incoming = small();
    await expect(transfers.receiveOffer(peer(), incoming)).rejects.toThrow(`The download folder ${typo} does not exist. Create it first, or choose an existing folder. Choose the download folder in Settings.`);
    expect(existsSync(typo)).toBe(false);
  });

  it('the OS download folder Lanline starts with is made when missing', async () => {
    const { transfers, peer, downloads } = side();
    expect(existsSync(downloads)).toBe(false);
    const incoming = small();
    await transfers.receiveOffer(peer(), incoming);
    await transfers.answer(incoming.id, true);
    expect(statSync(downloads).isDirectory()).toBe(true);
  });

  function core(pickFolder?: () => Promise<string | null>) {
    const dir = mkdtempSync(join(tmpdir(), 'lanline-settings-'));
    const log = memoryLog();
    return {
      dir,
      core: createCore({
        openStore: (name) => new JsonFileStore(join(dir, `${name}.json`), log),
        settingsDefaults: { displayName: 'Rin', language: 'en', downloadDir: join(dir, 'downloads') },
        info: { version: '0.0.0', runtime: pickFolder ? 'electron' : 'host', platform: process.platform },
        log,
        snippetDir: join(dir, 'snippets'),
        chatDir: join(dir, 'chat'),
        ...(pickFolder && { files: { pickFolder } }),
      }),
    };
  }

  it('host: changes only to an existing folder this user can write, with the reason otherwise', async () => {
    const { dir, core: host } = core();
    const missing = join(dir, 'nope');
    writeFileSync(join(dir, 'a-file'), '');
    mkdirSync(join(dir, 'real'));
    expect(await host.dispatch('setSettings', { downloadDir: missing })).toMatchObject({ ok: false, error: { code: 'invalid', message: expect.stringContaining(`${missing} does not exist`) } });
    expect(existsSync(missing)).toBe(false);
    expect(await host.dispatch('setSettings', { downloadDir: join(dir, 'a-file') })).toMatchObject({ ok: false, error: { message: expect.stringContaining('is a file, not a folder') } });
    expect(await host.dispatch('setSettings', { downloadDir: 'relative/dir' })).toMatchObject({ ok: false, error: { message: expect.stringContaining('full path') } });
    expect(await host.dispatch('setSettings', { downloadDir: join(dir, 'real') })).toMatchObject({ ok: true, value: { downloadDir: join(dir, 'real') } });
    expect(await host.dispatch('chooseDownloadDir', undefined)).toMatchObject({ ok: false, error: { code: 'unavailable' } });
    await host.close();
  });

  it('Electron: only the folder dialog changes it; the page cannot', async () => {
    let answer: string | null = null;
    const { dir, core: app } = core(async () => answer);
    mkdirSync(join(dir, 'chosen'));
    const before = (await app.dispatch('getSettings', undefined)) as { value: { downloadDir: string } };
    expect(await app.dispatch('setSettings', { downloadDir: join(dir, 'chosen') })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    // The whole form saved again, folder unchanged, is fine.
    expect(await app.dispatch('setSettings', { downloadDir: before.value.downloadDir, displayName: 'Rin K' })).toMatchObject({ ok: true });
    expect(await app.dispatch('chooseDownloadDir', undefined)).toMatchObject({ ok: true, value: { downloadDir: before.value.downloadDir } });
    answer = join(dir, 'chosen');
    expect(await app.dispatch('chooseDownloadDir', undefined)).toMatchObject({ ok: true, value: { downloadDir: join(dir, 'chosen') } });
    await app.close();
  });
});

describe('a received file', () => {
  async function received(name: string, options: Partial<TransfersOptions> = {}) {
    const guarded = side(options);
    const incoming = offer([{ path: name, size: 2, sha256: sha('hi') }]);
    await guarded.transfers.receiveOffer(guarded.peer(), incoming);
    await guarded.transfers.answer(incoming.id, true);
    await guarded.transfers.writeChunk(incoming.id, 0, 0, Buffer.from('hi'));
    const done = await guarded.transfers.finishFile(incoming.id, 0);
    return { ...guarded, id: incoming.id, savedAs: done.files[0]!.savedAs! };
  }

  it('that is a program opens only after the user confirmed it; other files and "show in folder" open at once', async () => {
    const opened: Array<[string, boolean]> = [];
    const openPath = async (path: string, reveal: boolean) => void opened.push([path, reveal]);
    const program = await received('setup.exe', { openPath });
    expect(await program.transfers.openFile(program.id, 0, false)).toEqual({ opened: false, risk: 'program' });
    expect(opened).toEqual([]);
    expect(await program.transfers.openFile(program.id, 0, true)).toEqual({ opened: true, risk: null });
    expect(await program.transfers.openFile(program.id, 0, false, true)).toEqual({ opened: true, risk: 'program' });
    expect(opened).toEqual([[program.savedAs, true], [program.savedAs, false]]);
    const text = await received('notes.txt', { openPath });
    expect(await text.transfers.openFile(text.id, 0, false)).toEqual({ opened: true, risk: null });
  });

  it('gets the quarantine mark on macOS and the zone identifier on Windows; a failed mark keeps the file', async () => {
    const marks: Array<[string, DownloadMark]> = [];
    const mac = await received('photo.jpg', { platform: 'darwin', writeMark: async (path, mark) => void marks.push([path, mark]) });
    expect(marks).toEqual([[mac.savedAs, { kind: 'xattr', name: 'com.apple.quarantine', value: expect.stringMatching(/^0081;[0-9a-f]{8};Lanline;$/) }]]);
    const windows = await received('setup.exe', { platform: 'win32', writeMark: async (path, mark) => void marks.push([path, mark]) });
    expect(marks[1]).toEqual([windows.savedAs, { kind: 'stream', stream: 'Zone.Identifier', content: '[ZoneTransfer]\r\nZoneId=3\r\n' }]);
    const failing = await received('b.txt', { platform: 'darwin', writeMark: async () => Promise.reject(new Error('xattr: no such tool')) });
    expect(readFileSync(failing.savedAs, 'utf8')).toBe('hi');
    expect(failing.log.lines.join('\n')).toContain('could not mark b.txt as downloaded: xattr: no such tool');
    const linux = await received('c.txt', { platform: 'linux', writeMark: async (path, mark) => void marks.push([path, mark]) });
    expect(marks.map(([path]) => path)).not.toContain(linux.savedAs);
  });
});

describe('downloadMark and openRisk', () => {
  it('decide the mark per system', () => {
    expect(downloadMark('win32', 0)).toEqual({ kind: 'stream', stream: 'Zone.Identifier', content: '[ZoneTransfer]\r\nZoneId=3\r\n' });
    expect(downloadMark('darwin', 0x6500_0000 * 1000)).toEqual({ kind: 'xattr', name: 'com.apple.quarantine', value: '0081;65000000;Lanline;' });
    expect(downloadMark('linux', 0)).toBeNull();
    expect(downloadMark('freebsd', 0)).toBeNull();
  });

  it('call programs and scripts by their extension, in any case', () => {
    for (const name of ['setup.exe', 'SETUP.EXE', 'tool.msi', 'App.dmg', 'x.AppImage', 'pkg.deb', 'a.jar', 'disk.iso']) expect(openRisk(name), name).toBe('program');
    for (const name of ['run.bat', 'x.ps1', 'install.sh', 'a.command', 'evil.desktop', 'link.lnk', 'fix.reg', 'macro.docm', 'x.vbs', 'page.hta', 'y.py']) expect(openRisk(name), name).toBe('script');
    for (const name of ['report.pdf', 'photo.jpg', 'random.bin', 'README', '_.bashrc', 'report.pdf.txt', 'archive.tar.gz']) expect(openRisk(name), name).toBeNull();
  });
});

