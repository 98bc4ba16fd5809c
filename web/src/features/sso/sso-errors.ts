import type { SsoError } from '../../api/types.ts';

export interface SsoMessage {
  title: string;
  text: string;
}

/**
 * What the login page says for each `?error=` an SSO callback can send back (SSO_ERRORS): what
 * happened, in the user's words, and who can fix it. Typed by the code list, so a new code cannot
 * be left without a message.
 */
export const SSO_ERROR_MESSAGES: Record<SsoError, SsoMessage> = {
  sso_state_invalid: {
    title: 'That sign-in attempt expired',
    text: 'A sign-in through your identity provider works once, within 10 minutes, in the browser that started it. Start again: enter your email below.',
  },
  sso_provider_unreachable: {
    title: 'Your identity provider could not be reached',
    text: 'Vault could not connect to your organization’s sign-in provider. Try again in a moment; if it keeps failing, ask an administrator to run “Test connection” on the Single sign-on page.',
  },
  sso_provider_error: {
    title: 'Your identity provider did not sign you in',
    text: 'The provider refused or cancelled the sign-in (for example, the app is not assigned to you there). Try again, or ask your administrator to give you access to Vault at the provider.',
  },
  sso_token_invalid: {
    title: 'The provider’s answer could not be verified',
    text: 'Its sign-in token was invalid or expired, so no session was created. Start again; if it keeps happening, tell your administrator.',
  },
  sso_client_rejected: {
    title: 'The provider refused Vault',
    text: 'Your organization’s provider did not accept Vault’s client ID or secret: they may be wrong or expired. An administrator can fix them on the Single sign-on page.',
  },
  sso_email_unverified: {
    title: 'Your email address is not verified',
    text: 'The provider did not confirm that the email of your account is verified, and Vault only trusts verified emails. Verify it with your provider, then try again.',
  },
  sso_email_not_allowed: {
    title: 'This email cannot sign in here',
    text: 'Its domain is not one your organization signs in with. Sign in with your work account, or ask an administrator to add the domain.',
  },
  sso_user_unknown: {
    title: 'There is no Vault account for you yet',
    text: 'Your organization does not create accounts at the first sign-in. Ask an administrator to add you, then sign in again.',
  },
  sso_user_disabled: {
    title: 'Your account is disabled',
    text: 'Ask an administrator of your organization to enable it again.',
  },
  sso_identity_conflict: {
    title: 'Your Vault account belongs to another identity',
    text: 'It was first signed in with a different account at your provider (perhaps yours was replaced). An administrator can sort it out; nothing was signed in.',
  },
  sso_unavailable: {
    title: 'Vault could not finish your sign-in',
    text: 'Something went wrong on our side, not at your provider. Start again in a moment.',
  },
  sso_session_limit: {
    title: 'You have too many sessions open',
    text: 'Your organization allows a limited number of sessions per person. Log out of one on another device (or ask an administrator to end one), then start again.',
  },
};

const UNKNOWN: SsoMessage = {
  title: 'Single sign-on failed',
  text: 'No session was created. Start again; if it keeps failing, tell your administrator.',
};

/** The message for `?error=`; null when there is none. */
export function ssoErrorMessage(code: string | null): SsoMessage | null {
  if (!code) return null;
  return Object.hasOwn(SSO_ERROR_MESSAGES, code) ? SSO_ERROR_MESSAGES[code as SsoError] : UNKNOWN;
}

/** The 403 SSO_REQUIRED of a password login, said as the reason the SSO button now shows. */
export const SSO_REQUIRED_MESSAGE: SsoMessage = {
  title: 'Your organization signs in with SSO',
  text: 'Password logins are turned off for your account. Continue with your organization’s identity provider.',
};
