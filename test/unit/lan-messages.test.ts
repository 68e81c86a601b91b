import { describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION } from '../../electron/contract.js';
import { peerIdFromFingerprint } from '../../electron/core/identity/peer-id.js';
import { isCompatibleVersion, MAX_MESSAGE_BYTES, parseLanMessage, sdpFingerprints } from '../../electron/core/lan/messages.js';
import { randomFingerprint, sdpWith } from '../support/lan.js';

const fingerprint = randomFingerprint();
const hello = { type: 'hello', v: PROTOCOL_VERSION, id: peerIdFromFingerprint(fingerprint), name: 'Alice', fingerprint, port: 47990 };
const session = 'call-0001';

function rejected(text: string) {
  const result = parseLanMessage(text);
  if (result.ok) throw new Error(`accepted: ${text.slice(0, 100)}`);
  return result;
}

describe('LAN messages', () => {
  it('accepts every message type', () => {
    const valid = [
      hello,
      { type: 'offer', session, sdp: sdpWith(fingerprint), purpose: 'call', media: { audio: true, video: false } },
      { type: 'offer', session, sdp: sdpWith(fingerprint) },
      { type: 'answer', session, sdp: sdpWith(fingerprint) },
      { type: 'candidate', session, candidate: { candidate: 'candidate:1 1 udp 2122260223 192.168.1.5 54321 typ host', sdpMid: '0', sdpMLineIndex: 0 } },
      { type: 'candidate', session, candidate: null },
      { type: 'bye', session, reason: 'hung up' },
      { type: 'bye', session },
      { type: 'busy', session },
      { type: 'decline', session },
      { type: 'error', code: 'rate-limited', message: 'slow down' },
    ];
    for (const message of valid) expect(parseLanMessage(JSON.stringify(message))).toEqual({ ok: true, message });
  });

  it('accepts a newer minor version and ignores unknown fields', () => {
    const result = parseLanMessage(JSON.stringify({ ...hello, v: '2.7', avatar: 'x' }));
    expect(result).toEqual({ ok: true, message: { ...hello, v: '2.7' } });
  });

  it('answers another major version with a version error that says what to do', () => {
    const result = rejected(JSON.stringify({ ...hello, v: '1.0', fingerprint: undefined, identity: {} }));
    expect(result).toEqual({ ok: false, code: 'version', error: 'This peer speaks Lanline protocol 1.0, we speak 2.x; update Lanline on the older side to connect.' });
    expect(isCompatibleVersion('2.0')).toBe(true);
    expect(isCompatibleVersion('2.12')).toBe(true);
    expect(isCompatibleVersion('1.0')).toBe(false);
    expect(isCompatibleVersion('3.0')).toBe(false);
    expect(isCompatibleVersion('one')).toBe(false);
  });

  const corpus: Array<[string, string, RegExp]> = [
    ['not JSON', '{"type":"hello"', /not JSON/],
    ['empty', '', /not JSON/],
    ['an array', '[1,2]', /JSON object, not an array/],
    ['null', 'null', /not null/],
    ['a number', '42', /not a number/],
    ['a string', '"hello"', /not a string/],
    ['no type', '{"session":"call-0001"}', /no "type" field/],
    ['unknown type', '{"type":"subscribe"}', /"type" must be one of hello, certificate, offer, .*; got "subscribe"/],
    ['type not a string', '{"type":7}', /"type" must be one of .*got "7"/],
    ['hello without fingerprint', JSON.stringify({ ...hello, fingerprint: undefined }), /invalid hello message: fingerprint/],
    ['hello without id', JSON.stringify({ ...hello, id: undefined }), /invalid hello message: id/],
    ['hello with a bad peer id', JSON.stringify({ ...hello, id: 'ABCDEFG-ABCDEFG' }), /id: must be a Lanline peer id/],
    ['hello with a lower-case peer id', JSON.stringify({ ...hello, id: hello.id.toLowerCase() }), /id: must be a Lanline peer id/],
    ['hello with a bad fingerprint', JSON.stringify({ ...hello, fingerprint: 'sha-1 AB:CD' }), /fingerprint: must be "sha-256 "/],
    ['hello with a lower-case fingerprint', JSON.stringify({ ...hello, fingerprint: fingerprint.toLowerCase() }), /fingerprint: must be "sha-256 "/],
    ['hello with the port as a string', JSON.stringify({ ...hello, port: '47990' }), /port: .*expected number/],
    ['hello with a port out of range', JSON.stringify({ ...hello, port: 70000 }), /port/],
    ['hello with an empty name', JSON.stringify({ ...hello, name: '' }), /name: must not be empty/],
    ['hello with an oversize name', JSON.stringify({ ...hello, name: 'x'.repeat(65) }), /name: must be at most 64 characters/],
    ['hello with a control character in the name', JSON.stringify({ ...hello, name: 'Al\nice' }), /name: must not contain control characters/],
    ['hello with a malformed version', JSON.stringify({ ...hello, v: 'latest' }), /v: must be a protocol version/],
    ['offer without sdp', JSON.stringify({ type: 'offer', session }), /invalid offer message: sdp/],
    ['offer with an oversize sdp', JSON.stringify({ type: 'offer', session, sdp: 'x'.repeat(200_001) }), /sdp/],
    ['offer with a bad session', JSON.stringify({ type: 'offer', session: 'a b', sdp: 'v=0' }), /session: must be 8-64 letters/],
    ['offer with an unknown purpose', JSON.stringify({ type: 'offer', session, sdp: 'v=0', purpose: 'spy' }), /purpose/],
    ['answer with sdp as a number', JSON.stringify({ type: 'answer', session, sdp: 5 }), /sdp: .*expected string/],
    ['candidate without candidate', JSON.stringify({ type: 'candidate', session }), /candidate/],
    ['candidate with an oversize candidate', JSON.stringify({ type: 'candidate', session, candidate: { candidate: 'c'.repeat(2001) } }), /candidate\.candidate/],
    ['bye with an oversize reason', JSON.stringify({ type: 'bye', session, reason: 'r'.repeat(201) }), /reason/],
    ['error with an unknown code', JSON.stringify({ type: 'error', code: 'teapot', message: 'x' }), /invalid error message: code/],
    ['error with an oversize message', JSON.stringify({ type: 'error', code: 'invalid', message: 'm'.repeat(501) }), /message: must be at most 500/],
    ['__proto__ key', '{"type":"bye","session":"call-0001","__proto__":{"admin":true}}', /key "__proto__"/],
    ['nested __proto__ key', '{"type":"candidate","session":"call-0001","candidate":{"candidate":"c","__proto__":{"x":1}}}', /key "__proto__"/],
    ['constructor key', '{"type":"bye","session":"call-0001","constructor":{"prototype":{"x":1}}}', /key "constructor"/],
    ['deep nesting', `{"type":"bye","session":"call-0001","x":${'['.repeat(5000)}${']'.repeat(5000)}}`, /nested more than 8 levels/],
    ['more than 256 KiB', JSON.stringify({ type: 'bye', session, padding: 'p'.repeat(MAX_MESSAGE_BYTES) }), /at most 262144/],
  ];

  it.each(corpus)('rejects %s with a message that names the problem', (_what, text, expected) => {
    const result = rejected(text);
    expect(result.code).toBe('invalid');
    expect(result.error).toMatch(expected);
  });

  it('leaves Object.prototype alone whatever arrives', () => {
    parseLanMessage('{"type":"bye","session":"call-0001","__proto__":{"polluted":true}}');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('finds every DTLS fingerprint of an SDP, in the pinned form', () => {
    const other = randomFingerprint();
    const [, hex] = fingerprint.split(' ');
    const sdp = `${sdpWith(fingerprint)}m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=fingerprint:SHA-256 ${hex!.toLowerCase()}\r\n${sdpWith(other)}`;
    expect(sdpFingerprints(sdp)).toEqual([fingerprint, fingerprint, other]);
    expect(sdpFingerprints('v=0\na=fingerprint:sha-256  AB:cd\n')).toEqual(['sha-256 AB:CD']);
    expect(sdpFingerprints('v=0\r\na=fingerprint:sha-1 ab:cd\r\na=setup:active')).toEqual(['sha-1 AB:CD']);
    expect(sdpFingerprints('v=0\r\na=fingerprint:\r\n')).toEqual(['']);
    expect(sdpFingerprints('v=0\r\na=setup:active\r\n')).toEqual([]);
  });
});
