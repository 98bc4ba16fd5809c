import type { Activity } from '../contracts/activity.js';
import type { ActivityRow } from './activity.table.js';
import { fromStoredDetails } from './details.js';

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
  | 'detailsJson'
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
    details: fromStoredDetails(row.details, row.detailsJson),
    publicIp: row.publicIp,
    sessionId: row.sessionId,
    source: row.source,
  };
}

/** An exported row: column values in the CSV's order, as the driver returns them (no object per row). */
/**
 * The columns of an export, in order: the CSV header, the row tuple (ExportRow), the columns the
 * search reads for it and PostgreSQL's COPY query are all written from this one list.
 */
export const EXPORT_COLUMNS = [
  { field: 'occurredAt', header: 'Date/Time (UTC)' },
  { field: 'username', header: 'User' },
  { field: 'activity', header: 'Activity' },
  { field: 'status', header: 'Status' },
  { field: 'target', header: 'Target' },
  { field: 'details', header: 'Details' },
  { field: 'publicIp', header: 'Public IP' },
  { field: 'sessionId', header: 'Session ID' },
  { field: 'userId', header: 'User ID' },
  { field: 'id', header: 'Activity ID' },
  { field: 'source', header: 'Source' },
] as const satisfies ReadonlyArray<{ field: keyof ActivityListRow; header: string }>;

/**
 * The columns a page or an export reads: the CSV's, then an object's details JSON (which the CSV
 * writes in the Details cell, and JSON Lines as the object).
 */
export const ROW_FIELDS = [...EXPORT_COLUMNS.map((column) => column.field), 'detailsJson'] as const;

/**
 * An exported row as the engines hand it over: an array in ROW_FIELDS order (cheaper than an
 * object a row).
 */
export type ExportRow = [...FieldValues<typeof EXPORT_COLUMNS>, detailsJson: string | null];
type FieldValues<Columns extends readonly { field: keyof ActivityListRow }[]> = {
  -readonly [K in keyof Columns]: Columns[K] extends { field: infer F extends keyof ActivityListRow }
    ? ActivityListRow[F]
    : never;
};

export function exportRowToActivity(row: ExportRow): Activity {
  const [
    occurredAt,
    username,
    activity,
    status,
    target,
    details,
    publicIp,
    sessionId,
    userId,
    id,
    source,
    detailsJson,
  ] = row;
  return toActivity({
    id,
    occurredAt,
    userId,
    username,
    activity,
    status,
    target,
    details,
    detailsJson,
    publicIp,
    sessionId,
    source,
  });
}
