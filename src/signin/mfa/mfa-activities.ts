import { ACTIVITY } from '../../activity/activity-names.js';
import type { ActivityEvent } from '../../activity/chain/record.js';
import type { Actor } from '../../kernel/actor.js';

/** Who a second-factor activity is about: the user themselves, where they came from. */
export interface MfaSubject {
  userId: string;
  username: string;
  ip: string;
  sessionId: string | null;
}

function own(subject: MfaSubject, activity: string, now: number, details: ActivityEvent['details']) {
  return {
    occurredAt: now,
    userId: subject.userId,
    username: subject.username,
    activity,
    status: 'success',
    target: subject.username,
    details,
    publicIp: subject.ip,
    sessionId: subject.sessionId,
  } satisfies ActivityEvent;
}

export const mfaEnabledActivity = (subject: MfaSubject, now: number): ActivityEvent =>
  own(subject, ACTIVITY.MFA_ENABLED, now, { factor: 'totp' });

export const mfaDisabledActivity = (subject: MfaSubject, now: number, by: 'totp' | 'recovery_code') =>
  own(subject, ACTIVITY.MFA_DISABLED, now, { factor: 'totp', confirmedWith: by });

export const recoveryCodeUsedActivity = (subject: MfaSubject, now: number, left: number): ActivityEvent =>
  own(subject, ACTIVITY.MFA_RECOVERY_CODE_USED, now, { recoveryCodesLeft: left });

/**
 * A wrong (or replayed) code: at login a failed login of its own kind, when turning TOTP off a
 * refused `mfa.disabled` (its session named).
 */
export function mfaCodeFailedActivity(
  subject: MfaSubject,
  now: number,
  during: 'login' | 'disable',
): ActivityEvent {
  return {
    occurredAt: now,
    userId: subject.userId,
    username: subject.username,
    activity: during === 'login' ? ACTIVITY.LOGIN_FAILED : ACTIVITY.MFA_DISABLED,
    status: 'failure',
    details: { reason: 'invalid_mfa_code' },
    publicIp: subject.ip,
    sessionId: subject.sessionId,
  };
}

/** An admin's reset of a user's TOTP (a lost phone). */
export function mfaResetActivity(actor: Actor, username: string, now: number): ActivityEvent {
  return {
    occurredAt: now,
    userId: actor.userId,
    username: actor.username,
    activity: ACTIVITY.MFA_RESET,
    status: 'success',
    target: username,
    details: { factor: 'totp' },
    publicIp: actor.publicIp,
    sessionId: actor.sessionId,
  };
}
