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
  window.location.assign(ssoStartUrl(email, next));
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
  }, [lookup.domain]);

  return { active, checking: lookup.state === 'checking', notice, submit, refused, usePassword };
}
