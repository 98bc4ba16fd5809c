import type { Activity } from '../contracts/activity.js';
import type { ActivityRow } from './activity.table.js';

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
