/**
 * The transfers main keeps, on real files: an offer is prepared and read back chunk by chunk on the
 * sending side; on the receiving side offers are vetted, names sanitised, bytes written through part
 * files, and a transfer seen again after a restart resumes from the verified offset.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { PeerId, TransferOffer } from '../../electron/contract.js';
import { EventHub } from '../../electron/core/events.js';
import { peerIdFromFingerprint } from '../../electron/core/identity/peer-id.js';
import { memoryLog } from '../../electron/core/log.js';
import { defaultSettings, Settings } from '../../electron/core/settings/settings.js';
import { JsonFileStore } from '../../electron/core/storage.js';
import { ChosenFiles } from '../../electron/core/transfers/chosen-files.js';
import { Transfers } from '../../electron/core/transfers/transfers.js';
import { TrustStore } from '../../electron/core/trust/trust-store.js';
import { randomFingerprint } from '../support/lan.js';

const sha = (data: Uint8Array | string) => createHash('sha256').update(data).digest('hex');

function side(dir = mkdtempSync(join(tmpdir(), 'lanline-transfers-'))) {
  const log = memoryLog();
  const events = new EventHub();
  const downloads = join(dir, 'downloads');
  const store = (name: string) => new JsonFileStore(join(dir, `${name}.json`), log);
  const settings = new Settings(store('settings'), defaultSettings({ displayName: 'Me', language: 'en', downloadDir: downloads }), log, events);
  const trust = new TrustStore(store('trust'), Date.now, log);
  const chosen = new ChosenFiles();
  const transfers = new Transfers({ store: store('transfers'), settings, trust, events, log, snippetDir: join(dir, 'snippets'), chosen, defaultDownloadDir: downloads });
  /** What the user chose in the file dialog: handles for these paths. */
  const choose = (paths: string[]) => paths.map((path) => chosen.add(path).handle);
  const peer = (name: string) => {
    const fingerprint = randomFingerprint();
    const id = peerIdFromFingerprint(fingerprint);
    trust.pin(id, fingerprint, name);
    return id;
  };
  return { dir, downloads, transfers, trust, peer, log, choose };
}

const offer = (files: TransferOffer['files'], id = `t${Math.random().toString(36).slice(2, 12)}`): TransferOffer => ({ id, kind: 'files', files });

describe('sending', () => {
  it('offers files and folders with their sizes and hashes, and reads them back by offset', async () => {
    const { dir, transfers, peer, choose } = side();
    const folder = join(dir, 'album');
    mkdirSync(join(folder, 'inner'), { recursive: true });
    writeFileSync(join(folder, 'a.txt'), 'alpha');
    writeFileSync(join(folder, 'inner', 'b.txt'), 'beta');
    writeFileSync(join(dir, 'c.bin'), Buffer.alloc(300_000, 7));
    const { offer: made, transfer } = await transfers.createOutgoing(peer('Ben'), choose([folder, join(dir, 'c.bin')]));
    expect(made.files).toEqual([
      { path: 'album/a.txt', size: 5, sha256: sha('alpha') },
      { path: 'album/inner/b.txt', size: 4, sha256: sha('beta') },
      { path: 'c.bin', size: 300_000, sha256: sha(Buffer.alloc(300_000, 7)) },
    ]);
    expect(transfer).toMatchObject({ direction: 'out', state: 'waiting', totalSize: 300_009 });
    const chunk = await transfers.readChunk(made.id, 2, 262_144, 262_144);
    expect(chunk.length).toBe(300_000 - 262_144);
    await expect(transfers.readChunk(made.id, 2, 300_000, 10)).rejects.toThrow(/past the end/);
    await expect(transfers.readChunk(made.id, 9, 0, 10)).rejects.toThrow(/no such file/);
  });

  it('says clearly when there is nothing to send or the path is missing', async () => {
    const { dir, transfers, peer, choose } = side();
    mkdirSync(join(dir, 'empty'));
    const id = peer('Ben');
    await expect(transfers.createOutgoing(id, choose([join(dir, 'empty')]))).rejects.toThrow(/nothing to send/);
    await expect(transfers.createOutgoing(id, choose([join(dir, 'missing')]))).rejects.toMatchObject({ code: 'not-found' });
  });
});

describe('receiving', () => {
  it('lets a Nearby peer\'s offer wait for the user, never always-accepted, and refuses a blocked peer\'s', async () => {
    const { transfers, trust, peer } = side();
    const stranger = peerIdFromFingerprint(randomFingerprint());
    const waiting = await transfers.receiveOffer(stranger, offer([{ path: 'x', size: 1, sha256: sha('x') }]));
    expect(waiting.accepted).toBe(false);
    await expect(transfers.answer(waiting.transfer.id, true, true)).rejects.toMatchObject({ code: 'forbidden' });
    const ben = peer('Ben');
    trust.apply(ben, 'block');
    await expect(transfers.receiveOffer(ben, offer([{ path: 'x', size: 1, sha256: sha('x') }]))).rejects.toMatchObject({ code: 'forbidden' });
  });

  it('writes accepted files under the download folder with sanitised names, checked by hash', async () => {
    const { transfers, peer, downloads } = side();
    const ben = peer('Ben');
    const incoming = offer([
      { path: '../../etc/passwd', size: 4, sha256: sha('root') },
      { path: 'photos/CON.jpg', size: 3, sha256: sha('jpg') },
    ]);
    const { accepted, transfer } = await transfers.receiveOffer(ben, incoming);
    expect(accepted).toBe(false);
    expect(transfer.state).toBe('waiting');
    const { offsets } = await transfers.answer(incoming.id, true);
    expect(offsets).toEqual([0, 0]);
    await transfers.writeChunk(incoming.id, 0, 0, Buffer.from('root'));
    await transfers.writeChunk(incoming.id, 1, 0, Buffer.from('jpg'));
    await transfers.finishFile(incoming.id, 0);
    const done = await transfers.finishFile(incoming.id, 1);
    expect(done.state).toBe('done');
    expect(readdirSync(downloads, { recursive: true }).map(String).sort()).toEqual(['etc', 'etc/passwd', 'photos', 'photos/_CON.jpg'].sort());
    expect(readFileSync(join(downloads, 'etc', 'passwd'), 'utf8')).toBe('root');
  });

  it('never writes more than announced, and reports a damaged file as failed', async () => {
    const { transfers, peer } = side();
    const ben = peer('Ben');
    const incoming = offer([{ path: 'small.txt', size: 3, sha256: sha('abc') }]);
    await transfers.receiveOffer(ben, incoming);
    await transfers.answer(incoming.id, true);
    await expect(transfers.writeChunk(incoming.id, 0, 0, Buffer.from('abcdef'))).rejects.toThrow(/more than the 3 bytes/);
    await transfers.writeChunk(incoming.id, 0, 0, Buffer.from('abX'));
    await expect(transfers.finishFile(incoming.id, 0)).rejects.toThrow(/damaged/);
    expect(transfers.list()[0]).toMatchObject({ state: 'failed', error: { code: 'invalid' } });
  });

  it('refuses duplicate names in one offer and a second answer', async () => {
    const { transfers, peer } = side();
    const ben = peer('Ben');
    await expect(transfers.receiveOffer(ben, offer([{ path: 'a.txt', size: 1, sha256: sha('a') }, { path: 'A.TXT', size: 1, sha256: sha('a') }]))).rejects.toThrow(/twice/);
    const once = offer([{ path: 'b.txt', size: 1, sha256: sha('b') }]);
    await transfers.receiveOffer(ben, once);
    await transfers.answer(once.id, false);
    await expect(transfers.answer(once.id, true)).rejects.toThrow(/already answered/);
  });

  it('resumes after a restart from the offset its part file verified (a crash: see part-file and the e2e test)', async () => {
    const first = side();
    const ben = first.peer('Ben');
    const data = Buffer.alloc(20 * 1024 * 1024, 3);
    const incoming = offer([{ path: 'big.bin', size: data.length, sha256: sha(data) }]);
    await first.transfers.receiveOffer(ben as PeerId, incoming);
    await first.transfers.answer(incoming.id, true);
    const chunk = 256 * 1024;
    for (let offset = 0; offset < 12 * 1024 * 1024; offset += chunk) await first.transfers.writeChunk(incoming.id, 0, offset, data.subarray(offset, offset + chunk));
    // The app quits (its part files are flushed) and starts again on the same files.
    await first.transfers.close();
    first.trust.flush();
    const second = side(first.dir);
    expect(second.transfers.list()[0]).toMatchObject({ id: incoming.id, state: 'paused' });
    const again = await second.transfers.receiveOffer(ben as PeerId, incoming);
    expect(again.accepted).toBe(true);
    expect(again.offsets).toEqual([12 * 1024 * 1024]);
    for (let offset = again.offsets[0]!; offset < data.length; offset += chunk) await second.transfers.writeChunk(incoming.id, 0, offset, data.subarray(offset, offset + chunk));
    expect((await second.transfers.finishFile(incoming.id, 0)).state).toBe('done');
  });
});

describe('retrying a failed transfer', () => {
  /** A receiver whose copy of `name` arrived damaged: the transfer failed, its part kept and marked. */
  async function damaged(announced: string, arrived: string, name = 'note.txt') {
    const receiver = side();
    const ben = receiver.peer('Ben');
    const incoming = offer([{ path: name, size: announced.length, sha256: sha(announced) }]);
    await receiver.transfers.receiveOffer(ben, incoming);
    await receiver.transfers.answer(incoming.id, true);
    await receiver.transfers.writeChunk(incoming.id, 0, 0, Buffer.from(arrived));
    await expect(receiver.transfers.finishFile(incoming.id, 0)).rejects.toThrow(/damaged/);
    expect(receiver.transfers.list()[0]).toMatchObject({ state: 'failed', files: [{ state: 'failed' }] });
    return { ...receiver, ben, incoming };
  }

  it('the receiver starts a damaged file over from byte 0 when the same offer comes back', async () => {
    const { transfers, ben, incoming, downloads } = await damaged('hello world', 'hello WORLD');
    transfers.retryIncoming(incoming.id);
    const again = await transfers.receiveOffer(ben, incoming);
    expect(again).toMatchObject({ accepted: true, offsets: [0], transfer: { state: 'active', error: null, bytesDone: 0 } });
    await transfers.writeChunk(incoming.id, 0, 0, Buffer.from('hello world'));
    expect((await transfers.finishFile(incoming.id, 0)).state).toBe('done');
    expect(readdirSync(downloads)).toEqual(['note.txt']);
    expect(readFileSync(join(downloads, 'note.txt'), 'utf8')).toBe('hello world');
  });

  it('takes a re-offer with a new size and hash only after a retry, drops the old part and receives the new bytes', async () => {
    const { transfers, ben, incoming, downloads } = await damaged('first version', 'first VERSION');
    const changed: TransferOffer = { ...incoming, files: [{ path: 'note.txt', size: 'the second, longer version'.length, sha256: sha('the second, longer version') }] };
    // Not asked for: a changed offer is refused.
    await expect(transfers.receiveOffer(ben, changed)).rejects.toThrow(/changed since it was accepted/);
    expect(() => transfers.retryIncoming('nosuchtransfer')).toThrow(/no such transfer/);
    transfers.retryIncoming(incoming.id);
    const again = await transfers.receiveOffer(ben, changed);
    expect(again).toMatchObject({ accepted: true, offsets: [0], transfer: { state: 'active', totalSize: 26, files: [{ size: 26, done: 0 }] } });
    // The old part (announced 13 bytes, other hash) is gone: the new one takes its name.
    expect(readdirSync(downloads).sort()).toEqual(['note.txt.part', 'note.txt.part.json']);
    await transfers.writeChunk(incoming.id, 0, 0, Buffer.from('the second, longer version'));
    expect((await transfers.finishFile(incoming.id, 0)).state).toBe('done');
    expect(readdirSync(downloads)).toEqual(['note.txt']);
    expect(readFileSync(join(downloads, 'note.txt'), 'utf8')).toBe('the second, longer version');
    // Done: no more retries, and no more changes.
    expect(() => transfers.retryIncoming(incoming.id)).toThrow(/only a failed one/);
  });

  it('refuses a re-offer that renames files, and a retry of a transfer that has not failed', async () => {
    const { transfers, ben, incoming } = await damaged('abc', 'abX');
    transfers.retryIncoming(incoming.id);
    await expect(transfers.receiveOffer(ben, { ...incoming, files: [{ path: 'other.txt', size: 3, sha256: sha('xyz') }] })).rejects.toThrow(/changed/);
    const fresh = offer([{ path: 'fresh.txt', size: 1, sha256: sha('f') }]);
    await transfers.receiveOffer(ben, fresh);
    expect(() => transfers.retryIncoming(fresh.id)).toThrow(/only a failed one/);
  });

  it('the sender re-hashes a file that changed since the offer and offers it again with the same id', async () => {
    const { dir, transfers, peer, choose } = side();
    const rin = peer('Rin');
    const path = join(dir, 'report.txt');
    writeFileSync(path, 'draft');
    const { offer: made } = await transfers.createOutgoing(rin, choose([path]));
    await transfers.updateFromRenderer(made.id, 'started', {});
    await transfers.updateFromRenderer(made.id, 'failed', { error: { code: 'invalid', message: 'The file "report.txt" arrived damaged.' } });
    writeFileSync(path, 'final version');
    const again = await transfers.retryOutgoing(rin, made.id);
    expect(again).toEqual({ id: made.id, kind: 'files', files: [{ path: 'report.txt', size: 13, sha256: sha('final version') }] });
    expect(transfers.list()[0]).toMatchObject({ state: 'waiting', error: null, totalSize: 13, bytesDone: 0, files: [{ size: 13, done: 0, state: 'pending' }] });
    expect(transfers.outgoingFor(rin)).toEqual([again]);
    expect(Buffer.from(await transfers.readChunk(made.id, 0, 0, 100)).toString()).toBe('final version');
    // Sent again, it completes as usual.
    await transfers.updateFromRenderer(made.id, 'started', {});
    await transfers.updateFromRenderer(made.id, 'file-done', { file: 0 });
    expect((await transfers.updateFromRenderer(made.id, 'done', {})).state).toBe('done');
  });

  it('the sender answers not-found, in words, when the file is gone or the transfer is not its own', async () => {
    const { dir, transfers, peer, choose } = side();
    const rin = peer('Rin');
    const path = join(dir, 'gone.txt');
    writeFileSync(path, 'soon gone');
    const { offer: made } = await transfers.createOutgoing(rin, choose([path]));
    await transfers.updateFromRenderer(made.id, 'failed', { error: { code: 'invalid', message: 'damaged' } });
    rmSync(path);
    await expect(transfers.retryOutgoing(rin, made.id)).rejects.toMatchObject({ code: 'not-found', message: expect.stringMatching(/"gone.txt" is no longer on the sender's computer/) });
    expect(transfers.list()[0]).toMatchObject({ state: 'failed', error: { code: 'not-found' } });
    await expect(transfers.retryOutgoing(rin, 'forgottentransfer')).rejects.toMatchObject({ code: 'not-found', message: expect.stringMatching(/no longer has this transfer/) });
    await expect(transfers.retryOutgoing(peer('Eve'), made.id)).rejects.toMatchObject({ code: 'not-found' });
  });
});
