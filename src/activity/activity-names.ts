/** Activities the product itself records (the vault's jobs add their own names through ingest). */
export const ACTIVITY = {
  ORG_CREATED: 'org.created',
  ORG_POLICY_CHANGED: 'org.policy_changed',
  USER_CREATED: 'user.created',
  USER_DISABLED: 'user.disabled',
  USER_ENABLED: 'user.enabled',
  USER_ROLE_CHANGED: 'user.role_changed',
  LOGIN: 'user.login',
  LOGIN_FAILED: 'user.login_failed',
  LOGOUT: 'user.logout',
  PASSWORD_CHANGED: 'user.password_changed',
  PASSWORD_CHANGE_FAILED: 'user.password_change_failed',
  PASSWORD_RESET: 'user.password_reset',
  LOCKED_OUT: 'user.locked_out',
  LOCKOUT_CLEARED: 'user.lockout_cleared',
  /** A user turned on TOTP (their first code confirmed it). */
  MFA_ENABLED: 'mfa.enabled',
  MFA_DISABLED: 'mfa.disabled',
  /** An admin removed a user's TOTP (a lost phone): their next login enrols again, or skips it. */
  MFA_RESET: 'mfa.reset',
  MFA_RECOVERY_CODE_USED: 'mfa.recovery_code_used',
  SESSION_TERMINATED: 'session.terminated',
  SESSIONS_BULK_TERMINATED: 'session.bulk_terminated',
  /** A login raised risk flags against the user's own history (sessions/risk-flags.ts). */
  SESSION_FLAGGED: 'session.flagged',
  API_KEY_CREATED: 'api_key.created',
  API_KEY_REVOKED: 'api_key.revoked',
  ACTIVITY_EXPORTED: 'activity.exported',
  ACTIVITY_PURGED: 'activity.purged',
  STREAM_CREATED: 'stream.created',
  STREAM_DELETED: 'stream.deleted',
  STREAM_RESUMED: 'stream.resumed',
  /** A stream failed for 24 h and stopped until an admin resumes it. */
  STREAM_FAILED: 'stream.failed',
  /** An org's SSO provider set or changed (signin/sso). */
  SSO_CONFIGURED: 'sso.configured',
  SSO_REMOVED: 'sso.removed',
  /** An admin's password login while SSO is enforced (allowAdminPasswordLogin). */
  SSO_BREAK_GLASS_LOGIN: 'sso.break_glass_login',
} as const;
