/**
 * The words of an activity search, with no dependency: the server's schemas and the web app's
 * URL parsing (which bundles this file) share them.
 */
export const PERIODS = ['1d', '7d', '1m', '6m', '1y'] as const;
export type Period = (typeof PERIODS)[number];
export const SORTS = ['occurredAt', 'username', 'activity'] as const;
export type SortKey = (typeof SORTS)[number];
export type SortOrder = 'asc' | 'desc';
/**
 * The statuses that mean an activity failed: `failed`, as jobs report it, and `failure`, as the
 * product records its own (failed logins, refused password changes). The histogram counts both.
 */
export const FAILED_STATUSES = ['failed', 'failure'] as const;
