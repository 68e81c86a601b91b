import { rm } from 'node:fs/promises';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { randomFillSync } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { sha256OfFile, writeRandomFile } from '../support/files.js';
import { tempDir as makeTempDir, type HostOptions } from '../support/host.js';
import { instanceProcesses, residentGrowth } from '../support/proc.js';
import { SlowDisk } from '../support/slow-disk.js';
import { RECEIVE_WINDOW_BYTES } from '../../renderer/src/rtc/transfer/engine.js';
import { closeAll, launchInstance, type Instance } from '../support/instances.js';
import { lan, lanPort } from '../support/peers.js';

/** Every folder a test made (sources of up to 1 GiB, download folders): removed after the test. */
const made: string[] = [];
const tempDir = (prefix: string) => {
  const dir = makeTempDir(prefix);
  made.push(dir);
  return dir;
};

afterEach(async () => {
  await closeAll();
  await Promise.all(made.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

const MiB = 1024 * 1024;

/** Two instances that met by address; the receiver saves into its own download folder. */
async function pair(options: { receiverData?: string; receiverChromium?: string; receiverSpawn?: HostOptions['spawn'] } = {}) {
  // In a folder of its own, so a test can look at what sits next to it (nothing may escape there).
  const downloads = join(tempDir('receiver'), 'downloads');
  mkdirSync(downloads);
  const sender = await launchInstance({ name: 'Sam', extraArgs: lan });
  const receiver = await launchInstance({ name: 'Rin', dataDir: options.receiverData, userDataDir: options.receiverChromium, spawn: options.receiverSpawn, extraArgs: lan });
  await receiver.page.getByRole('button', { name: 'Settings' }).click();
  await receiver.page.getByLabel('Download folder').fill(downloads);
  await receiver.page.getByRole('button', { name: 'Save', exact: true }).click();
  await receiver.page.getByRole('status').filter({ hasText: /^Settings saved\.$/ }).waitFor();
  await receiver.page.getByRole('button', { name: 'Peers' }).click();
  await sender.page.getByLabel('Add by address').fill(`127.0.0.1:${await lanPort(receiver)}`);
  await sender.page.getByRole('button', { name: 'Add', exact: true }).click();
  // By id, not name: instances of other test runs on this machine may be listed too (mDNS).
  const receiverId = (await receiver.page.getByTestId('my-peer-id').textContent())!;
  await sender.page.locator(`li[data-peer-id="${receiverId}"]`).getByText('Known').waitFor();
  receiverIds.set(sender, receiverId);
  return { sender, receiver, downloads, receiverId };
}

const receiverIds = new Map<Instance, string>();

/**
 * Sends as a user of the browser host does: files chosen with the file input (a folder with the
 * folder input); the page uploads their bytes to the host, which offers them.
 */
async function send(sender: Instance, paths: string[]): Promise<void> {
  await sender.page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Files' }).click();
  await sender.page.getByLabel('Send to').selectOption(receiverIds.get(sender)!);
  if (paths.length === 1 && statSync(paths[0]!).isDirectory()) await sender.page.getByLabel('Folder to send').setInputFiles(paths[0]!);
  else await sender.page.getByLabel('Files to send').setInputFiles(paths);
  const transfers = sender.page.locator('[data-transfer-id]');
  const before = await transfers.count();
  const started = Date.now();
  await sender.page.getByRole('button', { name: 'Send files' }).click();
  // Offered once the bytes are on the host and hashed: Playwright sees every bridge frame while it
  // watches, so a large upload takes a while here (docs/architecture.md, transfers).
  await expect.poll(() => transfers.count(), { timeout: 300_000, interval: 250 }).toBeGreaterThan(before);
  const bytes = paths.reduce((sum, path) => sum + (statSync(path).isFile() ? statSync(path).size : 0), 0);
  if (bytes >= 64 * MiB) console.log(`upload and hashing of ${(bytes / MiB).toFixed(0)} MiB took ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

function transferItem(instance: Instance, name: RegExp | string) {
  return instance.page.getByRole('list', { name: 'Transfers' }).getByRole('listitem', { name });
}

/** The offer is announced on every screen; Review leads to the Files screen, where it is accepted. */
async function acceptOffer(receiver: Instance, name: RegExp | string): Promise<void> {
  const files = receiver.page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Files' });
  if ((await files.getAttribute('aria-current')) !== 'page') {
    await receiver.page.getByRole('complementary', { name: 'Incoming files' }).getByRole('button', { name: 'Review' }).first().click();
  }
  await transferItem(receiver, name).getByRole('button', { name: 'Accept', exact: true }).click();
}

/** Same size, other bytes: overwrites [from, from + length) of the file with random bytes. */
function overwrite(path: string, from: number, length: number): void {
  const piece = Buffer.allocUnsafe(4 * MiB);
  const fd = openSync(path, 'r+');
  try {
    for (let at = from; at < from + length; at += piece.length) writeSync(fd, randomFillSync(piece), 0, Math.min(piece.length, from + length - at), at);
  } finally {
    closeSync(fd);
  }
}

/**
 * The copy of a file the sender's host sends from: the browser host's page uploaded it into the
 * host's staging folder (`<data>/uploads/<upload id>/<name>`), so that is the file on the sender's
 * disk that a change or a deletion must reach.
 */
function stagedCopy(sender: Instance, name: string): string {
  const uploads = join(sender.host.dataDir, 'uploads');
  const found = readdirSync(uploads).map((id) => join(uploads, id, name)).filter((path) => existsSync(path));
  expect(found).toHaveLength(1);
  return found[0]!;
}

/**
 * Sends `source` and, once the first bytes arrived, changes the last quarter of the sender's copy
 * (bytes not read yet: the sender reads at most a few tens of MiB ahead of the receiver), so the
 * receiver's SHA-256 check at the end fails. Resolves when both sides show the failure; answers the
 * sender's copy.
 */
async function sendAndDamage(sender: Instance, receiver: Instance, source: string, size: number) {
  const name = source.split('/').pop()!;
  const pattern = new RegExp(`${name.replace('.', '\\.')} from Sam`);
  await send(sender, [source]);
  await acceptOffer(receiver, pattern);
  const item = transferItem(receiver, pattern);
  const progress = item.getByRole('progressbar');
  await expect.poll(async () => Number(await progress.getAttribute('value')), { timeout: 60_000, interval: 50 }).toBeGreaterThan(0);
  expect(Number(await progress.getAttribute('value'))).toBeLessThan(size / 2);
  const copy = stagedCopy(sender, name);
  overwrite(copy, size - size / 4, size / 4);
  await item.getByText('Failed', { exact: true }).waitFor({ timeout: 120_000 });
  await item.getByText(`The file "${name}" arrived damaged (its SHA-256 does not match). You can retry the transfer.`).waitFor();
  await transferItem(sender, new RegExp(`${name.replace('.', '\\.')} to Rin`)).getByText('Failed', { exact: true }).waitFor();
  return { item, copy };
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)))
    .sort();
}

describe('file transfers between two instances', () => {
  it('a 1 GiB file of random bytes arrives with the same SHA-256', { timeout: 780_000 }, async () => {
    const source = join(tempDir('big'), 'random.bin');
    const sha256 = writeRandomFile(source, 1024 * MiB);
    const { sender, receiver, downloads } = await pair();
    await send(sender, [source]);
    await acceptOffer(receiver, /random\.bin from Sam/);
    // Playwright copies every bridge message to this process while it watches (docs/protocol.md, host
    // bridge), so the file moves at about a third of its speed here; the benchmark times it detached.
    await transferItem(receiver, /random\.bin from Sam/).getByText('Done').waitFor({ timeout: 420_000 });
    await transferItem(sender, /random\.bin to Rin/).getByText('Done').waitFor();
    expect(filesUnder(downloads)).toEqual(['random.bin']);
    expect(statSync(join(downloads, 'random.bin')).size).toBe(1024 * MiB);
    expect(await sha256OfFile(join(downloads, 'random.bin'))).toBe(sha256);
    expect(sender.app.errors).toEqual([]);
    expect(receiver.app.errors).toEqual([]);
  });

  it('a folder of 200 small files keeps its structure and contents', { timeout: 120_000 }, async () => {
    const root = join(tempDir('folder'), 'album');
    const expected: Record<string, string> = {};
    for (let i = 0; i < 200; i++) {
      const path = join(root, `part-${i % 4}`, i % 10 === 0 ? 'deeper' : '', `photo-${i}.txt`);
      mkdirSync(join(path, '..'), { recursive: true });
      writeFileSync(path, `photo ${i}\n`.repeat(i + 1));
      expected[relative(join(root, '..'), path)] = readFileSync(path, 'utf8');
    }
    writeFileSync(join(root, 'empty.txt'), '');
    expected[join('album', 'empty.txt')] = '';
    const { sender, receiver, downloads } = await pair();
    await send(sender, [root]);
    await acceptOffer(receiver, /201 files from Sam/);
    await transferItem(receiver, /201 files from Sam/).getByText('Done').waitFor({ timeout: 90_000 });
    expect(filesUnder(downloads)).toEqual(Object.keys(expected).sort());
    for (const [path, content] of Object.entries(expected)) expect(readFileSync(join(downloads, path), 'utf8')).toBe(content);
  });

  it('a declined offer sends nothing, and a cancelled transfer stops on both sides and leaves no file', { timeout: 120_000 }, async () => {
    const dir = tempDir('decline');
    writeRandomFile(join(dir, 'unwanted.bin'), MiB);
    const big = join(dir, 'huge.bin');
    writeRandomFile(big, 512 * MiB);
    const { sender, receiver, downloads } = await pair();

    await send(sender, [join(dir, 'unwanted.bin')]);
    await receiver.page.getByRole('complementary', { name: 'Incoming files' }).getByRole('button', { name: 'Review' }).click();
    await transferItem(receiver, /unwanted\.bin from Sam/).getByRole('button', { name: 'Decline' }).click();
    await transferItem(sender, /unwanted\.bin to Rin/).getByText('Declined').waitFor();

    await send(sender, [big]);
    await acceptOffer(receiver, /huge\.bin from Sam/);
    const progress = transferItem(receiver, /huge\.bin from Sam/).getByRole('progressbar');
    await expect.poll(async () => Number(await progress.getAttribute('value')), { timeout: 60_000 }).toBeGreaterThan(0);
    await transferItem(sender, /huge\.bin to Rin/).getByRole('button', { name: 'Cancel' }).click();
    await transferItem(receiver, /huge\.bin from Sam/).getByText('Cancelled').waitFor();
    await transferItem(sender, /huge\.bin to Rin/).getByText('Cancelled').waitFor();
    await expect.poll(() => filesUnder(downloads).filter((name) => !name.startsWith('.'))).toEqual([]);
  });

  // Where no cgroup can throttle a disk (another kernel set-up, no root), the test says so and is skipped.
  const noSlowDisk = SlowDisk.unavailable();
  if (noSlowDisk) console.warn(`skipped: the slow-disk transfer test (${noSlowDisk})`);
  it.skipIf(noSlowDisk)('a receiving disk slower than the network slows the sender instead of filling memory, and the file still arrives whole', { timeout: 240_000 }, async () => {
    const source = join(tempDir('slow'), 'slow.bin');
    const size = 256 * MiB;
    const sha256 = writeRandomFile(source, size);
    const receiverChromium = tempDir('slow-chromium');
    // 1 MB/s for the receiver's own flushes (each part file checkpoint), a tenth of this network's pace.
    const disk = SlowDisk.create(tmpdir(), 1_000_000);
    try {
      const { sender, receiver, downloads } = await pair({ receiverChromium, receiverSpawn: disk.spawn });
      const growth = residentGrowth(instanceProcesses(receiver.host.process.pid!, receiverChromium));
      await send(sender, [source]);
      await acceptOffer(receiver, /slow\.bin from Sam/);
      const sent = transferItem(sender, /slow\.bin to Rin/).getByRole('progressbar');
      await expect.poll(async () => Number(await sent.getAttribute('value')), { timeout: 60_000 }).toBeGreaterThan(0);
      // Long enough for the network to have brought the whole file several times over the disk's pace.
      const part = join(downloads, 'slow.bin.part');
      let ahead = 0;
      for (let second = 0; second < 25; second++) {
        await new Promise((resolve) => setTimeout(resolve, 1000));
        // What the sender has sent and the receiver's part file does not hold yet waits in memory.
        ahead = Math.max(ahead, Number(await sent.getAttribute('value')) - (existsSync(part) ? statSync(part).size : 0));
      }
      const { host, renderer } = growth.stop();
      const sentSoFar = Number(await sent.getAttribute('value'));
      console.log(
        `slow disk: after 25 s the sender had sent ${(sentSoFar / MiB).toFixed(1)} MiB, at most ${(ahead / MiB).toFixed(1)} MiB ahead of the part file; ` +
          `receiver grew by ${host.growth.toFixed(1)} MiB (host) and ${renderer.growth.toFixed(1)} MiB (renderer); the disk took ${(disk.written() / MiB).toFixed(1)} MiB`,
      );
      expect(disk.written()).toBeGreaterThan(0);
      expect(sentSoFar).toBeLessThan(size);
      // The receiver's window, and a little for the progress the sender shows being a moment old.
      expect(ahead).toBeLessThanOrEqual(RECEIVE_WINDOW_BYTES + 8 * MiB);
      expect(host.growth).toBeLessThan(100);
      expect(renderer.growth).toBeLessThan(100);

      // The disk recovers: the transfer speeds up and completes, verified.
      disk.limit(0);
      await transferItem(receiver, /slow\.bin from Sam/).getByText('Done').waitFor({ timeout: 180_000 });
      await transferItem(sender, /slow\.bin to Rin/).getByText('Done').waitFor();
      expect(await sha256OfFile(join(downloads, 'slow.bin'))).toBe(sha256);
    } finally {
      await closeAll();
      await disk.remove();
    }
  });

  it('resumes after the receiver is killed mid-transfer and restarted, re-sending under 10 % of the file', { timeout: 240_000 }, async () => {
    const source = join(tempDir('resume'), 'movie.bin');
    const size = 384 * MiB;
    const sha256 = writeRandomFile(source, size);
    const receiverData = tempDir('resume-data');
    const receiverChromium = tempDir('resume-chromium');
    const { sender, receiver, downloads } = await pair({ receiverData, receiverChromium });
    await send(sender, [source]);
    await acceptOffer(receiver, /movie\.bin from Sam/);
    const progress = transferItem(receiver, /movie\.bin from Sam/).getByRole('progressbar');
    await expect.poll(async () => Number(await progress.getAttribute('value')), { timeout: 60_000, interval: 100 }).toBeGreaterThan(size * 0.3);

    // A crash: the host is killed outright, the page goes with it.
    await receiver.host.stop('SIGKILL');
    await receiver.app.close();
    await transferItem(sender, /movie\.bin to Rin/).getByText('Paused until the peer is back').waitFor({ timeout: 30_000 });

    const port = Number(new URL(receiver.host.origin).port);
    const again = await launchInstance({ name: 'Rin', dataDir: receiverData, userDataDir: receiverChromium, port, extraArgs: lan });
    await again.page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Files' }).click();
    await transferItem(again, /movie\.bin from Sam/).getByText('Done').waitFor({ timeout: 180_000 });
    await transferItem(sender, /movie\.bin to Rin/).getByText('Done').waitFor();
    expect(await sha256OfFile(join(downloads, 'movie.bin'))).toBe(sha256);

    // The sender ran throughout: all it read for the peer is the file once plus what had to go again.
    const log = readFileSync(join(sender.host.dataDir, 'logs', 'host.log'), 'utf8');
    const sent = /done; sent (\d+) bytes in this run/.exec(log);
    expect(sent, log.slice(-2000)).not.toBeNull();
    const resent = Number(sent![1]) - size;
    console.log(`resume: ${(resent / MiB).toFixed(1)} MiB of ${size / MiB} MiB sent twice (${((100 * resent) / size).toFixed(1)} %)`);
    expect(resent).toBeGreaterThanOrEqual(0);
    expect(resent).toBeLessThan(size * 0.1);
    expect(existsSync(join(downloads, 'movie.bin.part'))).toBe(false);
  });

  it('a file changed on the sender while it was sent fails its hash check in words, and Retry sends it as it is now', { timeout: 300_000 }, async () => {
    const source = join(tempDir('retry'), 'changing.bin');
    const size = 128 * MiB;
    const first = writeRandomFile(source, size);
    const { sender, receiver, downloads } = await pair();
    const { item, copy } = await sendAndDamage(sender, receiver, source, size);
    const now = await sha256OfFile(copy);
    expect(now).not.toBe(first);

    await item.getByRole('button', { name: 'Retry changing.bin' }).click();
    await item.getByText('Done', { exact: true }).waitFor({ timeout: 180_000 });
    await transferItem(sender, /changing\.bin to Rin/).getByText('Done', { exact: true }).waitFor();
    expect(await item.getByRole('button', { name: /Retry/ }).count()).toBe(0);
    // The damaged part made way for the new one, which got the file's own name.
    expect(filesUnder(downloads)).toEqual(['changing.bin']);
    expect(statSync(join(downloads, 'changing.bin')).size).toBe(size);
    expect(await sha256OfFile(join(downloads, 'changing.bin'))).toBe(now);
    expect(sender.app.errors).toEqual([]);
    expect(receiver.app.errors).toEqual([]);
  });

  it('Retry says clearly that the sender no longer has the file when it was deleted', { timeout: 240_000 }, async () => {
    const source = join(tempDir('retry-gone'), 'gone.bin');
    const size = 64 * MiB;
    writeRandomFile(source, size);
    const { sender, receiver, downloads } = await pair();
    const { item, copy } = await sendAndDamage(sender, receiver, source, size);
    rmSync(copy);

    await item.getByRole('button', { name: 'Retry gone.bin' }).click();
    await item.getByText(`"gone.bin" is no longer on the sender's computer, so the transfer cannot be retried.`).waitFor({ timeout: 30_000 });
    expect(await item.getByText('Failed', { exact: true }).isVisible()).toBe(true);
    await expect.poll(() => item.getByRole('button', { name: 'Retry gone.bin' }).isEnabled()).toBe(true);
    await transferItem(sender, /gone\.bin to Rin/).getByText(`"gone.bin" is no longer on the sender's computer`).waitFor();
    expect(filesUnder(downloads).filter((name) => !name.endsWith('.part') && !name.endsWith('.part.json'))).toEqual([]);
  });

  it('a text snippet arrives as a text file with the same text', { timeout: 60_000 }, async () => {
    const { sender, receiver, downloads } = await pair();
    await sender.page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Files' }).click();
    await sender.page.getByLabel('Send to').selectOption(receiverIds.get(sender)!);
    const text = 'Meeting at 3 — 회의는 3시에\nbring the slides';
    await sender.page.getByLabel('Text or clipboard snippet').fill(text);
    await sender.page.getByRole('button', { name: 'Send text' }).click();
    await acceptOffer(receiver, /text-.*\.txt from Sam/);
    await transferItem(receiver, /text-.*\.txt from Sam/).getByText('Done').waitFor({ timeout: 30_000 });
    const saved = filesUnder(downloads);
    expect(saved).toHaveLength(1);
    expect(readFileSync(join(downloads, saved[0]!), 'utf8')).toBe(text);
  });

  it('files dropped on a peer in the browser host are uploaded to the host and sent', { timeout: 60_000 }, async () => {
    const { sender, receiver, receiverId, downloads } = await pair();
    await sender.page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Peers' }).click();
    const files = await sender.page.evaluateHandle(() => {
      const transfer = new DataTransfer();
      transfer.items.add(new File(['hello'], 'hello.txt', { type: 'text/plain' }));
      return transfer;
    });
    await sender.page.locator(`li[data-peer-id="${receiverId}"]`).dispatchEvent('drop', { dataTransfer: files });
    await acceptOffer(receiver, /hello\.txt from Sam/);
    await transferItem(receiver, /hello\.txt from Sam/).getByText('Done').waitFor({ timeout: 30_000 });
    expect(readFileSync(join(downloads, 'hello.txt'), 'utf8')).toBe('hello');
    // The staged copy on the sender's host goes once the transfer is done.
    await expect.poll(() => readdirSync(join(sender.host.dataDir, 'uploads'))).toEqual([]);
  });

  it('a page that names a path it was never given reaches nothing, and a mistyped download folder is refused', { timeout: 60_000 }, async () => {
    const { sender, receiverId } = await pair();
    const typo = join(tempDir('typo'), 'Downlaods');
    // What a compromised page could do: speak to the bridge itself, with the page's own token and origin.
    const answers = await sender.page.evaluate(
      async ({ peerId, typo }) => {
        const token = new URLSearchParams(location.hash.slice(1)).get('token')!;
        const socket = new WebSocket(`ws://${location.host}/bridge?token=${token}`);
        await new Promise((resolve) => socket.addEventListener('open', resolve, { once: true }));
        let id = 0;
        const ask = (name: string, payload: unknown) =>
          new Promise<{ ok: boolean; error?: { code: string; message: string } }>((resolve) => {
            const mine = ++id;
            const listen = (event: MessageEvent) => {
              const frame = JSON.parse(String(event.data)) as { type: string; id: number; envelope: { ok: boolean; error?: { code: string; message: string } } };
              if (frame.type !== 'reply' || frame.id !== mine) return;
              socket.removeEventListener('message', listen);
              resolve(frame.envelope);
            };
            socket.addEventListener('message', listen);
            socket.send(JSON.stringify({ type: 'request', id: mine, name, payload }));
          });
        const started = performance.now();
        const result = {
          paths: await ask('createOutgoing', { peerId, paths: ['/etc/shadow'] }),
          pathAsHandle: await ask('createOutgoing', { peerId, handles: ['/etc/shadow'] }),
          madeUpHandle: await ask('createOutgoing', { peerId, handles: ['AAAAAAAAAAAAAAAAAAAAAA'] }),
          read: await ask('readChunk', { id: 'madeUpTransfer', file: 0, offset: 0, length: 4096 }),
          downloadDir: await ask('setSettings', { downloadDir: typo }),
          latency: 0,
        };
        result.latency = (performance.now() - started) / 5;
        socket.close();
        return result;
      },
      { peerId: receiverId, typo },
    );
    console.log(`bridge latency while refusing: ${answers.latency.toFixed(1)} ms per request`);
    expect(answers.paths).toMatchObject({ ok: false, error: { code: 'invalid' } });
    expect(answers.pathAsHandle).toMatchObject({ ok: false, error: { code: 'invalid', message: expect.stringContaining('must be a handle from the file dialog, a drop or an upload') } });
    expect(answers.madeUpHandle).toMatchObject({ ok: false, error: { code: 'forbidden', message: expect.stringContaining('Lanline sends only files chosen') } });
    expect(answers.read).toMatchObject({ ok: false, error: { code: 'not-found' } });
    expect(answers.downloadDir).toMatchObject({ ok: false, error: { code: 'invalid', message: expect.stringContaining('does not exist') } });
    expect(existsSync(typo)).toBe(false);
    expect(await transferItem(sender, /to Rin/).count()).toBe(0);
  });

  it('a folder of hostile names lands sanitised: nothing outside the download folder, no hidden names, no invisible characters', { timeout: 90_000 }, async () => {
    const root = join(tempDir('corpus'), 'corpus');
    // Names a Linux disk can hold; a peer on any system may send them (electron/core/transfers/file-name.ts).
    // Backslashes are left out here: Chromium gives them as '/' in a folder's relative paths, and the
    // upload refuses the '..' that makes (the single-file test below sends one).
    const names = [
      'report.pdf\u2028.exe',
      'paragraph\u2029.txt',
      'evil\u202Egnp.exe',
      'zero\u200Bwidth\u200C.txt',
      'soft\u00ADhyphen.txt',
      'tag\u{E0041}\u{E007F}s.txt',
      'bom\uFEFF.txt',
      'etc\u2215passwd',
      'etc\u2044group',
      'etc\uFF0Fshadow',
      'etc\u29F8hosts',
      'CON',
      'con.txt',
      'a:b|c*d"e.txt',
      'name. . .',
      ' lead',
      'bell\u0007.txt',
      'line\nbreak.txt',
      '.bashrc',
      '.config/autostart/x.desktop',
      '.ssh/authorized_keys',
      'docs/.hidden/inner.txt',
    ];
    for (const [index, name] of names.entries()) {
      mkdirSync(join(root, name, '..'), { recursive: true });
      writeFileSync(join(root, name), `file ${index}\n`);
    }
    const { sender, receiver, downloads } = await pair();
    await send(sender, [root]);
    await acceptOffer(receiver, new RegExp(`${names.length} files from Sam`));
    await transferItem(receiver, new RegExp(`${names.length} files from Sam`)).getByText('Done').waitFor({ timeout: 60_000 });
    const saved = filesUnder(downloads);
    console.log(`hostile corpus saved as: ${JSON.stringify(saved)}`);
    expect(saved).toHaveLength(names.length);
    // Every file's content arrived, each once.
    expect(saved.map((path) => readFileSync(join(downloads, path), 'utf8')).sort()).toEqual(names.map((_, index) => `file ${index}\n`).sort());
    expect(readdirSync(join(downloads, '..'))).toEqual(['downloads']);
    for (const path of saved) {
      for (const segment of path.split('/')) {
        expect(segment.startsWith('.'), path).toBe(false);
        expect(segment, path).not.toMatch(/[\p{Cf}\u2028\u2029\u0000-\u001F\u007F\u2215\u2044\uFF0F\u29F8\\:|*"]/u);
      }
    }
    expect(saved).toContain(join('corpus', '_.config', 'autostart', 'x.desktop'));
    expect(saved).toContain(join('corpus', 'report.pdf.exe'));
  });

  it('a hostile file name lands sanitised inside the download folder', { timeout: 60_000 }, async () => {
    const dir = tempDir('hostile');
    const hostile = '..\\..\\Windows\\System32\\con.txt';
    writeFileSync(join(dir, hostile), 'not a system file');
    const { sender, receiver, downloads } = await pair();
    await send(sender, [join(dir, hostile)]);
    await acceptOffer(receiver, /from Sam/);
    await transferItem(receiver, /from Sam/).getByText('Done').waitFor({ timeout: 30_000 });
    // Backslashes count as folder separators (a Windows path), '..' is dropped, CON is renamed.
    const saved = filesUnder(downloads);
    expect(saved).toEqual([join('Windows', 'System32', '_con.txt')]);
    expect(readFileSync(join(downloads, saved[0]!), 'utf8')).toBe('not a system file');
    expect(readdirSync(join(downloads, '..'))).toEqual(['downloads']);
  });
});
