import type { EndReason, SessionDetail } from '../../api/types.ts';

/** How each ending reads: one the server adds fails to compile here until it is worded. */
const END_REASONS: Record<EndReason, string> = {
  logout: 'Logged out',
  terminated: 'Logged out by an admin',
  expired: 'Reached its maximum lifetime',
  idle: 'Timed out: unused for too long',
  password_changed: 'Ended when the password was changed',
  user_disabled: 'Ended when the user was disabled',
  session_limit: 'Ended by the session limit (a newer login)',
};

/** "Logged out by admin", "Timed out: unused for too long", ...; null while it is live. */
export function describeEnding(session: SessionDetail['session']): string | null {
  if (session.endReason === null) return null;
  const by = session.endedBy?.username;
  if (session.endReason === 'terminated' && by) return `Logged out by ${by}`;
  if (session.endReason === 'logout') {
    return by && by !== session.username ? `Logged out by ${by}` : 'Logged out by the user';
  }
  const reason = END_REASONS[session.endReason];
  return by && session.endReason !== 'expired' && session.endReason !== 'idle'
    ? `${reason} (by ${by})`
    : reason;
}
