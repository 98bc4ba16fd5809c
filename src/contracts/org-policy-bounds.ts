/**
 * The bounds of an org's session policy, with no dependency: the server's schemas and the web
 * app's form (which bundles this file) share them. Idle: a minute to a week (the configuration's
 * own range). Lifetime: an hour to a year. Sessions a user may hold at once: 1 to 1,000, or null
 * for no limit.
 */
export const POLICY_BOUNDS = {
  idleMinutes: { min: 1, max: 7 * 24 * 60 },
  maxHours: { min: 1, max: 365 * 24 },
  maxSessionsPerUser: { min: 1, max: 1_000 },
} as const;
