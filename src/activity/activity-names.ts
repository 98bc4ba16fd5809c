/** Activities the product itself records (the vault's jobs add their own names through ingest). */
export const ACTIVITY = {
  ORG_CREATED: 'org.created',
  USER_CREATED: 'user.created',
  USER_DISABLED: 'user.disabled',
  USER_ENABLED: 'user.enabled',
  LOGIN: 'user.login',
  LOGIN_FAILED: 'user.login_failed',
  LOGOUT: 'user.logout',
  PASSWORD_CHANGED: 'user.password_changed',
  PASSWORD_CHANGE_FAILED: 'user.password_change_failed',
  LOCKED_OUT: 'user.locked_out',
  LOCKOUT_CLEARED: 'user.lockout_cleared',
  SESSION_TERMINATED: 'session.terminated',
  API_KEY_CREATED: 'api_key.created',
  API_KEY_REVOKED: 'api_key.revoked',
  ACTIVITY_EXPORTED: 'activity.exported',
  ACTIVITY_PURGED: 'activity.purged',
} as const;
