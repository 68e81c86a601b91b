/**
 * File names that arrive from the network, made safe to create on disk (DESIGN §6).
 *
 * Guarantees of `sanitizeFileName(name, rules)`, whatever the input:
 * - the result is one non-empty path segment: no `/` or `\` (both are treated as separators under
 *   every rule set, since a name may come from a peer on any OS), never `.` or `..`, nothing absolute
 *   (a leading `/`, a drive letter `C:\`, a UNC `\\server\share` or `\\?\` prefix is dropped);
 * - no control characters (C0, DEL, C1) and no Unicode format characters (category Cf: bidirectional
 *   overrides, isolates and marks, which can make `evil\u202Egnp.exe` read as `evilexe.png`; zero-width
 *   spaces and joiners, the soft hyphen, word joiners, tag characters), nor line or paragraph separators
 *   (U+2028, U+2029, which break `report.pdf\u2028.exe` over two lines). The one format character kept
 *   is the zero-width joiner between two emoji, which holds an emoji sequence (👩‍👧) together;
 * - slash lookalikes (U+2215 ∕, U+2044 ⁄, U+FF0F ／, U+29F8 ⧸) and backslash lookalikes (U+2216 ∖,
 *   U+29F9 ⧹, U+FF3C ＼) become `_`, so a name cannot look like a path it is not;
 * - no name starts with a dot: a hidden file or folder (`.config/autostart`, `.bashrc`) gets a `_` in
 *   front, so nothing received hides itself or lands where a program reads its configuration;
 * - Unicode in NFC; no leading whitespace, no trailing dots or whitespace; a name of dots only or of
 *   nothing becomes `file`;
 * - at most 255 bytes of UTF-8, which fits every file system Lanline runs on (ext4 and APFS count
 *   bytes, NTFS counts UTF-16 units); a long name is cut before its extension, between grapheme
 *   clusters where possible and never inside a code point, so the extension survives;
 * - under 'windows' (and 'all'): none of `<>:"|?*`, and no reserved device name (CON, PRN, AUX, NUL,
 *   COM0-9, LPT0-9, CONIN$, CONOUT$, with superscript digits ¹²³ too, with any extension and with
 *   spaces before the extension): those get a `_` in front;
 * - under 'mac' (and 'all'): no `:` (Finder shows it as `/`);
 * - 'all', the default, applies every rule, so the name is safe on every OS; replaced characters
 *   become `_`.
 * The function is idempotent: sanitizing a sanitized name returns it unchanged.
 *
 * `sanitizeRelativePath` does the same for each segment of a path inside a folder transfer, dropping
 * empty, `.` and `..` segments, and caps the depth.
 */

export type NameRules = 'windows' | 'posix' | 'mac' | 'all';

/** Bytes of UTF-8 a file name may take. */
export const MAX_NAME_BYTES = 255;
/** Folders a transferred path may nest; deeper paths keep their first folders and their file name. */
export const MAX_PATH_DEPTH = 32;
/** What an empty or unusable name becomes. */
export const FALLBACK_NAME = 'file';

const SEPARATORS = /[\\/]+/;
/** Format characters (Cf) and line/paragraph separators. */
const INVISIBLE = /[\p{Cf}\u2028\u2029]/gu;
/** An emoji just before a joiner: a pictograph, with its variation selector or skin tone. */
const EMOJI_BEFORE = /\p{Extended_Pictographic}[\uFE0F\u{1F3FB}-\u{1F3FF}]?$/u;
const EMOJI_AFTER = /^\p{Extended_Pictographic}/u;

/** Removes invisible characters; keeps a zero-width joiner that joins two emoji into one. */
const removeInvisible = (text: string): string =>
  text.replace(INVISIBLE, (char, at: number) => (char === '\u200D' && EMOJI_BEFORE.test(text.slice(Math.max(0, at - 4), at)) && EMOJI_AFTER.test(text.slice(at + 1)) ? char : ''));
const SLASH_LOOKALIKES = /[\u2215\u2044\uFF0F\u29F8\u2216\u29F9\uFF3C]/gu;
const LEADING_DOT = /^\./u;
const CONTROL_CHARS = /[\u0000-\u001F\u007F-\u009F]/gu;
const WINDOWS_FORBIDDEN = /[<>:"|?*]/gu;
const MAC_FORBIDDEN = /:/gu;
const LEADING_SPACE = /^\s+/u;
const TRAILING_DOTS_AND_SPACE = /[\s.]+$/u;
/** Device names Windows reserves in every folder, matched on the part before the first dot. */
const WINDOWS_RESERVED = /^(?:CON|PRN|AUX|NUL|CONIN\$|CONOUT\$|COM[0-9¹²³]|LPT[0-9¹²³])$/iu;
const DRIVE = /^[A-Za-z]:$/;

const encoder = new TextEncoder();
export const utf8Length = (text: string): number => encoder.encode(text).length;

/**
 * Splits `name` into stem and extension as a user reads them: `archive.tar.gz` keeps `.tar.gz`,
 * `.bashrc` has no extension, and a "extension" with spaces or longer than 16 characters is not one.
 */
export function splitExtension(name: string): { stem: string; ext: string } {
  const match = /\.tar\.[^.\s]{1,8}$/iu.exec(name) ?? /\.[^.\s]{1,16}$/u.exec(name);
  if (!match || match.index === 0) return { stem: name, ext: '' };
  return { stem: name.slice(0, match.index), ext: match[0] };
}

/** The longest start of `text` that fits `maxBytes` of UTF-8, cut between grapheme clusters when one fits. */
function truncateUtf8(text: string, maxBytes: number): string {
  if (maxBytes <= 0) return '';
  let kept = '';
  let bytes = 0;
  for (const { segment } of new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(text)) {
    const size = utf8Length(segment);
    if (bytes + size > maxBytes) break;
    kept += segment;
    bytes += size;
  }
  if (kept.length > 0 || text.length === 0) return kept;
  // A single grapheme longer than the budget (a letter with hundreds of combining marks): cut it by
  // code points, which still never splits a surrogate pair.
  for (const codePoint of text) {
    const size = utf8Length(codePoint);
    if (bytes + size > maxBytes) break;
    kept += codePoint;
    bytes += size;
  }
  return kept;
}

/**
 * `name` cut to `maxBytes` of UTF-8, keeping its extension when the extension leaves room for at
 * least one character of the stem. Used for file names and for the names derived from them
 * (`name (2).ext`, `name.ext.part`).
 */
export function limitFileName(name: string, maxBytes: number = MAX_NAME_BYTES): string {
  if (utf8Length(name) <= maxBytes) return name;
  const { stem, ext } = splitExtension(name);
  const extBytes = utf8Length(ext);
  if (ext && extBytes < maxBytes) {
    const cut = truncateUtf8(stem, maxBytes - extBytes);
    if (cut) return cut + ext;
  }
  return truncateUtf8(name, maxBytes);
}

const isDotsOnly = (segment: string) => /^[\s.]*$/u.test(segment);

/** The path's meaningful segments: no empty, dot-only, drive (`C:`) or device-namespace (`\\?\`) parts. */
function splitSegments(path: string): string[] {
  const parts = path.split(SEPARATORS);
  // `\\?\C:\x` and `\\.\C:\x` name the Win32 device namespace; the `?` or `.` is not a folder.
  // Runs of separators split as one, so the parts start ['', '?', ...].
  if (/^[\\/]{2}[?.][\\/]/u.test(path)) parts.splice(0, 2);
  const segments = parts.filter((part) => !isDotsOnly(part));
  if (segments.length > 1 && DRIVE.test(segments[0]!)) segments.shift();
  return segments;
}

function isWindowsReserved(name: string): boolean {
  const beforeDot = name.split('.')[0]!.replace(/\s+$/u, '');
  return WINDOWS_RESERVED.test(beforeDot);
}

/** One pass of every rule over a single segment; repeated until nothing changes. */
function sanitizeOnce(segment: string, rules: NameRules): string {
  const windows = rules === 'windows' || rules === 'all';
  const mac = rules === 'mac' || rules === 'all';
  let name = removeInvisible(segment).normalize('NFC').replace(CONTROL_CHARS, '_').replace(SLASH_LOOKALIKES, '_');
  if (windows) name = name.replace(WINDOWS_FORBIDDEN, '_');
  if (mac) name = name.replace(MAC_FORBIDDEN, '_');
  name = name.replace(LEADING_SPACE, '').replace(TRAILING_DOTS_AND_SPACE, '');
  if (isDotsOnly(name)) return FALLBACK_NAME;
  name = name.replace(LEADING_DOT, '_.');
  if (windows && isWindowsReserved(name)) name = `_${name}`;
  return limitFileName(name, MAX_NAME_BYTES);
}

function sanitizeSegment(segment: string, rules: NameRules): string {
  let name = segment;
  // Each pass only removes characters or adds one `_` that ends a reserved name, so this settles
  // within a few passes; the bound is a guard, not a limit ever reached.
  for (let pass = 0; pass < 8; pass += 1) {
    const next = sanitizeOnce(name, rules);
    if (next === name) break;
    name = next;
  }
  return name;
}

/** A single safe file name from whatever a peer sent; any path in it is flattened with `_`. */
export function sanitizeFileName(name: string, rules: NameRules = 'all'): string {
  const segments = splitSegments(String(name));
  return segments.length === 0 ? FALLBACK_NAME : sanitizeSegment(segments.join('_'), rules);
}

/**
 * The safe segments of a path inside a folder transfer (`photos/2024/a.jpg`), split on `/` and `\`.
 * Never empty; never deeper than MAX_PATH_DEPTH (a deeper path keeps its first folders and its file
 * name). Join with the platform separator under the download folder.
 */
export function sanitizeRelativePath(path: string, rules: NameRules = 'all'): string[] {
  const segments = splitSegments(String(path)).map((segment) => sanitizeSegment(segment, rules));
  if (segments.length === 0) return [FALLBACK_NAME];
  if (segments.length > MAX_PATH_DEPTH) return [...segments.slice(0, MAX_PATH_DEPTH - 1), segments[segments.length - 1]!];
  return segments;
}
