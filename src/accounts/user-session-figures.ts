/** Whose sessions a figure covers: some users of an org (a page of the list of users). */
export interface FigureScope {
  orgId: string;
  userIds: readonly string[];
}

/**
 * What the list of users needs of the sessions feature, which sits above accounts and implements
 * this (the composition root passes the session service): one query per figure for a page of
 * users, never one per user. Users without sessions are left out of the maps.
 */
export interface UserSessionFigures {
  /** Sessions live now, by user id, by the same rule as the session list. */
  liveSessionCounts(scope: FigureScope): Promise<Map<string, number>>;
  /** Each user's latest session access or login (epoch ms), by user id. */
  lastActivityTimes(scope: FigureScope): Promise<Map<string, number>>;
}
