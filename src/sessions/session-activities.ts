import { ACTIVITY } from '../activity/activity-names.js';
import type { ActivityEvent } from '../activity/chain/record.js';
import type { RevokedReason, SessionFilter } from '../contracts/sessions.js';
import type { Actor } from '../kernel/actor.js';
import type { ClientInfo } from './client-info.js';
import type { SignIn } from './session-row.js';
import type { SessionListRow } from './sessions.repository.js';

interface LoginUser {
  id: string;
  username: string;
  disabledAt: number | null;
}

/** The audit row of a successful login. */
export function loginActivity(
  user: LoginUser,
  client: ClientInfo,
  ip: string,
  sessionId: string,
  now: number,
  signIn: SignIn,
): ActivityEvent {
  return {
    occurredAt: now,
    userId: user.id,
    username: user.username,
    activity: ACTIVITY.LOGIN,
    status: 'success',
    target: `${client.browser} on ${client.os}`,
    publicIp: ip,
    sessionId,
    // An auditor's "was MFA on, and through which IdP?" answered by the log alone.
    details:
      signIn.identityProvider === null
        ? { method: signIn.method, mfa: signIn.mfa }
        : { method: signIn.method, mfa: signIn.mfa, identityProvider: signIn.identityProvider },
  };
}

/** The audit row of a refused login of a known user (unknown usernames belong to no org's log). */
export function loginFailedActivity(user: LoginUser, ip: string, now: number): ActivityEvent {
  return {
    occurredAt: now,
    userId: user.id,
    username: user.username,
    activity: ACTIVITY.LOGIN_FAILED,
    status: 'failure',
    details: user.disabledAt === null ? 'wrong password' : 'user is disabled',
    publicIp: ip,
  };
}

/** The audit row of a login with the right password that was refused all the same (the session limit). */
export function loginRefusedActivity(user: LoginUser, ip: string, why: string, now: number): ActivityEvent {
  return {
    occurredAt: now,
    userId: user.id,
    username: user.username,
    activity: ACTIVITY.LOGIN_FAILED,
    status: 'failure',
    details: why,
    publicIp: ip,
  };
}

/** Who ended whose session, and why: a logout of one's own, or a termination. */
export function sessionEndedActivity(
  row: SessionListRow,
  actor: Actor | null,
  reason: RevokedReason,
  now: number,
): ActivityEvent {
  const self = actor?.userId === row.userId;
  return {
    occurredAt: now,
    userId: actor?.userId ?? null,
    username: actor?.username ?? 'system',
    activity: reason === 'logout' && self ? ACTIVITY.LOGOUT : ACTIVITY.SESSION_TERMINATED,
    status: 'success',
    target: `${row.username} (${row.browser} on ${row.os}, ${row.publicIp})`,
    details: `reason: ${reason}`,
    publicIp: actor?.publicIp ?? null,
    sessionId: row.id,
  };
}

/** "1 session", "2,500 sessions". */
function counted(n: number, noun: string): string {
  return `${n.toLocaleString('en-US')} ${noun}${n === 1 ? '' : 's'}`;
}

/** The summary of a Logout by filter: which filter, how many sessions of how many users it ended. */
export function bulkEndedActivity(
  actor: Actor,
  filter: SessionFilter,
  ended: { sessions: number; users: number },
  now: number,
): ActivityEvent {
  return {
    occurredAt: now,
    userId: actor.userId,
    username: actor.username,
    activity: ACTIVITY.SESSIONS_BULK_TERMINATED,
    status: 'success',
    target: `${counted(ended.sessions, 'session')} of ${counted(ended.users, 'user')}`,
    details: JSON.stringify({ filter, terminated: ended.sessions, users: ended.users }),
    publicIp: actor.publicIp,
    sessionId: actor.sessionId,
  };
}
