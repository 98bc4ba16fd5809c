import { ACTIVITY } from '../activity/activity-names.js';
import type { ActivityEvent } from '../activity/chain/record.js';
import type { Actor } from '../kernel/actor.js';

interface GuessedUser {
  id: string;
  username: string;
}

/**
 * The failure that used up a username's guess budget: until `until`, its password logins are
 * refused, but from the browsers the user logged in with before.
 */
export function lockedOutActivity(user: GuessedUser, ip: string, now: number, until: number): ActivityEvent {
  return {
    occurredAt: now,
    userId: user.id,
    username: user.username,
    activity: ACTIVITY.LOCKED_OUT,
    status: 'failure',
    details: `too many failed password attempts; password logins from unknown devices refused until ${new Date(until).toISOString()}`,
    publicIp: ip,
  };
}

/** A wrong current password given for a password change, which counts as a failed guess. */
export function passwordChangeFailedActivity(actor: Actor, now: number): ActivityEvent {
  return {
    occurredAt: now,
    userId: actor.userId,
    username: actor.username,
    activity: ACTIVITY.PASSWORD_CHANGE_FAILED,
    status: 'failure',
    details: 'wrong current password',
    publicIp: actor.publicIp,
    sessionId: actor.sessionId,
  };
}

/** An admin (or the CLI's operator) lifting a user's lockout. */
export function lockoutClearedActivity(actor: Actor, username: string, forgotten: number, now: number) {
  return {
    occurredAt: now,
    userId: actor.userId,
    username: actor.username,
    activity: ACTIVITY.LOCKOUT_CLEARED,
    status: 'success',
    target: username,
    details: `${forgotten} failed password attempt${forgotten === 1 ? '' : 's'} forgotten`,
    publicIp: actor.publicIp,
    sessionId: actor.sessionId,
  } satisfies ActivityEvent;
}
