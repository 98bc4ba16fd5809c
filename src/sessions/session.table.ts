import type { Insertable, Selectable } from 'kysely';
import type { RevokedReason } from '../contracts/sessions.js';

export interface SessionTable {
  /** Public identifier shown in lists and used by the Logout button; never the token. */
  id: string;
  /** SHA-256 (hex) of the cookie token: a leaked table holds no usable token. */
  tokenHash: string;
  orgId: string;
  userId: string;
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
  userAgent: string;
  revokedAt: number | null;
  revokedBy: string | null;
  revokedReason: RevokedReason | null;
}

export type SessionRow = Selectable<SessionTable>;
export type NewSessionRow = Insertable<SessionTable>;
