import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AllowedHosts, rawRedirectParam, redirectTarget } from './allowed-hosts.js';

const allowed = new AllowedHosts(['app.example.com', 'files.example.com:8443']);
const rules = { allowed, ownHostname: 'vault.example.com' };

describe('redirectTarget', () => {
  it.each([
    ['https://app.example.com/backups?x=1&y=2', 'https://app.example.com/backups?x=1&y=2'],
    ['http://app.example.com/', 'http://app.example.com/'],
    ['https://APP.example.com/a', 'https://app.example.com/a'],
    ['https://app.example.com:9000/a', 'https://app.example.com:9000/a'],
    ['https://files.example.com:8443/f', 'https://files.example.com:8443/f'],
    ['https://vault.example.com/activity', 'https://vault.example.com/activity'],
    ['https%3A%2F%2Fapp.example.com%2Fb%3Fq%3D1', 'https://app.example.com/b?q=1'],
  ])('sends %s to %s', (raw, expected) => {
    expect(redirectTarget(raw, rules)).toBe(expected);
  });

  it.each([
    '//evil.test',
    '//evil.test/https://app.example.com',
    'https://evil.test',
    'https://evil.test/app.example.com',
    'https://app.example.com.evil.test/',
    'https://evilapp.example.com/',
    'https://sub.app.example.com/',
    'javascript:alert(1)//https://app.example.com',
    'JaVaScRiPt:alert(document.cookie)',
    'data:text/html,<script>alert(1)</script>',
    'https:\\\\evil.test',
    'https:/\\evil.test',
    'https://app.example.com\\@evil.test',
    'https://app.example.com@evil.test/',
    'https://user:pass@app.example.com/',
    'https://evil.test#@app.example.com',
    'https://evil.test?@app.example.com',
    ' https://app.example.com/',
    'https://app.example.com/\n',
    '\thttps://evil.test',
    'https://files.example.com/',
    'https://files.example.com:443/',
    'ftp://app.example.com/',
    'https%3A%2F%2Fevil.test',
    'https%3A%2F%2F%E0%A4%A',
    '/relative/path',
    '',
  ])('refuses %j (the login page then goes to /)', (raw) => {
    expect(redirectTarget(raw, rules)).toBeUndefined();
  });

  it('never answers a URL whose host is not allowed, whatever the input', () => {
    const own = new Set(['app.example.com', 'files.example.com', 'vault.example.com']);
    fc.assert(
      fc.property(
        fc.oneof(
          fc.webUrl(),
          fc.string(),
          fc.webUrl().map((u) => u.replace('://', ':\\\\')),
        ),
        (raw) => {
          const target = redirectTarget(raw, rules);
          if (target === undefined) return;
          const url = new URL(target);
          expect(['http:', 'https:']).toContain(url.protocol);
          expect(own.has(url.hostname)).toBe(true);
          expect(url.username + url.password).toBe('');
        },
      ),
      { numRuns: 2_000 },
    );
  });
});

describe('rawRedirectParam', () => {
  it('takes everything after the first rd= parameter verbatim', () => {
    expect(rawRedirectParam('/login?rd=https://app.example.com/x?a=1&b=2')).toBe(
      'https://app.example.com/x?a=1&b=2',
    );
    expect(rawRedirectParam('/login?reason=expired&rd=https://a.test/?rd=x')).toBe('https://a.test/?rd=x');
    expect(rawRedirectParam('/login?ford=1')).toBeUndefined();
    expect(rawRedirectParam('/login?next=/activity')).toBeUndefined();
    expect(rawRedirectParam('/login')).toBeUndefined();
  });
});

describe('AllowedHosts.originHost', () => {
  it('names an allowed origin and nothing else', () => {
    expect(allowed.originHost('https://app.example.com')).toBe('app.example.com');
    expect(allowed.originHost('https://files.example.com:8443')).toBe('files.example.com:8443');
    expect(allowed.originHost('https://files.example.com')).toBeUndefined();
    expect(allowed.originHost('https://evil.test')).toBeUndefined();
    expect(allowed.originHost('null')).toBeUndefined();
    expect(allowed.originHost('https://app.example.com/path')).toBeUndefined();
    expect(allowed.originHost(undefined)).toBeUndefined();
  });
});
