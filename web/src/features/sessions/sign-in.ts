import type { Session } from '../../api/types.ts';

/** The IdP's host, the readable part of an issuer URL; the issuer itself when it is no URL. */
export function providerName(issuer: string): string {
  try {
    return new URL(issuer).host;
  } catch {
    return issuer;
  }
}

/** How the session signed in, in words: "Password", "Password + MFA", "SSO (idp.example.com)". */
export function describeSignIn(session: Pick<Session, 'loginMethod' | 'mfa' | 'identityProvider'>): string {
  const method =
    session.loginMethod === 'sso'
      ? `SSO${session.identityProvider ? ` (${providerName(session.identityProvider)})` : ''}`
      : 'Password';
  return session.mfa ? `${method} + MFA` : method;
}
