import { describe, expect, it } from 'vitest';
import { LinkInbox, linkFromArgv, MAX_HELD_LINKS, parseLink } from '../../electron/core/links.js';
import { protocolPlan } from '../../electron/core/protocols.js';
import type { DeepLink } from '../../electron/contract.js';
import { peerIdFromFingerprint } from '../../electron/core/identity/peer-id.js';

const fingerprint = `sha-256 ${Array.from({ length: 32 }, (_, i) => (i * 7).toString(16).padStart(2, '0').toUpperCase()).join(':')}`;
const id = peerIdFromFingerprint(fingerprint);
const ok = (raw: string) => {
  const result = parseLink(raw);
  if (!result.ok) throw new Error(result.reason);
  return result.link;
};
const reason = (raw: string) => {
  const result = parseLink(raw);
  return result.ok ? null : result.reason;
};

describe('parseLink', () => {
  it('opens a peer by id, typed any way the id parser reads', () => {
    expect(ok(`lanline://peer/${id}`)).toEqual({ kind: 'peer', peerId: id });
    expect(ok(`LANLINE://peer/${id.toLowerCase().replace(/-/g, '')}/`)).toEqual({ kind: 'peer', peerId: id });
    expect(ok(`lanline://peer/${encodeURIComponent(id.replace(/-/g, ' '))}`)).toEqual({ kind: 'peer', peerId: id });
  });

  it('refuses peer links with a typo or another shape, saying why', () => {
    const typo = id.slice(0, 3) + (id[3] === 'A' ? 'B' : 'A') + id.slice(4);
    expect(reason(`lanline://peer/${typo}`)).toMatch(/typo/);
    expect(reason('lanline://peer/')).toMatch(/lanline:\/\/peer\/<peer id>/);
    expect(reason(`lanline://settings/${id}`)).toMatch(/lanline:\/\/peer/);
    expect(reason(`lanline://peer/${id}/../../etc`)).toMatch(/lanline:\/\/peer/);
    expect(reason('lanline://peer/%E0%A4%A')).toMatch(/encoded/);
  });

  it('normalises tel: numbers and refuses what is not a number', () => {
    expect(ok('tel:+1-555-123-4567')).toEqual({ kind: 'tel', number: '+15551234567' });
    expect(ok('tel:(02)%20123.4567;ext=12')).toEqual({ kind: 'tel', number: '021234567' });
    expect(ok('TEL:*21#')).toEqual({ kind: 'tel', number: '*21#' });
    expect(reason('tel:1+2')).toMatch(/phone number/);
    expect(reason('tel:call-me-maybe')).toMatch(/phone number/);
    expect(reason(`tel:${'1'.repeat(33)}`)).toMatch(/phone number/);
    expect(reason('tel:')).toMatch(/phone number/);
  });

  it('keeps the address of sip: links and drops parameters', () => {
    expect(ok('sip:alice@Example.ORG')).toEqual({ kind: 'sip', uri: 'sip:alice@example.org' });
    expect(ok('sips:bob@pbx.example.org:5061;transport=tls?subject=hi')).toEqual({ kind: 'sip', uri: 'sips:bob@pbx.example.org:5061' });
    expect(ok('sip:100@[2001:db8::1]')).toEqual({ kind: 'sip', uri: 'sip:100@[2001:db8::1]' });
    expect(reason('sip:alice@')).toMatch(/host/);
    expect(reason('sip:alice@evil.org:99999')).toMatch(/port/);
    expect(reason('sip:al<script>@x.org')).toMatch(/user part/);
    expect(reason('sip:a@-bad-.org')).toMatch(/host/);
  });

  it('reads percent-encoded tel: digits and sip: links without a user part', () => {
    expect(ok('tel:%2A21%23')).toEqual({ kind: 'tel', number: '*21#' });
    expect(ok('tel:+44%2020%207946%200000;phone-context=example.org')).toEqual({ kind: 'tel', number: '+442079460000' });
    expect(ok('sip:Conference.Example.org')).toEqual({ kind: 'sip', uri: 'sip:conference.example.org' });
    expect(ok('sip:%2A21%23@pbx.example.org')).toEqual({ kind: 'sip', uri: 'sip:%2A21%23@pbx.example.org' });
    expect(reason('sip:a%0d%0aVia@pbx.example.org')).toMatch(/user part/);
  });

  it('refuses every other scheme, control characters and huge input', () => {
    expect(reason('https://example.org')).toMatch(/not https:/);
    expect(reason('javascript:alert(1)')).toMatch(/not javascript:/);
    expect(reason('file:///etc/passwd')).toMatch(/not file:/);
    expect(reason('no scheme')).toMatch(/spaces/);
    expect(reason('noscheme')).toMatch(/not this/);
    expect(reason('tel:123\u0000')).toMatch(/control/);
    expect(reason('')).toMatch(/empty/);
    expect(reason(`tel:${'1'.repeat(3000)}`)).toMatch(/too long/);
  });
});

describe('linkFromArgv', () => {
  it('finds the link a second instance was started with, past Chromium switches', () => {
    expect(linkFromArgv(['C:\\Lanline\\Lanline.exe', '--allow-file-access-from-files', `lanline://peer/${id}`])).toBe(`lanline://peer/${id}`);
    expect(linkFromArgv(['/opt/Lanline/lanline', '--no-sandbox', 'tel:+155512345'])).toBe('tel:+155512345');
    expect(linkFromArgv(['/usr/bin/lanline', 'SIP:alice@example.org', 'tel:1'])).toBe('SIP:alice@example.org');
  });

  it('ignores the executable, switches and other arguments', () => {
    expect(linkFromArgv(['lanline://peer/x'])).toBeNull();
    expect(linkFromArgv(['/usr/bin/lanline', '--inspect=tel:1', 'https://example.org', 'C:\\file.txt'])).toBeNull();
    expect(linkFromArgv([])).toBeNull();
  });
});

describe('LinkInbox', () => {
  const inbox = () => {
    const delivered: DeepLink[] = [];
    const refused: string[] = [];
    return { delivered, refused, box: new LinkInbox((link) => delivered.push(link), (reason) => refused.push(reason)) };
  };

  it('holds the link the app was started with until the renderer says it is ready, then opens it once', () => {
    const { delivered, box } = inbox();
    expect(box.receive(`lanline://peer/${id}`)).toBe(true);
    expect(box.receive('tel:+82-2-123-4567')).toBe(true);
    expect(delivered).toEqual([]);
    expect(box.waiting).toBe(2);
    box.rendererReady();
    expect(delivered).toEqual([
      { kind: 'peer', peerId: id },
      { kind: 'tel', number: '+8221234567' },
    ]);
    box.rendererReady();
    expect(delivered).toHaveLength(2);
  });

  it('delivers at once while the renderer is ready, and holds again while a reloaded page starts', () => {
    const { delivered, box } = inbox();
    box.rendererReady();
    box.receive('sip:alice@example.org');
    expect(delivered).toEqual([{ kind: 'sip', uri: 'sip:alice@example.org' }]);
    box.rendererGone();
    box.receive(`lanline://peer/${id}`);
    expect(delivered).toHaveLength(1);
    box.rendererReady();
    expect(delivered.at(-1)).toEqual({ kind: 'peer', peerId: id });
  });

  it('refuses a bad link with its reason and never passes it on', () => {
    const { delivered, refused, box } = inbox();
    expect(box.receive('https://example.org')).toBe(false);
    box.rendererReady();
    expect(delivered).toEqual([]);
    expect(refused).toEqual([expect.stringMatching(/not https:/)]);
  });

  it('keeps only the newest links while nothing listens', () => {
    const { delivered, box } = inbox();
    for (let n = 0; n < MAX_HELD_LINKS + 3; n += 1) box.receive(`tel:${n}`);
    box.rendererReady();
    expect(delivered).toHaveLength(MAX_HELD_LINKS);
    expect(delivered[0]).toEqual({ kind: 'tel', number: '3' });
  });
});

describe('protocolPlan', () => {
  it('registers lanline: always and tel:/sip: only with the user consent', () => {
    expect(protocolPlan(false, () => false)).toEqual([{ scheme: 'lanline', action: 'register' }]);
    expect(protocolPlan(true, () => false)).toEqual([
      { scheme: 'lanline', action: 'register' },
      { scheme: 'tel', action: 'register' },
      { scheme: 'sip', action: 'register' },
      { scheme: 'sips', action: 'register' },
    ]);
  });

  it('gives tel:/sip: back when consent is withdrawn, only where Lanline is the default', () => {
    expect(protocolPlan(false, (scheme) => scheme === 'tel')).toEqual([
      { scheme: 'lanline', action: 'register' },
      { scheme: 'tel', action: 'unregister' },
    ]);
  });
});
