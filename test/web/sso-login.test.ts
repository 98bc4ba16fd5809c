import { describe, expect, it } from 'vitest';
import { SSO_ERRORS } from '../../src/contracts/sso.js';
import { SSO_ERROR_MESSAGES, ssoErrorMessage } from '../../web/src/features/sso/sso-errors.js';
import { emailDomain, ssoStartUrl } from '../../web/src/features/sso/sso-login.js';

describe('the login page’s SSO step', () => {
  it('asks the server only about emails, by their lower-cased domain', () => {
    expect(emailDomain(' Alice@Corp.Example.COM ')).toBe('corp.example.com');
    expect(emailDomain('alice')).toBeNull();
    expect(emailDomain('alice@localhost')).toBeNull();
    expect(emailDomain('a b@example.com')).toBeNull();
    expect(emailDomain('alice@')).toBeNull();
  });

  it('starts at the server with the email as typed, encoded', () => {
    expect(ssoStartUrl(' a+b@example.com ')).toBe('/api/auth/sso/start?email=a%2Bb%40example.com');
    expect(ssoStartUrl('a@example.com', '/activity?q=x')).toBe(
      '/api/auth/sso/start?email=a%40example.com&returnTo=%2Factivity%3Fq%3Dx',
    );
    // Another origin is never asked for, whatever ?next= says.
    for (const next of ['//evil.test', '/\\evil.test', 'https://evil.test', 'javascript:alert(1)', null]) {
      expect(ssoStartUrl('a@example.com', next)).toBe('/api/auth/sso/start?email=a%40example.com');
    }
  });

  it('has its own clear message for every way an SSO callback can be refused', () => {
    const titles = SSO_ERRORS.map((code) => ssoErrorMessage(code)?.title);
    expect(titles.every((title) => typeof title === 'string' && title.length > 0)).toBe(true);
    expect(new Set(titles).size).toBe(SSO_ERRORS.length);
    expect(Object.keys(SSO_ERROR_MESSAGES).sort()).toEqual([...SSO_ERRORS].sort());
    expect(ssoErrorMessage('sso_state_invalid')?.text).toMatch(/start again/i);
    expect(ssoErrorMessage('sso_client_rejected')?.text).toMatch(/client ID or secret/);
  });

  it('says something general for a code it does not know, and nothing without one', () => {
    expect(ssoErrorMessage('sso_new_thing')?.title).toBe('Single sign-on failed');
    expect(ssoErrorMessage('__proto__')?.title).toBe('Single sign-on failed');
    expect(ssoErrorMessage('toString')?.title).toBe('Single sign-on failed');
    expect(ssoErrorMessage(null)).toBeNull();
    expect(ssoErrorMessage('')).toBeNull();
  });
});
