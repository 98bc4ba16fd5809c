/**
 * Readable names for the activities the product records itself; the vault's own jobs (backup,
 * compare…) are shown as they are named. test/web/activity-labels.test.ts keeps this complete.
 */
export const ACTIVITY_LABELS: Readonly<Record<string, string>> = {
  'org.created': 'Org created',
  'org.policy_changed': 'Session policy changed',
  'user.created': 'User created',
  'user.disabled': 'User disabled',
  'user.enabled': 'User enabled',
  'user.role_changed': 'Role changed',
  'user.login': 'Signed in',
  'user.login_failed': 'Sign-in failed',
  'user.logout': 'Signed out',
  'user.password_changed': 'Password changed',
  'user.password_change_failed': 'Password change failed',
  'user.password_reset': 'Password reset by an admin',
  'user.locked_out': 'Locked out after failed sign-ins',
  'user.lockout_cleared': 'Lockout cleared',
  'mfa.enabled': 'Two-factor turned on',
  'mfa.disabled': 'Two-factor turned off',
  'mfa.reset': 'Two-factor reset by an admin',
  'mfa.recovery_code_used': 'Recovery code used',
  'session.terminated': 'Session ended',
  'session.bulk_terminated': 'Sessions ended by filter',
  'session.flagged': 'Risky sign-in flagged',
  'api_key.created': 'API key created',
  'api_key.revoked': 'API key revoked',
  'stream.created': 'Stream created',
  'stream.deleted': 'Stream deleted',
  'stream.resumed': 'Stream resumed',
  'stream.failed': 'Stream stopped after a day of failures',
  'sso.configured': 'SSO configured',
  'sso.removed': 'SSO removed',
  'sso.break_glass_login': 'Break-glass password sign-in (SSO enforced)',
  'activity.exported': 'Activity log exported',
  'activity.purged': 'Old activity purged',
};

/** What a person reads for an activity name. */
export function activityLabel(name: string): string {
  return ACTIVITY_LABELS[name] ?? name;
}

/** The known names a typed text stands for, as the server matches them: ignoring case. */
export function knownNamesFor(typed: string, known: readonly string[]): string[] {
  const lower = typed.trim().toLowerCase();
  return known.filter((name) => name.toLowerCase() === lower);
}

/** Whether a known name fits what is typed into the picker's search: its name or its label. */
export function fitsSearch(name: string, search: string): boolean {
  const needle = search.trim().toLowerCase();
  return !needle || name.toLowerCase().includes(needle) || activityLabel(name).toLowerCase().includes(needle);
}
