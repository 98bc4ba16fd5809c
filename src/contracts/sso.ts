import { type Static, Type } from '@sinclair/typebox';

/** A domain as `emailDomains` holds it: lower-case labels, at least one dot, no scheme or `@`. */
const EmailDomain = Type.String({
  minLength: 3,
  maxLength: 253,
  pattern: '^([a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\\.)+[a-zA-Z]{2,63}$',
  description: 'a domain whose verified emails sign in through this provider, e.g. `example.com`',
});

const SsoSettings = {
  issuer: Type.String({
    minLength: 1,
    maxLength: 2048,
    description:
      'the provider’s issuer URL (its /.well-known/openid-configuration is read); https, or a loopback address for development',
  }),
  clientId: Type.String({ minLength: 1, maxLength: 512 }),
  emailDomains: Type.Array(EmailDomain, { minItems: 1, maxItems: 50, uniqueItems: true }),
  autoCreateUsers: Type.Boolean({
    description: 'a verified email of an allowed domain without a user becomes a new `user`',
  }),
  enforced: Type.Boolean({
    description: 'password logins of the org’s users are refused (403 SSO_REQUIRED)',
  }),
  allowAdminPasswordLogin: Type.Boolean({
    description: 'with `enforced`, admins keep their password login (break-glass); each is an activity',
  }),
};

export const SsoConfigBody = Type.Object(
  {
    ...SsoSettings,
    clientSecret: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 1024,
        description: 'stored encrypted, never shown again; leave it out to keep the stored one',
      }),
    ),
  },
  { additionalProperties: false },
);
export type SsoConfigInput = Static<typeof SsoConfigBody>;

export const SsoConfigSchema = Type.Object(
  {
    ...SsoSettings,
    redirectUri: Type.String({ description: 'register this with the provider as the redirect URI' }),
    updatedAt: Type.String({ format: 'date-time' }),
  },
  { $id: 'SsoConfig', description: 'The org’s SSO provider; the client secret is never returned' },
);
export type SsoConfig = Static<typeof SsoConfigSchema>;

export const SsoTestResultSchema = Type.Object(
  {
    ok: Type.Boolean(),
    checks: Type.Array(
      Type.Object({
        name: Type.String({ description: 'what was checked, e.g. "discovery", "client credentials"' }),
        ok: Type.Boolean(),
        detail: Type.String({ description: 'what was found, or what is wrong and how to fix it' }),
      }),
    ),
  },
  { $id: 'SsoTestResult' },
);
export type SsoTestResult = Static<typeof SsoTestResultSchema>;

/** Why an SSO callback was refused: the login page's `?error=` and the `user.login_failed` reason. */
export const SSO_ERRORS = [
  'sso_state_invalid',
  'sso_provider_unreachable',
  'sso_provider_error',
  'sso_token_invalid',
  'sso_client_rejected',
  'sso_email_unverified',
  'sso_email_not_allowed',
  'sso_user_unknown',
  'sso_user_disabled',
  /** The user is linked to another identity at this provider (its account was replaced?). */
  'sso_identity_conflict',
  /** The vault itself could not finish the login (its database, say); trying again may work. */
  'sso_unavailable',
  /** The org’s session limit (policy `deny`) refused one more session. */
  'sso_session_limit',
] as const;
export type SsoError = (typeof SSO_ERRORS)[number];
