import type { LoginMethod } from '../contracts/sessions.js';
import { newId } from '../kernel/ids.js';
import { type ClientInfo, clientHintsOf, type HeaderBag, nameWithoutVersion } from './client-info.js';
import type { GeoLocation } from './geo.js';
import type { NewSessionRow } from './session.table.js';

/**
 * The columns a session row derives for the list's filters (migration 010): the OS and browser
 * names without their version, and the lower-cased text `q` looks in. A login, the demo and the
 * tests' seeded rows all write them through here, so a filter finds each alike.
 */
export function filterColumns(
  username: string,
  client: { os: string; browser: string },
  city: string | null,
): { osName: string; browserName: string; search: string } {
  return {
    osName: nameWithoutVersion(client.os),
    browserName: nameWithoutVersion(client.browser),
    search: `${username}\n${(city ?? '').toLowerCase()}`,
  };
}

/** How a login was made: what `Session.loginMethod`, `mfa` and `identityProvider` show. */
export interface SignIn {
  method: LoginMethod;
  mfa: boolean;
  /** The SSO issuer; null for a password. */
  identityProvider: string | null;
}

/** A password without a second factor: every session before migration 023, the demo's, the tests' rows. */
export const PASSWORD_SIGN_IN: SignIn = { method: 'password', mfa: false, identityProvider: null };

/** The sign-in's columns of a session row. */
export function signInColumns(signIn: SignIn): {
  loginMethod: LoginMethod;
  mfa: number;
  identityProvider: string | null;
} {
  return { loginMethod: signIn.method, mfa: signIn.mfa ? 1 : 0, identityProvider: signIn.identityProvider };
}

/** A new session's row as a login writes it: live, used now, its lifetime fixed from now. */
export function loginSessionRow(input: {
  tokenHash: string;
  user: { id: string; orgId: string; username: string };
  ip: string;
  geo: GeoLocation;
  client: ClientInfo;
  headers: HeaderBag;
  now: number;
  maxMs: number;
  signIn: SignIn;
}) {
  const { user, geo, client, now } = input;
  const hints = clientHintsOf(input.headers);
  const userAgent = input.headers['user-agent'];
  return {
    id: newId(),
    tokenHash: input.tokenHash,
    orgId: user.orgId,
    userId: user.id,
    username: user.username,
    createdAt: now,
    lastAccessAt: now,
    lastUsedOn: null,
    expiresAt: now + input.maxMs,
    publicIp: input.ip,
    ...geo,
    ...client,
    ...filterColumns(user.username, client, geo.city),
    userAgent: ((Array.isArray(userAgent) ? userAgent[0] : userAgent) ?? '').slice(0, 512),
    clientHints: hints === null ? null : JSON.stringify(hints),
    flags: '',
    travel: null,
    ...signInColumns(input.signIn),
    revokedAt: null,
    revokedBy: null,
    revokedReason: null,
  } satisfies NewSessionRow;
}
