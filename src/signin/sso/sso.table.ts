import type { Selectable } from 'kysely';

/** An org's OpenID provider (migration 025, decision 021). */
export interface SsoConfigTable {
  orgId: string;
  issuer: string;
  clientId: string;
  /** Sealed by the secret box under `sso:<orgId>`; never returned, never logged. */
  clientSecret: string;
  /** A JSON array of lower-case domains. */
  emailDomains: string;
  /** 0 or 1, as are the two below. */
  autoCreateUsers: number;
  enforced: number;
  allowAdminPasswordLogin: number;
  updatedAt: number;
  updatedBy: string | null;
}

/** Which org an email domain signs in through (one org per domain). */
export interface SsoDomainTable {
  domain: string;
  orgId: string;
}

/** A user's identity at an IdP, linked at their first SSO login. */
export interface SsoIdentityTable {
  issuer: string;
  subject: string;
  orgId: string;
  userId: string;
  createdAt: number;
}

/** A login under way: what the callback must find to finish it, used once. */
export interface SsoLoginTable {
  /** SHA-256 (hex) of the `state` sent to the IdP. */
  stateHash: string;
  /** SHA-256 (hex) of the starting browser's binding cookie. */
  browserHash: string;
  orgId: string;
  /** The issuer at the start: a config changed meanwhile refuses the callback. */
  issuer: string;
  nonce: string;
  codeVerifier: string;
  /** The email typed on the login page, if any: what the log names when the IdP says nothing. */
  loginHint: string | null;
  /** Where to go after the login (already checked against the allow-list). */
  returnTo: string | null;
  createdAt: number;
  expiresAt: number;
}

export type SsoConfigRow = Selectable<SsoConfigTable>;
export type SsoLoginRow = Selectable<SsoLoginTable>;
