import type { Session } from '../contracts/sessions.js';
import { formatLocation } from './geo.js';
import type { SessionLookupRow } from './sessions.repository.js';

/** What a session's public view is built from: a list row or the per-request lookup row. */
type ShownSessionRow = Omit<SessionLookupRow, 'role' | 'disabledAt' | 'userCreatedAt'>;

export function toSession(
  row: ShownSessionRow,
  options: { currentSessionId: string | null; lastAccessAt: number; lastUsedOn: string | null },
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
    lastAccessAt: new Date(options.lastAccessAt).toISOString(),
    lastUsedOn: options.lastUsedOn,
    current: row.id === options.currentSessionId,
  };
}
