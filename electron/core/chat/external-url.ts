/**
 * Which links from a chat message Lanline hands to the system (the default browser or mail app):
 * http, https and mailto only, judged on what the WHATWG URL parser (the one browsers and
 * `shell.openExternal` use) makes of the text, and passed on in that parsed form, so what is opened is
 * exactly what was checked. Text the parser would silently change is refused instead: whitespace and
 * control characters anywhere (`java\tscript:` parses as `javascript:`), invisible and bidirectional
 * formatting characters (they disguise where a link goes), and user names or passwords in the address
 * (`https://bank.example@evil.example` goes to evil.example).
 */
import { LanlineError } from '../errors.js';

export const EXTERNAL_SCHEMES = ['http:', 'https:', 'mailto:'] as const;
export const EXTERNAL_URL_LIMIT = 4_096;

const HIDDEN = /[\s\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u;

/** The URL to open (normalised by the parser), or LanlineError('invalid', …) saying why it is refused. */
export function checkExternalUrl(text: string): string {
  const refuse = (why: string) => new LanlineError('invalid', `Lanline did not open this link: ${why}`);
  if (text.length > EXTERNAL_URL_LIMIT) throw refuse(`it is longer than ${EXTERNAL_URL_LIMIT} characters.`);
  if (HIDDEN.test(text)) throw refuse('it contains spaces, control or invisible characters. Copy it and check it before opening it yourself.');
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw refuse('it is not a complete web or e-mail address.');
  }
  if (!(EXTERNAL_SCHEMES as readonly string[]).includes(url.protocol)) {
    throw refuse(`only web (http, https) and e-mail (mailto) links open from a chat, and this one is "${url.protocol.slice(0, 40)}".`);
  }
  if (url.protocol === 'mailto:') {
    if (!url.pathname) throw refuse('the e-mail link has no address.');
  } else {
    if (!url.hostname) throw refuse('the web address has no host name.');
    if (url.username || url.password) throw refuse('it hides a user name or password before the host name, a common way to disguise where a link goes.');
  }
  return url.href;
}
