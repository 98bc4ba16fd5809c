import { SESSION_FLAGS, type Session, type SessionFlag, type Travel } from '../contracts/sessions.js';
import { formatLocation } from './geo.js';
import type { Access, SessionLookupRow } from './sessions.repository.js';

/** What a session's public view is built from: a list row or the per-request lookup row. */
type ShownSessionRow = Omit<
  SessionLookupRow,
  'role' | 'disabledAt' | 'userCreatedAt' | 'policyIdleMs' | 'policyMaxMs'
>;

export function toSession(
  row: ShownSessionRow,
  /** `access`: the freshest access known, which may be newer than the row's (not yet written). */
  options: { currentSessionId: string | null; access: Access },
): Session {
  return {
    id: row.id,
    userId: row.userId,
    username: row.username,
    publicIp: row.publicIp,
    city: row.city,
    location: formatLocation(row),
    countryCode: row.countryCode,
    latitude: row.latitude,
    longitude: row.longitude,
    deviceType: row.deviceType,
    os: row.os,
    browser: row.browser,
    createdAt: new Date(row.createdAt).toISOString(),
    lastAccessAt: new Date(options.access.at).toISOString(),
    lastUsedOn: options.access.usedOn,
    current: row.id === options.currentSessionId,
    flags: parseFlags(row.flags),
    travel: row.travel === null ? null : (JSON.parse(row.travel) as Travel),
    loginMethod: row.loginMethod,
    mfa: row.mfa === 1,
    identityProvider: row.identityProvider,
  };
}

const KNOWN_FLAGS: ReadonlySet<string> = new Set(SESSION_FLAGS);

/** The stored space-separated flags, known ones only. */
export function parseFlags(stored: string): SessionFlag[] {
  return stored.split(' ').filter((flag): flag is SessionFlag => KNOWN_FLAGS.has(flag));
}
