import { stringify } from 'csv-stringify/sync';
import type { Activity } from './activity.js';

export const CSV_HEADER = [
  'Date/Time (UTC)',
  'User',
  'Activity',
  'Status',
  'Target',
  'Details',
  'Public IP',
  'Session ID',
  'User ID',
  'Activity ID',
];

const FORMULA_TRIGGERS = /^[=+\-@\t\r]/;
const BOM = '\ufeff';
// RFC 4180: CRLF between records, and fields with commas, quotes or line breaks quoted.
// csv-stringify quotes only the record delimiter itself (CRLF); a lone LF or CR left bare would
// end the row in a spreadsheet, and could start a new one with an unneutralised formula.
const OPTIONS = { record_delimiter: 'windows', quoted_match: /[\r\n]/ } as const;

/**
 * A spreadsheet runs a cell starting with = + - @ (or tab / CR before them) as a formula;
 * OWASP's advice is a leading apostrophe, which shows the text as typed.
 */
export function neutralizeFormula(value: string): string {
  return FORMULA_TRIGGERS.test(value) ? `'${value}` : value;
}

export function toCsvRecord(activity: Activity): string[] {
  return [
    activity.occurredAt,
    activity.username,
    activity.activity,
    activity.status,
    activity.target ?? '',
    activity.details ?? '',
    activity.publicIp ?? '',
    activity.sessionId ?? '',
    activity.userId ?? '',
    activity.id,
  ].map(neutralizeFormula);
}

/** The first chunk of a CSV export: a UTF-8 BOM (so spreadsheets read the encoding right) and the header row. */
export function csvPreamble(): string {
  return BOM + stringify([CSV_HEADER], OPTIONS);
}

/** A batch of activities as CSV records: one string per batch keeps streaming cheap per row. */
export function toCsvChunk(activities: Activity[]): string {
  return stringify(activities.map(toCsvRecord), OPTIONS);
}
