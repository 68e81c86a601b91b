/**
 * The text of a chat message, before it is sent and when it is shown. Pure functions, no imports,
 * so the unit tests run them on Node.
 *
 * The limits repeat core's (electron/core/chat/history.ts, which has the last word): the renderer
 * checks first so that the user reads the reason in their language, and so that a huge paste never
 * reaches the bridge, whose frames are capped at 1 MiB.
 */

/** Most characters (Unicode code points) in one message. */
export const CHAT_TEXT_LIMIT = 10_000;

export type ChatTextProblem = { problem: 'empty' } | { problem: 'malformed' } | { problem: 'too-long'; length: number };

/** Why `text` cannot be sent, or null. Malformed: a lone surrogate, which has no UTF-8 form. */
export function chatTextProblem(text: string): ChatTextProblem | null {
  if (!text.trim()) return { problem: 'empty' };
  // Code points never outnumber UTF-16 units, so short texts need no counting.
  if (text.length > CHAT_TEXT_LIMIT) {
    const length = codePoints(text);
    if (length > CHAT_TEXT_LIMIT) return { problem: 'too-long', length };
  }
  if (/\p{Surrogate}/u.test(text)) return { problem: 'malformed' };
  return null;
}

export type ChatSegment = { text: string } | { url: string };

// http(s) and mailto links up to the first space or character that cannot be in a bare URL.
const LINK = /\b(?:https?:\/\/|mailto:)[^\s<>"'`]+/giu;
const TRAILING = /[.,;:!?'"*_~]+$/u;

/**
 * Splits a message into plain text and links. Links are never followed by the page: the view shows
 * them as buttons that ask core to open them (docs/protocol.md#chat). Punctuation that ends a
 * sentence is left out of a link, and so is a closing parenthesis without its opening one.
 */
export function linkify(text: string): ChatSegment[] {
  const segments: ChatSegment[] = [];
  let last = 0;
  for (const match of text.matchAll(LINK)) {
    let url = match[0];
    for (;;) {
      const trimmed = url.replace(TRAILING, '');
      const unbalanced = trimmed.endsWith(')') && count(trimmed, '(') < count(trimmed, ')') ? trimmed.slice(0, -1) : trimmed;
      if (unbalanced === url) break;
      url = unbalanced;
    }
    if (/^(?:https?:\/\/|mailto:)$/iu.test(url)) continue;
    const start = match.index;
    if (start > last) segments.push({ text: text.slice(last, start) });
    segments.push({ url });
    last = start + url.length;
  }
  if (last < text.length) segments.push({ text: text.slice(last) });
  return segments;
}

const count = (text: string, char: string) => text.split(char).length - 1;

/** Unicode code points, counted without copying (a paste may be megabytes). */
function codePoints(text: string): number {
  let pairs = 0;
  for (let i = 0; i < text.length - 1; i += 1) {
    const unit = text.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        pairs += 1;
        i += 1;
      }
    }
  }
  return text.length - pairs;
}
