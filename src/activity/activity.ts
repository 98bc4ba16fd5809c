import type { ActivityRow } from './activity.table.js';

/** An activity as the API shows it (the `Activity` schema of /api/openapi.json). */
export interface Activity {
  id: string;
  occurredAt: string;
  userId: string | null;
  username: string;
  activity: string;
  status: string;
  target: string | null;
  details: string | null;
  publicIp: string | null;
  sessionId: string | null;
  /** Who wrote an ingested event: `api_key <prefix> <name>` or `admin <username>`; null for the product's own. */
  source: string | null;
}

export type ActivityListRow = Pick<
  ActivityRow,
  | 'id'
  | 'occurredAt'
  | 'userId'
  | 'username'
  | 'activity'
  | 'status'
  | 'target'
  | 'details'
  | 'publicIp'
  | 'sessionId'
  | 'source'
>;

export function toActivity(row: ActivityListRow): Activity {
  return {
    id: String(row.id),
    occurredAt: new Date(row.occurredAt).toISOString(),
    userId: row.userId,
    username: row.username,
    activity: row.activity,
    status: row.status,
    target: row.target,
    details: row.details,
    publicIp: row.publicIp,
    sessionId: row.sessionId,
    source: row.source,
  };
}

/** An exported row: column values in the CSV's order, as the driver returns them (no object per row). */
export type ExportRow = [
  occurredAt: number,
  username: string,
  activity: string,
  status: string,
  target: string | null,
  details: string | null,
  publicIp: string | null,
  sessionId: string | null,
  userId: string | null,
  id: number,
  source: string | null,
];

export function exportRowToActivity(row: ExportRow): Activity {
  const [occurredAt, username, activity, status, target, details, publicIp, sessionId, userId, id, source] =
    row;
  return toActivity({
    id,
    occurredAt,
    userId,
    username,
    activity,
    status,
    target,
    details,
    publicIp,
    sessionId,
    source,
  });
}
