import { createHmac, timingSafeEqual } from 'node:crypto';
import { invalidInput } from '../../kernel/errors.js';
import type { ActivityFilter } from './filter.js';

/** Where the previous page ended: the sort key values of its last row. */
export type CursorPosition = Array<string | number>;

const badCursor = () =>
  invalidInput('cursor is invalid or belongs to another query; start again from the first page');

/** What a cursor is bound to: the filter and how its range was asked for (a preset, or from/to). */
function fingerprint(filter: ActivityFilter, rangeSpec: string): string {
  const fields = [
    rangeSpec,
    filter.orgId,
    filter.from,
    filter.to,
    filter.userId,
    filter.username,
    filter.activities,
    filter.text,
    filter.sort,
    filter.order,
  ];
  // Appended only when set, so the cursors of pages without a status filter stay as they were.
  if (filter.statuses.length > 0) fields.push(filter.statuses);
  return JSON.stringify(fields);
}

const sign = (secret: string, body: string) => createHmac('sha256', secret).update(body).digest('base64url');

/**
 * Opaque to clients: the position and the resolved filter (so a relative period like "1m" does
 * not move under a client paging through it), signed so it can be neither forged nor reused with
 * another query or by another org.
 */
export function encodeCursor(
  secret: string,
  filter: ActivityFilter,
  rangeSpec: string,
  position: CursorPosition,
): string {
  const body = Buffer.from(JSON.stringify({ p: position, f: filter.from, t: filter.to })).toString(
    'base64url',
  );
  return `${body}.${sign(secret, `${body}|${fingerprint(filter, rangeSpec)}`)}`;
}

/** Reads a cursor back: the range it was made for and the position; 400 if it does not verify. */
export function decodeCursor(
  secret: string,
  cursor: string,
  filterWithoutRange: Omit<ActivityFilter, 'from' | 'to'>,
  rangeSpec: string,
): { from: number; to: number | null; position: CursorPosition } {
  const [body, signature] = cursor.split('.');
  if (!body || !signature) throw badCursor();
  let parsed: { p?: unknown; f?: unknown; t?: unknown };
  try {
    parsed = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
  } catch {
    throw badCursor();
  }
  const { p, f, t } = parsed;
  if (!Array.isArray(p) || typeof f !== 'number' || (t !== null && typeof t !== 'number')) throw badCursor();
  const filter: ActivityFilter = { ...filterWithoutRange, from: f, to: t };
  const expected = Buffer.from(sign(secret, `${body}|${fingerprint(filter, rangeSpec)}`));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw badCursor();
  if (!p.every((v) => typeof v === 'string' || typeof v === 'number')) throw badCursor();
  return { from: f, to: t, position: p as CursorPosition };
}
