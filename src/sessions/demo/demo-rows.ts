import { randomBytes } from 'node:crypto';
import type { RevokedReason, SessionFlag, Travel } from '../../contracts/sessions.js';
import { newId } from '../../kernel/ids.js';
import type { NewSessionRow } from '../session.table.js';
import { filterColumns, PASSWORD_SIGN_IN, type SignIn, signInColumns } from '../session-row.js';
import type { Client, Place } from './demo-crowd.js';

/** Whose session: the user and their org. */
export interface RowUser {
  orgId: string;
  id: string;
  username: string;
}

export interface RowTimes {
  createdAt: number;
  lastAccessAt: number;
  expiresAt: number;
}

export interface Ending {
  at: number;
  by: string | null;
  reason: RevokedReason;
}

/**
 * How a demo user signs in, the same for all their sessions: about half with a second factor, as
 * an org partway through rolling MFA out (the demo has no SSO provider, so no SSO sessions).
 */
function demoSignIn(user: RowUser): SignIn {
  let sum = 0;
  for (const c of user.username) sum += c.charCodeAt(0);
  return sum % 2 === 0 ? { ...PASSWORD_SIGN_IN, mfa: true } : PASSWORD_SIGN_IN;
}

/**
 * A session row as a login writes it (sessions.service.ts), every derived column included. Its
 * token hash is the hash of no token: nobody can use a demo session.
 */
export function demoSessionRow(
  user: RowUser,
  place: Place,
  client: Client,
  times: RowTimes,
  extra: { flags?: readonly SessionFlag[]; travel?: Travel; ended?: Ending } = {},
): NewSessionRow {
  return {
    id: newId(),
    tokenHash: randomBytes(32).toString('hex'),
    orgId: user.orgId,
    userId: user.id,
    username: user.username,
    ...times,
    lastUsedOn: null,
    publicIp: place.ip,
    ...place.geo,
    ...client.info,
    ...filterColumns(user.username, client.info, place.geo.city),
    userAgent: client.userAgent,
    clientHints: client.clientHints,
    flags: (extra.flags ?? []).join(' '),
    travel: extra.travel === undefined ? null : JSON.stringify(extra.travel),
    ...signInColumns(demoSignIn(user)),
    revokedAt: extra.ended?.at ?? null,
    revokedBy: extra.ended?.by ?? null,
    revokedReason: extra.ended?.reason ?? null,
  };
}
