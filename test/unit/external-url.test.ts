import { describe, expect, it } from 'vitest';
import { checkExternalUrl } from '../../electron/core/chat/external-url.js';

const refusal = (text: string) => {
  try {
    return `opened ${checkExternalUrl(text)}`;
  } catch (error) {
    return (error as { code: string }).code === 'invalid' ? 'refused' : `threw ${String(error)}`;
  }
};

describe('links a chat may open outside the app', () => {
  it('opens web and e-mail links, as the URL parser normalises them', () => {
    expect(checkExternalUrl('https://example.com/path?q=1#top')).toBe('https://example.com/path?q=1#top');
    expect(checkExternalUrl('http://192.168.1.20:8080/')).toBe('http://192.168.1.20:8080/');
    expect(checkExternalUrl('HTTP://EXAMPLE.COM')).toBe('http://example.com/');
    expect(checkExternalUrl('HtTpS://Example.com/A')).toBe('https://example.com/A');
    expect(checkExternalUrl('mailto:ana@example.com?subject=Hi')).toBe('mailto:ana@example.com?subject=Hi');
    expect(checkExternalUrl('MAILTO:ana@example.com')).toBe('mailto:ana@example.com');
    expect(checkExternalUrl('https://[::1]:8443/x')).toBe('https://[::1]:8443/x');
    expect(checkExternalUrl('https://例え.jp/')).toBe('https://xn--r8jz45g.jp/');
  });

  it.each([
    ['javascript:alert(1)'],
    ['JavaScript:alert(1)'],
    ['JAVASCRIPT:alert(document.cookie)'],
    ['javascript://example.com/%0Aalert(1)'],
    ['vbscript:msgbox(1)'],
    ['file:///etc/passwd'],
    ['FILE:///C:/Windows/System32/calc.exe'],
    ['file://server/share/evil.exe'],
    ['data:text/html,<script>alert(1)</script>'],
    ['data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=='],
    ['blob:https://example.com/uuid'],
    ['ms-msdt:/id PCWDiagnostic'],
    ['smb://attacker/share'],
    ['ftp://example.com/file'],
    ['ssh://example.com'],
    ['lanline://join'],
    ['chrome://settings'],
    ['about:blank'],
    ['//example.com/path'],
    ['/etc/passwd'],
    ['example.com'],
    ['http://'],
    ['https://'],
    ['mailto:'],
    [''],
  ])('refuses %j', (text) => {
    expect(refusal(text)).toBe('refused');
  });

  it.each([
    [' javascript:alert(1)', 'leading space'],
    ['\tjavascript:alert(1)', 'leading tab'],
    ['\u0000javascript:alert(1)', 'leading NUL'],
    ['java\tscript:alert(1)', 'tab inside the scheme, which the parser removes'],
    ['java\nscript:alert(1)', 'newline inside the scheme'],
    ['java\rscript:alert(1)', 'carriage return inside the scheme'],
    ['https://example.com/ ', 'trailing space'],
    ['https://exa\nmple.com/', 'newline inside the host'],
    ['https://example.com\u00A0/', 'no-break space'],
    ['https://exa\u200Bmple.com/', 'zero-width space'],
    ['https://example.com/\u202Egpj.exe', 'right-to-left override'],
    ['https://example.com/\uFEFF', 'byte order mark'],
    ['https://example.com/\u2028', 'line separator'],
  ])('refuses %j (%s)', (text) => {
    expect(refusal(text)).toBe('refused');
  });

  it('refuses a user name or password in front of the host, which disguises where a link goes', () => {
    expect(refusal('https://bank.example@evil.example/')).toBe('refused');
    expect(refusal('https://user:secret@example.com/')).toBe('refused');
    expect(refusal(`https://example.com/${'a'.repeat(5000)}`)).toBe('refused');
  });

  it('says why, in a sentence naming the scheme', () => {
    expect(() => checkExternalUrl('javascript:alert(1)')).toThrow(/only web \(http, https\) and e-mail \(mailto\) links open from a chat, and this one is "javascript:"/);
    expect(() => checkExternalUrl(' https://example.com')).toThrow(/spaces, control or invisible characters/);
  });
});
