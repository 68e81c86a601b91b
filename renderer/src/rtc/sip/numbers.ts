/**
 * Phone numbers and SIP addresses as people type and paste them (pure).
 *
 * `cleanNumber` turns what was typed or pasted ("+1 (555) 010-2030", a number copied from a web page
 * with invisible direction marks, full-width digits from an East Asian keyboard) into the characters a
 * dial pad has: a leading `+`, digits, `*`, `#` and the DTMF letters A-D. Letters and other symbols are
 * refused with a reason rather than silently dropped, so "1-800-FLOWERS" never dials a wrong number.
 *
 * `dialTarget` turns the dial pad's field into the Request-URI of an INVITE (RFC 3261 §19.1):
 * a number becomes `sip:<number>@<account domain>`, with `#` escaped as `%23` since the user part may
 * not hold it bare; `sip:`/`sips:` URIs and bare `user@host` addresses pass validated; a `tel:` URI
 * (RFC 3966) is dialled as its number through the account's domain. The rules follow the deep-link
 * parser in electron/core/links.ts, which the renderer may not import (layer rule, DESIGN §2).
 */

/** Longest number accepted: ITU-T E.164 numbers are at most 15 digits; this leaves room for IVR codes. */
export const MAX_NUMBER = 64;

export type NumberError = 'empty' | 'letters' | 'plus' | 'tooLong';
export type CleanResult = { ok: true; number: string } | { ok: false; code: NumberError; reason: string; found?: string };

export type TargetError = NumberError | 'address' | 'noDomain';
export type TargetResult =
  /** `uri` goes into the INVITE; `display` is what the user reads (the number, or user@host). */
  | { ok: true; uri: string; display: string }
  | { ok: false; code: TargetError; reason: string; found?: string };

// Zero-width characters, direction marks and embeddings, word joiners, the BOM, soft hyphen: web pages
// and spreadsheets put them around numbers, and they would otherwise make a number look fine and fail.
const INVISIBLE = /[\u00AD\u061C\u115F\u1160\u180E\u200B-\u200F\u202A-\u202E\u2060-\u206F\u3164\uFEFF\uFFA0]/g;
// Visual separators: white space of any kind, dashes and minus signs, dots, brackets, slashes.
const SEPARATORS = /[\s\-\u2010-\u2015\u2212.()[\]/\\]/g;

function refuse<T extends string>(code: T, reason: string, found?: string): { ok: false; code: T; reason: string; found?: string } {
  return found === undefined ? { ok: false, code, reason } : { ok: false, code, reason, found };
}

/** A typed or pasted phone number, cleaned to `+?[0-9*#A-D]+`, or the reason it is not one. */
export function cleanNumber(raw: string): CleanResult {
  // NFKC folds full-width digits, plus and brackets (０１０－１２３４) into their ASCII forms.
  const text = String(raw).normalize('NFKC').replace(INVISIBLE, '').replace(SEPARATORS, '');
  if (text.length === 0) return refuse('empty', 'There is no number to dial.');
  const bad = [...new Set(text.replace(/[0-9*#+a-d]/gi, ''))].join('');
  if (bad) return refuse('letters', `A phone number holds only digits, *, #, A-D and a leading +; remove “${bad}”.`, bad);
  if (text.lastIndexOf('+') > 0) return refuse('plus', 'A + may only stand at the start of a number.');
  if (text === '+') return refuse('empty', 'There is no number after the +.');
  if (text.length > MAX_NUMBER) return refuse('tooLong', `A number has at most ${MAX_NUMBER} characters; this one has ${text.length}.`);
  return { ok: true, number: text.toUpperCase() };
}

/** The user part of a SIP URI as RFC 3261 allows it (unreserved, escaped and user-unreserved). */
const SIP_USER = /^(?:[A-Za-z0-9\-_.!~*'()&=+$,;?/]|%[0-9A-Fa-f]{2}){1,128}$/;
const HOST = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]{2,45}\])$/;

/** `host[:port]`, the host lower-cased; null when it is not one. */
function hostPort(text: string): string | null {
  const match = /^(\[[^\]]+\]|[^:]+)(?::(\d{1,5}))?$/.exec(text);
  if (!match || !HOST.test(match[1]!)) return null;
  const port = match[2] === undefined ? null : Number(match[2]);
  if (port !== null && (port < 1 || port > 65535)) return null;
  return `${match[1]!.toLowerCase()}${port === null ? '' : `:${port}`}`;
}

/** Escapes what a number may hold but a SIP user part may not: only `#` (RFC 3261 §25.1). */
const escapeUser = (user: string) => user.replace(/#/g, '%23');

const badAddress = (reason: string): TargetResult => refuse('address', reason);
const ADDRESS_SHAPE = 'A SIP address looks like sip:alice@example.org or alice@example.org.';

/** `sip:`/`sips:` URIs and bare `user@host`: parameters and headers dropped, the host lower-cased. */
function sipAddress(scheme: 'sip' | 'sips', body: string): TargetResult {
  const address = body.split(/[;?]/)[0] ?? '';
  const at = address.lastIndexOf('@');
  const user = at >= 0 ? escapeUser(address.slice(0, at)) : '';
  const host = hostPort(at >= 0 ? address.slice(at + 1) : address);
  if (at >= 0 && !SIP_USER.test(user)) return badAddress('The user part of the SIP address has characters SIP does not allow.');
  if (/%(?:0[0-9a-f]|1[0-9a-f]|7f)/i.test(user)) return badAddress('The user part of the SIP address has control characters.');
  if (host === null) return badAddress(ADDRESS_SHAPE);
  const display = `${user ? `${decodeURIComponentSafe(user)}@` : ''}${host}`;
  return { ok: true, uri: `${scheme}:${user ? `${user}@` : ''}${host}`, display: scheme === 'sips' ? `sips:${display}` : display };
}

function decodeURIComponentSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function numberTarget(raw: string, domain: string | null | undefined): TargetResult {
  const cleaned = cleanNumber(raw);
  if (!cleaned.ok) return cleaned;
  const host = domain ? hostPort(domain.trim()) : null;
  if (host === null) return refuse('noDomain', 'Numbers are dialled through the SIP account’s domain, and no account with a domain is set up.');
  return { ok: true, uri: `sip:${escapeUser(cleaned.number)}@${host}`, display: cleaned.number };
}

/**
 * What the dial pad's field dials: `{ ok, uri, display }`, or a code and a reason to show. `domain` is
 * the host (and port) of the account's own SIP URI, through which numbers are routed.
 */
export function dialTarget(input: string, domain: string | null | undefined): TargetResult {
  const text = String(input).normalize('NFKC').replace(INVISIBLE, '').trim();
  if (text.length === 0) return refuse('empty', 'There is no number to dial.');
  if (text.length > 512) return badAddress('That address is too long.');
  const scheme = /^([a-z]+):/i.exec(text)?.[1]?.toLowerCase();
  if (scheme === 'sip' || scheme === 'sips') {
    if (/[\s\u0000-\u001f\u007f]/.test(text)) return badAddress('A SIP address has no spaces or control characters.');
    return sipAddress(scheme, text.slice(scheme.length + 1));
  }
  if (scheme === 'tel') return numberTarget(decodeURIComponentSafe(text.slice(4).split(';')[0] ?? ''), domain);
  if (text.includes('@')) {
    if (/[\s\u0000-\u001f\u007f]/.test(text)) return badAddress('A SIP address has no spaces or control characters.');
    return sipAddress('sip', text);
  }
  return numberTarget(text, domain);
}

/** The host (and port) of a SIP URI such as an account's own, or null: where numbers are dialled through. */
export function sipDomain(uri: string): string | null {
  const match = /^sips?:(?:[^@;?]*@)?([^;?]+)/i.exec(uri.trim());
  return match ? hostPort(match[1]!) : null;
}

/** Whether pasted or typed text is an address rather than a number (so it is not cleaned as one). */
export function looksLikeAddress(text: string): boolean {
  return /^\s*(?:sips?|tel):/i.test(text) || text.includes('@');
}
