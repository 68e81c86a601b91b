import { describe, expect, it } from 'vitest';
import { cleanNumber, dialTarget, looksLikeAddress, MAX_NUMBER, sipDomain } from '../../renderer/src/rtc/sip/numbers.js';

const number = (raw: string) => {
  const result = cleanNumber(raw);
  if (!result.ok) throw new Error(result.reason);
  return result.number;
};
const refusal = (raw: string) => {
  const result = cleanNumber(raw);
  return result.ok ? null : { code: result.code, found: result.found };
};
const uri = (input: string, domain: string | null = 'pbx.example.org') => {
  const result = dialTarget(input, domain);
  if (!result.ok) throw new Error(result.reason);
  return result.uri;
};
const targetError = (input: string, domain: string | null = 'pbx.example.org') => {
  const result = dialTarget(input, domain);
  return result.ok ? null : result.code;
};

describe('cleanNumber: what people type and paste', () => {
  it('drops spaces, dashes, dots, brackets and slashes, and keeps a leading +', () => {
    expect(number('+1 (555) 010-2030')).toBe('+15550102030');
    expect(number('02.123.4567')).toBe('021234567');
    expect(number('030 / 1234 567')).toBe('0301234567');
    expect(number('  0800\t123\n456 ')).toBe('0800123456');
    expect(number('[0]20 7946-0000')).toBe('02079460000');
  });

  it('keeps *, # and the DTMF letters A-D, upper-cased', () => {
    expect(number('*21#')).toBe('*21#');
    expect(number('#31#0301234567')).toBe('#31#0301234567');
    expect(number('12a4d')).toBe('12A4D');
  });

  it('removes invisible and direction characters copied from web pages', () => {
    expect(number('\u202A+49 30 1234567\u202C')).toBe('+49301234567');
    expect(number('\u200E+1\u00A0555\u200B0102030\uFEFF')).toBe('+15550102030');
    expect(number('555\u2011010\u2013 2030')).toBe('5550102030');
  });

  it('folds full-width digits and symbols typed on East Asian keyboards', () => {
    expect(number('０１０－１２３４－５６７８')).toBe('01012345678');
    expect(number('＋８２ ２ １２３ ４５６７')).toBe('+8221234567');
  });

  it('refuses letters and other symbols, naming them', () => {
    expect(refusal('1-800-FLOWERS')).toEqual({ code: 'letters', found: 'FLOWERS' });
    expect(refusal('call me')).toMatchObject({ code: 'letters' });
    expect(refusal('555!0102')).toEqual({ code: 'letters', found: '!' });
    expect(refusal('555_0102')).toEqual({ code: 'letters', found: '_' });
  });

  it('refuses a + anywhere but the start, empty input and overly long numbers', () => {
    expect(refusal('1+2')).toEqual({ code: 'plus', found: undefined });
    expect(refusal('++1')).toMatchObject({ code: 'plus' });
    expect(refusal('')).toMatchObject({ code: 'empty' });
    expect(refusal(' - ( ) ')).toMatchObject({ code: 'empty' });
    expect(refusal('+')).toMatchObject({ code: 'empty' });
    expect(number('1'.repeat(MAX_NUMBER))).toHaveLength(MAX_NUMBER);
    expect(refusal('1'.repeat(MAX_NUMBER + 1))).toMatchObject({ code: 'tooLong' });
  });

  it('gives a reason a user can act on (C and A are DTMF keys, L is not)', () => {
    const result = cleanNumber('555-CALL');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(/remove “L”/);
  });
});

describe('dialTarget: the Request-URI of the INVITE', () => {
  it('dials a number through the account domain, escaping # in the user part', () => {
    expect(uri('+1 (555) 010-2030')).toBe('sip:+15550102030@pbx.example.org');
    expect(uri('*21#')).toBe('sip:*21%23@pbx.example.org');
    expect(uri('100', 'pbx.example.org:5080')).toBe('sip:100@pbx.example.org:5080');
    expect(dialTarget('*21#', 'pbx.example.org')).toEqual({ ok: true, uri: 'sip:*21%23@pbx.example.org', display: '*21#' });
  });

  it('needs an account domain for a number, but not for an address', () => {
    expect(targetError('5550102030', null)).toBe('noDomain');
    expect(targetError('5550102030', '')).toBe('noDomain');
    expect(targetError('5550102030', 'bad domain')).toBe('noDomain');
    expect(uri('sip:alice@example.org', null)).toBe('sip:alice@example.org');
  });

  it('passes sip: and sips: URIs through, validated, host lower-cased, parameters and headers dropped', () => {
    expect(uri('sip:alice@Example.ORG')).toBe('sip:alice@example.org');
    expect(uri('SIPS:bob@pbx.example.org:5061;transport=tls?subject=hi')).toBe('sips:bob@pbx.example.org:5061');
    expect(uri('sip:100@[2001:db8::1]')).toBe('sip:100@[2001:db8::1]');
    expect(uri('sip:*21#@pbx.example.org')).toBe('sip:*21%23@pbx.example.org');
    expect(uri('sip:conference.example.org')).toBe('sip:conference.example.org');
    expect(dialTarget('sip:alice@example.org', null)).toMatchObject({ display: 'alice@example.org' });
  });

  it('refuses malformed SIP addresses', () => {
    expect(targetError('sip:alice@')).toBe('address');
    expect(targetError('sip:alice@evil.org:99999')).toBe('address');
    expect(targetError('sip:al<script>@x.org')).toBe('address');
    expect(targetError('sip:a@-bad-.org')).toBe('address');
    expect(targetError('sip:al ice@example.org')).toBe('address');
    expect(targetError('sip:a%0d%0aVia@example.org')).toBe('address');
    expect(targetError('alice@')).toBe('address');
  });

  it('dials a tel: URI as its number', () => {
    expect(uri('tel:+1-555-010-2030')).toBe('sip:+15550102030@pbx.example.org');
    expect(uri('tel:%2B44%2020%207946%200000;phone-context=example.org')).toBe('sip:+442079460000@pbx.example.org');
    expect(targetError('tel:call-me')).toBe('letters');
    expect(targetError('tel:')).toBe('empty');
  });

  it('makes a bare user@host a sip: URI', () => {
    expect(uri('alice@example.org')).toBe('sip:alice@example.org');
    expect(uri(' 2000@192.168.1.10:5060 ')).toBe('sip:2000@192.168.1.10:5060');
    expect(dialTarget('alice@Example.org', null)).toEqual({ ok: true, uri: 'sip:alice@example.org', display: 'alice@example.org' });
  });

  it('refuses text that is neither a number nor an address', () => {
    expect(targetError('alice')).toBe('letters');
    expect(targetError('https://example.org')).toBe('letters');
    expect(targetError('')).toBe('empty');
  });
});

describe('helpers for the dial pad', () => {
  it('finds the domain of the account URI', () => {
    expect(sipDomain('sip:alice@PBX.example.org')).toBe('pbx.example.org');
    expect(sipDomain('sips:alice@pbx.example.org:5061;transport=wss')).toBe('pbx.example.org:5061');
    expect(sipDomain('sip:pbx.example.org')).toBe('pbx.example.org');
    expect(sipDomain('alice')).toBeNull();
    expect(sipDomain('')).toBeNull();
  });

  it('tells an address from a number', () => {
    expect(looksLikeAddress('sip:alice@example.org')).toBe(true);
    expect(looksLikeAddress('TEL:+1555')).toBe(true);
    expect(looksLikeAddress('alice@example.org')).toBe(true);
    expect(looksLikeAddress('+1 (555) 010-2030')).toBe(false);
  });
});
