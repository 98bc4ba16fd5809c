/** An address whose domain could have SSO: something@label.tld. A plain username never asks the server. */
const EMAIL = /^[^\s@]+@([^\s@]+\.[^\s@]+)$/;

/** The lower-cased domain of an email, or null when the text is not one. */
export function emailDomain(text: string): string | null {
  const match = EMAIL.exec(text.trim());
  return match?.[1] ? match[1].toLowerCase() : null;
}

/** `next`: the page of this app to land on after the provider (the login page's `?next=`), if any. */
export function ssoStartUrl(email: string, next?: string | null): string {
  const params = new URLSearchParams({ email: email.trim() });
  // A path of this app only; the server checks it again (no open redirect).
  if (next?.startsWith('/') && !next.startsWith('//') && !next.startsWith('/\\'))
    params.set('returnTo', next);
  return `/api/auth/sso/start?${params}`;
}

/**
 * Whether the email's domain signs in through SSO. The start URL answers a configured domain with
 * a redirect to the provider (which a manual-redirect fetch sees as `opaqueredirect`, without
 * following it) and any other with 404 SSO_NOT_CONFIGURED. Anything else (network, 5xx) counts as
 * "no": the password field stays, and a password login of an SSO-only org says SSO_REQUIRED.
 */
export async function hasSso(email: string, signal?: AbortSignal): Promise<boolean> {
  try {
    const response = await fetch(ssoStartUrl(email), {
      redirect: 'manual',
      credentials: 'same-origin',
      signal,
    });
    return response.type === 'opaqueredirect' || (response.status >= 300 && response.status < 400);
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error;
    return false;
  }
}
