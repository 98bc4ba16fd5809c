import { DEVICE_TYPES, type SessionFilter } from '../contracts/sessions.js';
import { invalidInput } from '../kernel/errors.js';
import { normalizeUsername } from '../kernel/username.js';
import { nameWithoutVersion } from './client-info.js';
import type { SessionQuery } from './session-query.js';

const DEVICE_TYPE_BY_NAME = new Map(DEVICE_TYPES.map((type) => [type.toLowerCase(), type]));

/** The API's filter in the form the columns hold it (migration 010); a 400 names a device type it does not know. */
export function toSessionQuery(
  filter: SessionFilter,
): Omit<SessionQuery, 'orgId' | 'now' | 'idleMs' | 'maxMs' | 'userId'> & { userId?: string | undefined } {
  let deviceType: string | undefined;
  if (filter.deviceType !== undefined) {
    deviceType = DEVICE_TYPE_BY_NAME.get(filter.deviceType.trim().toLowerCase());
    if (deviceType === undefined) {
      throw invalidInput(`deviceType must be one of: ${DEVICE_TYPES.join(', ')}`);
    }
  }
  const q = filter.q?.trim().toLowerCase();
  return {
    userId: filter.userId,
    username: filter.username === undefined ? undefined : normalizeUsername(filter.username),
    country: filter.country?.toUpperCase(),
    deviceType,
    osName: filter.os === undefined ? undefined : nameWithoutVersion(filter.os),
    browserName: filter.browser === undefined ? undefined : nameWithoutVersion(filter.browser),
    q: q === '' ? undefined : q,
    flag: filter.flag,
  };
}
