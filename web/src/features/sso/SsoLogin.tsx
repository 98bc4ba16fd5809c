import { useEffect, useRef } from 'react';
import { Alert } from '../../components/Alert.tsx';
import { useLocation } from '../../components/router.tsx';
import { SSO_REQUIRED_MESSAGE, ssoErrorMessage } from './sso-errors.ts';
import type { SsoNotice } from './use-sso-step.ts';

/** Why the last SSO sign-in came back refused, from the callback's `/login?error=<code>`. */
export function SsoCallbackError({ hidden }: { hidden: boolean }) {
  const message = ssoErrorMessage(useLocation().search.get('error'));
  if (!message || hidden) return null;
  return (
    <Alert tone="error" title={message.title}>
      {message.text}
    </Alert>
  );
}

/** A live region that exists before it speaks, so screen readers hear the password field give way to SSO. */
export function SsoAnnouncer({ active }: { active: boolean }) {
  return (
    <p className="visually-hidden" aria-live="polite">
      {active ? 'Your organization signs in with single sign-on. Continue with SSO.' : ''}
    </p>
  );
}

/** A username met SSO_REQUIRED: the email finds the provider, so the field is asked again for it. */
export function SsoEmailNeeded({ show }: { show: boolean }) {
  useEffect(() => {
    if (!show) return;
    const field = document.getElementById('username');
    if (field instanceof HTMLInputElement) {
      field.focus();
      field.select();
    }
  }, [show]);
  if (!show) return null;
  return (
    <Alert tone="info" title={SSO_REQUIRED_MESSAGE.title}>
      Enter your work email instead of your username to continue with your organization’s identity provider.
    </Alert>
  );
}

interface SsoContinueProps {
  notice: SsoNotice | null;
  onUsePassword: () => void;
}

/** In place of the password: "Continue with SSO" (the form's submit) and a way back to the password. */
export function SsoContinue({ notice, onUsePassword }: SsoContinueProps) {
  const button = useRef<HTMLButtonElement>(null);
  // After a refused password login the person acted: take them to the next step. While typing, focus stays put.
  useEffect(() => {
    if (notice === 'required') button.current?.focus();
  }, [notice]);
  return (
    <div className="sso-continue">
      {notice === 'required' ? (
        <Alert tone="info" title={SSO_REQUIRED_MESSAGE.title}>
          {SSO_REQUIRED_MESSAGE.text}
        </Alert>
      ) : (
        <p className="hint">Your organization signs in through its identity provider.</p>
      )}
      <button ref={button} type="submit" className="button button-primary button-block">
        Continue with SSO
      </button>
      {notice !== 'required' && (
        <button type="button" className="link-button sso-password-link" onClick={onUsePassword}>
          Log in with a password instead
        </button>
      )}
    </div>
  );
}
