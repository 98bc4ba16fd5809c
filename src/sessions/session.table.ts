import type { Insertable, Selectable } from 'kysely';
import type { LoginMethod, RevokedReason } from '../contracts/sessions.js';

export interface SessionTable {
  /** Public identifier shown in lists and used by the Logout button; never the token. */
  id: string;
  /** SHA-256 (hex) of the cookie token: a leaked table holds no usable token. */
  tokenHash: string;
  orgId: string;
  userId: string;
  /** The user's name, copied at login (names never change): the list sorts and filters by it without a join. */
  username: string;
  createdAt: number;
  lastAccessAt: number;
  /** The host of the protected app its latest request came through (forward auth); null: the console. */
  lastUsedOn: string | null;
  /** Absolute end of life, fixed at login. */
  expiresAt: number;
  publicIp: string;
  city: string | null;
  region: string | null;
  countryCode: string | null;
  country: string | null;
  latitude: number | null;
  longitude: number | null;
  deviceType: string;
  os: string;
  browser: string;
  /** `os` and `browser` without their version, lower-cased: what the list's filters compare with. */
  osName: string;
  browserName: string;
  /** Lower-cased username and city: what the list's text filter looks in. */
  search: string;
  userAgent: string;
  /** The client-hint headers sent at login, as a JSON object; null when none were sent. */
  clientHints: string | null;
  /** Risk flags found at login, space-separated ('' for none). */
  flags: string;
  /** The impossible-travel figures (JSON `Travel`), with the flag. */
  travel: string | null;
  /** How it signed in (migration 023). */
  loginMethod: LoginMethod;
  /** 1 when a second factor was checked at login (TOTP, or the IdP's own for SSO), else 0. */
  mfa: number;
  /** The SSO issuer; null for a password login. */
  identityProvider: string | null;
  revokedAt: number | null;
  revokedBy: string | null;
  revokedReason: RevokedReason | null;
}

export type SessionRow = Selectable<SessionTable>;
export type NewSessionRow = Insertable<SessionTable>;
