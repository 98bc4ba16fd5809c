import { useCallback, useState } from 'react';
import { ApiError, rememberSignedIn } from '../../api/client.ts';
import { ssoStartUrl } from './sso-login.ts';
import { useSsoLookup } from './use-sso-lookup.ts';

/**
 * Leaves for the provider. The session cookie the callback sets is HttpOnly: the readable marker
 * goes first, so the app asks /api/me when the browser comes back (and forgets the marker on a 401).
 */
export function continueWithSso(email: string, next: string | null): void {
  rememberSignedIn();
  sessionStorage.setItem(RETURN_EMAIL_KEY, email.trim());
  window.location.assign(ssoStartUrl(email, next));
}

const RETURN_EMAIL_KEY = 'vault_sso_email';

/**
 * The login field's first value: after a refused SSO sign-in (`?error=`), the email this tab
 * started it with, so "start again" is one click; otherwise empty. Only read (an initializer may
 * run twice); the next start overwrites it.
 */
export function initialIdentifier(): string {
  if (!new URLSearchParams(window.location.search).has('error')) return '';
  return sessionStorage.getItem(RETURN_EMAIL_KEY) ?? '';
}

/** Why the SSO button shows with an explanation: a password login was refused with SSO_REQUIRED. */
export type SsoNotice = 'required' | 'required_email';

/**
 * The SSO part of the login form: whether "Continue with SSO" replaces the password (the email's
 * domain has SSO, and the person did not choose their password instead), what a submit does, and
 * what a refused password login means.
 */
export function useSsoStep(identifier: string, next: string | null) {
  const lookup = useSsoLookup(identifier);
  /** The domain for which the person chose "Log in with a password instead" (break-glass admins, optional SSO). */
  const [passwordFor, setPasswordFor] = useState<string | null>(null);
  const [notice, setNotice] = useState<SsoNotice | null>(null);
  const passwordChosen = lookup.domain !== null && passwordFor === lookup.domain;
  const active = lookup.state === 'sso' && !passwordChosen;

  /** On submit, before the password login: true when SSO took it (left for the provider, or now shows its button). */
  const submit = useCallback(
    async (password: string): Promise<boolean> => {
      if (active) {
        continueWithSso(identifier, next);
        return true;
      }
      // Email typed and Enter pressed before the lookup answered: ask now rather than "enter a password".
      if (!password && lookup.domain && !passwordChosen) return lookup.check();
      return false;
    },
    [active, identifier, next, lookup, passwordChosen],
  );

  /** After a failed password login: true when it was SSO_REQUIRED, which switches to the SSO button. */
  const refused = useCallback(
    (error: unknown): boolean => {
      if (!(error instanceof ApiError) || error.code !== 'SSO_REQUIRED') return false;
      setPasswordFor(null);
      if (lookup.domain) {
        lookup.markSso();
        setNotice('required');
      } else {
        // A username, not an email: the provider is found by the email's domain.
        setNotice('required_email');
      }
      return true;
    },
    [lookup],
  );

  const usePassword = useCallback(() => {
    setPasswordFor(lookup.domain);
    setNotice(null);
    // The password field shows at the next paint; the person chose it, so it takes the focus.
    requestAnimationFrame(() => document.getElementById('password')?.focus());
  }, [lookup.domain]);

  return { active, checking: lookup.state === 'checking', notice, submit, refused, usePassword };
}
