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
 * Whether the email's domain signs in through SSO (`GET /api/auth/sso/discover`, which starts
 * nothing). Anything else than its answer (network, 429, 5xx) counts as "no": the password field
 * stays, and a password login of an SSO-only org says SSO_REQUIRED.
 */
export async function hasSso(email: string, signal?: AbortSignal): Promise<boolean> {
  try {
    const params = new URLSearchParams({ email: email.trim() });
    const response = await fetch(`/api/auth/sso/discover?${params}`, { credentials: 'same-origin', signal });
    if (!response.ok) return false;
    const body = (await response.json()) as { sso?: unknown };
    return body.sso === true;
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error;
    return false;
  }
}
