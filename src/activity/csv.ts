import { stringify } from 'csv-stringify';
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

/** An RFC 4180 CSV writer (CRLF, quotes doubled) with a UTF-8 BOM so spreadsheets read the encoding right. */
export function createCsvStringifier() {
  return stringify({ bom: true, header: true, columns: CSV_HEADER, record_delimiter: 'windows' });
}
