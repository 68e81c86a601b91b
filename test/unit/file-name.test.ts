import { describe, expect, it } from 'vitest';
import {
  limitFileName,
  MAX_PATH_DEPTH,
  type NameRules,
  sanitizeFileName,
  sanitizeRelativePath,
  splitExtension,
  utf8Length,
} from '../../electron/core/transfers/file-name.js';

const ruleSets: NameRules[] = ['windows', 'posix', 'mac', 'all'];
/** No lone surrogate: every UTF-16 unit is part of a whole code point. */
const wellFormed = (text: string) => !/\p{Cs}/u.test(text);
const bytes = utf8Length;

/** Names a hostile or careless peer could send. */
const hostile = [
  '../../etc/passwd',
  '..\\..\\boot.ini',
  'C:\\Windows\\x',
  'C:/Windows/System32/drivers/etc/hosts',
  '\\\\server\\share',
  '\\\\server\\share\\payload.exe',
  '\\\\?\\C:\\Windows\\x',
  '\\\\.\\PhysicalDrive0',
  '/abs',
  '/',
  '//',
  'a/../../b',
  'CON',
  'con.txt',
  'LPT9.log',
  'COM¹',
  'com².tar.gz',
  'LPT³',
  'COM0',
  'aux .txt',
  'NUL.tar.gz',
  'prn',
  'CONIN$',
  'conout$.txt',
  'name. . .',
  ' lead',
  '   ',
  'a\u0000b',
  'a\nb',
  'a\rb\tc',
  'bell\u0007',
  'del\u007F',
  'c1\u0085\u009B',
  'evil\u202Egnp.exe',
  '\u2066isolate\u2069.txt',
  '\u200Emark\u200F.pdf',
  'arabic\u061Cmark.txt',
  'what?.txt',
  '<script>.html',
  'a:b|c*d"e.txt',
  '',
  '.',
  '..',
  '...',
  '. .',
  '....txt',
  '가'.repeat(200) + '.txt',
  '😀'.repeat(100) + '.jpeg',
  '👩‍👩‍👧‍👦'.repeat(40) + '.png',
  'e' + '\u0301'.repeat(300) + '.txt',
  'x'.repeat(300),
  'x'.repeat(300) + '.tar.gz',
  // Invisible characters (Unicode category Cf) and line breaks a name could hide behind.
  'report.pdf\u2028.exe',
  'report\u2029.exe',
  'zero\u200Bwidth\u200C.txt',
  'joiner\u200D.txt',
  'soft\u00ADhyphen.txt',
  'word\u2060joiner\uFEFF.txt',
  '\u{E0001}\u{E0041}tags\u{E007F}.txt',
  'invoice\u180E.pdf',
  '\u200B\u200B',
  // Slash lookalikes: a name that reads as a path.
  'etc\u2215passwd',
  'etc\u2044passwd',
  'etc\uFF0Fpasswd',
  'etc\u29F8passwd',
  'C:\uFF3CWindows\u2216x',
  // Hidden names: a dot in front, alone or after invisible characters.
  '.bashrc',
  '.config',
  '\u200B.profile',
  '. hidden',
];

/** Every rule DESIGN §6 names, checked on one output under one rule set. */
function expectSafe(out: string, rules: NameRules) {
  expect(out.length).toBeGreaterThan(0);
  expect(out).not.toMatch(/[\\/]/);
  expect(['.', '..']).not.toContain(out);
  expect(out).not.toMatch(/^[.\s]*$/u);
  expect(out).not.toMatch(/[\u0000-\u001F\u007F-\u009F]/u);
  expect(out).not.toMatch(/[\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C]/u);
  // No invisible character but a joiner that holds an emoji sequence together.
  expect(out.replace(/(?<=\p{Extended_Pictographic}[\u{1F3FB}-\u{1F3FF}\uFE0F]?)\u200D(?=\p{Extended_Pictographic})/gu, '')).not.toMatch(/[\p{Cf}\u2028\u2029]/u);
  expect(out).not.toMatch(/[\u2215\u2044\uFF0F\u29F8\u2216\u29F9\uFF3C]/u);
  expect(out.startsWith('.')).toBe(false);
  expect(out).not.toMatch(/^\s/u);
  expect(out).not.toMatch(/[\s.]$/u);
  expect(out).toBe(out.normalize('NFC'));
  expect(wellFormed(out)).toBe(true);
  expect(bytes(out)).toBeLessThanOrEqual(255);
  if (rules === 'windows' || rules === 'all') {
    expect(out).not.toMatch(/[<>:"|?*]/);
    expect(out).not.toMatch(/^[A-Za-z]:/);
    const beforeDot = out.split('.')[0]!.trimEnd();
    expect(beforeDot).not.toMatch(/^(CON|PRN|AUX|NUL|CONIN\$|CONOUT\$|COM[0-9¹²³]|LPT[0-9¹²³])$/i);
  }
  if (rules === 'mac') expect(out).not.toContain(':');
}

describe('sanitizeFileName', () => {
  for (const rules of ruleSets) {
    it(`makes every hostile name safe under '${rules}' rules, and is idempotent`, () => {
      for (const name of hostile) {
        const out = sanitizeFileName(name, rules);
        expectSafe(out, rules);
        expect(sanitizeFileName(out, rules), `twice: ${JSON.stringify(name)}`).toBe(out);
      }
    });
  }

  it('keeps ordinary names as they are', () => {
    for (const name of ['report.pdf', 'Résumé 2024.docx', '사진 001.jpg', 'archive.tar.gz', 'a..b.txt', 'no extension', '😀 party.png', '👩‍👩‍👧‍👦 family.png', '👍🏽‍😀.png']) {
      expect(sanitizeFileName(name)).toBe(name);
    }
  });

  it('never lets a path out: traversal, absolute, drive and UNC paths lose their folders', () => {
    expect(sanitizeFileName('../../etc/passwd')).toBe('etc_passwd');
    expect(sanitizeFileName('..\\..\\boot.ini')).toBe('boot.ini');
    expect(sanitizeFileName('C:\\Windows\\x')).toBe('Windows_x');
    expect(sanitizeFileName('\\\\server\\share')).toBe('server_share');
    expect(sanitizeFileName('\\\\?\\C:\\Windows\\x')).toBe('Windows_x');
    expect(sanitizeFileName('\\\\.\\PhysicalDrive0')).toBe('PhysicalDrive0');
    expect(sanitizeFileName('//?/UNC/server/share/f.txt')).toBe('UNC_server_share_f.txt');
    expect(sanitizeFileName('/abs')).toBe('abs');
    expect(sanitizeFileName('a/../../b')).toBe('a_b');
    // Backslash is a separator under every rule set: a Windows peer means a folder by it.
    expect(sanitizeFileName('..\\..\\boot.ini', 'posix')).toBe('boot.ini');
  });

  it('turns empty and dot-only names into "file"', () => {
    for (const rules of ruleSets) {
      for (const name of ['', '.', '..', '...', '. .', '   ', '/', '\\\\', ' . / .. ']) expect(sanitizeFileName(name, rules)).toBe('file');
    }
  });

  it('guards Windows device names, with extensions, spaces and superscript digits', () => {
    expect(sanitizeFileName('CON')).toBe('_CON');
    expect(sanitizeFileName('con.txt')).toBe('_con.txt');
    expect(sanitizeFileName('LPT9.log')).toBe('_LPT9.log');
    expect(sanitizeFileName('COM¹')).toBe('_COM¹');
    expect(sanitizeFileName('aux .txt')).toBe('_aux .txt');
    expect(sanitizeFileName('NUL.tar.gz', 'windows')).toBe('_NUL.tar.gz');
    expect(sanitizeFileName('CONOUT$')).toBe('_CONOUT$');
    // Not device names: a longer word, a digit past the set, or a file only Windows minds.
    expect(sanitizeFileName('CONSOLE.txt')).toBe('CONSOLE.txt');
    expect(sanitizeFileName('COM10')).toBe('COM10');
    expect(sanitizeFileName('con.txt', 'posix')).toBe('con.txt');
    expect(sanitizeFileName('CON', 'mac')).toBe('CON');
  });

  it("replaces the characters each OS forbids and nothing more", () => {
    expect(sanitizeFileName('a:b|c*d"e<f>g?.txt', 'windows')).toBe('a_b_c_d_e_f_g_.txt');
    expect(sanitizeFileName('a:b|c*d"e<f>g?.txt', 'mac')).toBe('a_b|c*d"e<f>g?.txt');
    expect(sanitizeFileName('a:b|c*d"e<f>g?.txt', 'posix')).toBe('a:b|c*d"e<f>g?.txt');
    expect(sanitizeFileName('a:b|c*d"e<f>g?.txt')).toBe('a_b_c_d_e_f_g_.txt');
  });

  it('removes control characters and bidi overrides so a name reads as it is', () => {
    expect(sanitizeFileName('a\u0000b')).toBe('a_b');
    expect(sanitizeFileName('a\nb')).toBe('a_b');
    expect(sanitizeFileName('c1\u0085\u009B.txt')).toBe('c1__.txt');
    expect(sanitizeFileName('evil\u202Egnp.exe')).toBe('evilgnp.exe');
    expect(sanitizeFileName('\u2066isolate\u2069.txt')).toBe('isolate.txt');
    expect(sanitizeFileName('\u200Emark\u200F.pdf')).toBe('mark.pdf');
  });

  it('removes invisible format characters and line separators, keeping emoji sequences whole', () => {
    expect(sanitizeFileName('report.pdf\u2028.exe')).toBe('report.pdf.exe');
    expect(sanitizeFileName('report\u2029.exe')).toBe('report.exe');
    expect(sanitizeFileName('zero\u200Bwidth\u200C.txt')).toBe('zerowidth.txt');
    expect(sanitizeFileName('joiner\u200D.txt')).toBe('joiner.txt');
    expect(sanitizeFileName('soft\u00ADhyphen.txt')).toBe('softhyphen.txt');
    expect(sanitizeFileName('word\u2060joiner\uFEFF.txt')).toBe('wordjoiner.txt');
    expect(sanitizeFileName('\u{E0001}\u{E0041}tags\u{E007F}.txt')).toBe('tags.txt');
    expect(sanitizeFileName('invoice\u180E.pdf')).toBe('invoice.pdf');
    expect(sanitizeFileName('\u200B\u200B')).toBe('file');
    expect(sanitizeFileName('👩\u200D👧.png')).toBe('👩\u200D👧.png');
    expect(sanitizeFileName('\u200D👧.png')).toBe('👧.png');
  });

  it('replaces slash and backslash lookalikes, so a name never reads as a path', () => {
    expect(sanitizeFileName('etc\u2215passwd')).toBe('etc_passwd');
    expect(sanitizeFileName('etc\u2044passwd')).toBe('etc_passwd');
    expect(sanitizeFileName('etc\uFF0Fpasswd')).toBe('etc_passwd');
    expect(sanitizeFileName('etc\u29F8passwd')).toBe('etc_passwd');
    expect(sanitizeFileName('a\uFF3Cb\u2216c\u29F9d')).toBe('a_b_c_d');
  });

  it('never starts a name with a dot: hidden files and folders are shown', () => {
    expect(sanitizeFileName('.bashrc')).toBe('_.bashrc');
    expect(sanitizeFileName('.config')).toBe('_.config');
    expect(sanitizeFileName('\u200B.profile')).toBe('_.profile');
    expect(sanitizeFileName('. hidden')).toBe('_. hidden');
    expect(sanitizeFileName('....txt')).toBe('_....txt');
    for (const rules of ruleSets) expect(sanitizeFileName('.env', rules)).toBe('_.env');
  });

  it('strips trailing dots and spaces and leading spaces', () => {
    expect(sanitizeFileName('name. . .')).toBe('name');
    expect(sanitizeFileName(' lead')).toBe('lead');
    expect(sanitizeFileName('  both  .txt  ')).toBe('both  .txt');
  });

  it('normalizes to NFC', () => {
    const decomposed = '\u1100\u1161\u11A8.txt'; // 각 as separate jamo
    expect(sanitizeFileName(decomposed)).toBe('각.txt');
    expect(sanitizeFileName('Cafe\u0301.txt')).toBe('Café.txt');
  });

  it('cuts long Korean names to 255 bytes before the extension, on a character boundary', () => {
    const out = sanitizeFileName('가'.repeat(200) + '.txt');
    expect(out).toBe('가'.repeat(83) + '.txt'); // 83 * 3 + 4 = 253; one more would be 256
    expect(bytes(out)).toBeLessThanOrEqual(255);
  });

  it('cuts long emoji names without splitting a surrogate pair or an emoji sequence', () => {
    const out = sanitizeFileName('😀'.repeat(100) + '.jpeg');
    expect(out).toBe('😀'.repeat(62) + '.jpeg'); // 62 * 4 + 5 = 253
    expect(wellFormed(out)).toBe(true);

    const family = '👩‍👩‍👧‍👦'; // 25 bytes: four people joined by ZWJ
    const cut = sanitizeFileName(family.repeat(40) + '.png');
    expect(cut).toBe(family.repeat(10) + '.png');
  });

  it('cuts one enormous grapheme by code points rather than dropping it', () => {
    const out = sanitizeFileName('e' + '\u0301'.repeat(300) + '.txt');
    expect(out.startsWith('é')).toBe(true);
    expect(out.endsWith('.txt')).toBe(true);
    expect(bytes(out)).toBeLessThanOrEqual(255);
  });

  it('keeps a double extension when cutting', () => {
    const out = sanitizeFileName('x'.repeat(300) + '.tar.gz');
    expect(out).toBe('x'.repeat(248) + '.tar.gz');
  });
});

describe('splitExtension and limitFileName', () => {
  it('splits as a user reads the name', () => {
    expect(splitExtension('archive.tar.gz')).toEqual({ stem: 'archive', ext: '.tar.gz' });
    expect(splitExtension('photo.2024.jpg')).toEqual({ stem: 'photo.2024', ext: '.jpg' });
    expect(splitExtension('.bashrc')).toEqual({ stem: '.bashrc', ext: '' });
    expect(splitExtension('notes.final version')).toEqual({ stem: 'notes.final version', ext: '' });
  });

  it('leaves a short name alone and cuts a long one to the byte budget', () => {
    expect(limitFileName('short.txt', 20)).toBe('short.txt');
    expect(limitFileName('abcdefghij.txt', 10)).toBe('abcdef.txt');
  });
});

describe('sanitizeRelativePath', () => {
  it('keeps the folders of a folder transfer, each segment sanitized', () => {
    expect(sanitizeRelativePath('photos/2024/a.jpg')).toEqual(['photos', '2024', 'a.jpg']);
    expect(sanitizeRelativePath('photos\\2024\\CON.jpg')).toEqual(['photos', '2024', '_CON.jpg']);
    expect(sanitizeRelativePath('a//b/./c')).toEqual(['a', 'b', 'c']);
  });

  it('drops traversal, roots, drives and device prefixes', () => {
    expect(sanitizeRelativePath('../../etc/passwd')).toEqual(['etc', 'passwd']);
    expect(sanitizeRelativePath('..\\..\\boot.ini')).toEqual(['boot.ini']);
    expect(sanitizeRelativePath('C:\\Windows\\x')).toEqual(['Windows', 'x']);
    expect(sanitizeRelativePath('\\\\server\\share\\f')).toEqual(['server', 'share', 'f']);
    expect(sanitizeRelativePath('\\\\?\\C:\\x')).toEqual(['x']);
    expect(sanitizeRelativePath('\\\\.\\C:\\x\\y')).toEqual(['x', 'y']);
    expect(sanitizeRelativePath('/abs/x')).toEqual(['abs', 'x']);
    expect(sanitizeRelativePath('a/ .. /b')).toEqual(['a', 'b']);
  });

  it('creates no dot-folder: `.config/autostart/x.desktop` stays visible', () => {
    expect(sanitizeRelativePath('.config/autostart/x.desktop')).toEqual(['_.config', 'autostart', 'x.desktop']);
    expect(sanitizeRelativePath('a/.ssh/authorized_keys')).toEqual(['a', '_.ssh', 'authorized_keys']);
    expect(sanitizeRelativePath('a\u2215..\u2215b')).toEqual(['a_.._b']);
  });

  it('is never empty', () => {
    for (const path of ['', '.', '..', '/', '../..', '\\\\']) expect(sanitizeRelativePath(path)).toEqual(['file']);
  });

  it('caps the depth, keeping the first folders and the file name', () => {
    const deep = Array.from({ length: 100 }, (_, i) => `d${i}`).join('/') + '/leaf.txt';
    const out = sanitizeRelativePath(deep);
    expect(out).toHaveLength(MAX_PATH_DEPTH);
    expect(out[0]).toBe('d0');
    expect(out[out.length - 1]).toBe('leaf.txt');
  });

  it('gives safe segments for every hostile name under every rule set', () => {
    for (const rules of ruleSets) {
      for (const name of hostile) {
        for (const segment of sanitizeRelativePath(name, rules)) expectSafe(segment, rules);
      }
    }
  });
});
