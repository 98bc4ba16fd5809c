import type { SortKey } from '../../contracts/activity-terms.js';
import { type ExportRow, exportRowToActivity } from '../activity.js';
import { exportPositionOf } from '../activity.repository.js';
import type { CursorPosition } from '../search/cursor.js';
import { toCsvChunk } from './csv.js';

export type ExportFormat = 'csv' | 'jsonl';

/** One encoded batch of an export, and where the next one starts (null after the last). */
export interface EncodedBatch {
  bytes: Uint8Array;
  rows: number;
  next: CursorPosition | null;
}

const encoders: Record<ExportFormat, (rows: readonly ExportRow[]) => string> = {
  csv: toCsvChunk,
  jsonl: (rows) => rows.map((row) => `${JSON.stringify(exportRowToActivity(row))}\n`).join(''),
};

const utf8 = new TextEncoder();

/**
 * A batch of `limit` rows asked for, as bytes. TextEncoder rather than Buffer.from: its bytes own
 * their ArrayBuffer (never Node's shared pool), so a worker thread can transfer them.
 */
export function encodeBatch(
  rows: readonly ExportRow[],
  options: { format: ExportFormat; sort: SortKey; limit: number },
): EncodedBatch {
  const last = rows[rows.length - 1];
  const more = rows.length === options.limit && last !== undefined;
  return {
    bytes: utf8.encode(encoders[options.format](rows)),
    rows: rows.length,
    next: more ? exportPositionOf(last, options.sort) : null,
  };
}
