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
    revokedAt: null,
    revokedBy: null,
    revokedReason: null,
  } satisfies NewSessionRow;
}
